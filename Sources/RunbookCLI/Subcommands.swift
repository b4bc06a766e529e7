extension RunbookMain {
    static let subcommands: [any ParsableCommand.Type] = [
        RunCommand.self,
        CheckCommand.self,
        ReplCommand.self,
        ResumeCommand.self,
        ReportCommand.self,
    ]
}

import ArgumentParser
