extension RunbookMain {
    static let subcommands: [any ParsableCommand.Type] = [
        RunCommand.self,
        CheckCommand.self,
        ReplCommand.self,
        ResumeCommand.self,
        ReportCommand.self,
        TestCommand.self,
        FmtCommand.self,
        GraphCommand.self,
        ListCommand.self,
        ShowCommand.self,
        ServeCommand.self,
    ]
}

import ArgumentParser
