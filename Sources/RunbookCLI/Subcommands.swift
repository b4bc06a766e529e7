extension RunbookMain {
    static let subcommands: [any ParsableCommand.Type] = [
        RunCommand.self,
        CheckCommand.self,
    ]
}

import ArgumentParser
