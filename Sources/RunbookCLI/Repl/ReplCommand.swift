import ArgumentParser
import Foundation
import RunbookKit

/// `runbook repl [FILE] [name=value …]`: an interactive incident session.
struct ReplCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl",
        abstract: "Step through a runbook interactively, or keep a recorded shell for an incident.",
        discussion: "Without a file the session is an ad-hoc recorded shell. Type help at the prompt.")

    /// The one step of a session without a runbook file.
    static let adHocStep = "incident"

    @Argument(help: "The runbook file (optional).", completion: .file(extensions: ["runbook"]))
    var file: String?

    @Argument(help: "Parameters as name=value.")
    var parameters: [String] = []

    @OptionGroup var session: SessionOptions

    @Option(name: .long, help: "Start at this step.")
    var from: String?

    @Option(name: .long, help: "History file (default: $XDG_STATE_HOME/runbook/history).")
    var history: String?

    @OptionGroup var snapshotOption: SnapshotOption

    func run() throws {
        var params = parameters
        var path = file
        // `runbook repl name=value` without a file: the first argument is a parameter.
        if let f = file, f.contains("="), !FileManager.default.fileExists(atPath: f) {
            params.insert(f, at: 0)
            path = nil
        }
        let terminal = Terminal(noColor: session.noColor)
        let checked: CheckedRunbook
        if let path {
            guard let c = DiagnosticPrinter.load(path, color: terminal.color) else { throw ExitCode(Exit.usage) }
            checked = c
        } else {
            checked = ReplCommand.adHocRunbook()
        }
        var options = try session.runOptions(parameters: params)
        try SecretInputs.resolve(checked, files: session.secretFile, into: &options)
        options.processEnvironment = SessionFactory.environment(for: checked)
        let replay = try snapshotOption.start()
        defer { replay?.stop() }
        replay?.apply(to: &options)
        try ReplCommand.start(checked: checked, options: options, session: session, terminal: terminal,
                              from: from, history: history, replay: replay)
    }

    static func adHocRunbook() -> CheckedRunbook {
        let text = "runbook \"Incident session\"\n\nstep \(adHocStep) \"Ad-hoc commands\"\n  print \"nothing to run: use $ COMMAND\"\n"
        let (checked, _) = RunbookLibrary().load(file: SourceFile(path: "incident.runbook", text: text))
        return checked!
    }

    /// Builds the run session for an interactive session and runs the loop.
    static func start(checked: CheckedRunbook, options: RunOptions, session options2: SessionOptions,
                      terminal: Terminal, from: String?, history: String?, replay: SnapshotReplay? = nil) throws {
        var runOptions = options
        runOptions.fromStep = from
        let executor = try Executors.make(session: options2, scenarioPath: nil)
        defer { executor.shutdown() }
        let io = ReplOperator(assumeYes: options.assumeYes)
        let renderer = TerminalRenderer(terminal: terminal, level: options2.outputLevel)
        let tracker = StepTracker()
        let journal = try SessionFactory.journal(session: options2, runbookPath: checked.path)
        var targets = try options2.runTargets()
        targets.hosts = Array(targets.hosts.prefix(1))   // the REPL works on one target
        let session = try SessionFactory.session(.init(
            checked: checked, options: runOptions, targets: targets, mode: .repl,
            identity: SessionFactory.identity, executor: replay?.wrap(executor.executor) ?? executor.executor, operatorIO: io,
            cancellation: Cancellation.shared, journal: journal, observers: [renderer, tracker]))
        // The header goes to the journal; the session prints its own banner, so the renderer
        // does not print one.
        renderer.showsHeader = false
        session.start()
        Cancellation.installSignalHandlers()
        throw ExitCode(loop(session: session, run: session.targets[0], operatorIO: io, tracker: tracker,
                            renderer: renderer, terminal: terminal, history: history))
    }

    /// The interactive loop over a started session (a new one, or one `resume` restored).
    static func loop(session: RunSession, run: TargetRun, operatorIO: ReplOperator, tracker: StepTracker,
                     renderer: TerminalRenderer?, terminal: Terminal, history: String?) -> Int32 {
        renderer?.showsHeader = false
        let steps = session.checked.runbook.steps
        let reader = makeLineReader(historyFile: history) { line in
            ReplCompletion.candidates(line: line, steps: steps.map(\.id), variables: Array(run.interpreter.variables.keys),
                                      defaultHost: run.interpreter.options.defaultHost)
        }
        operatorIO.reader = reader
        let repl = ReplSession(session: session, run: run, reader: reader, terminal: terminal, tracker: tracker)
        let code = repl.loop()
        renderer?.stop()
        return code
    }
}

/// What Tab offers at the REPL prompt: commands, then step ids, variables or file names.
enum ReplCompletion {
    /// `defaultHost`: where `$ …` runs; this machine's files are offered only for commands
    /// that run here (a remote command would not see them).
    static func candidates(line: String, steps: [String], variables: [String], defaultHost: String? = nil) -> [String] {
        let word = String(TabCompletion.currentWord(in: line))
        return all(line: line, steps: steps, variables: variables, defaultHost: defaultHost).filter { $0.hasPrefix(word) }
    }

    /// Every word that fits at the cursor's position, before filtering by what is typed.
    private static func all(line: String, steps: [String], variables: [String], defaultHost: String?) -> [String] {
        let words = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        if words.count <= 1 {
            return ReplInput.commands.flatMap(\.names).filter { $0.count > 1 && $0 != "$" }
        }
        switch words[0] {
        case "run", "r", "show", "s", "goto", "g", "retry": return words.count == 2 ? steps : []
        case "vars", "v", "set": return words.count == 2 ? variables.sorted() : []
        case "mark", "m": return words.count == 2 ? ["ok", "failed", "unknown"] : []
        default:
            if line.hasPrefix("$") { return runsHere(defaultHost) ? files(matching: words.last ?? "") : [] }
            if words[0] == "on" { return words.count > 2 && runsHere(words[1]) ? files(matching: words.last ?? "") : [] }
            return []
        }
    }

    /// File names for the word being typed (runbook files among them).
    static func runsHere(_ host: String?) -> Bool {
        host == nil || host == "" || host == "localhost" || host == "local"
    }

    static func files(matching word: String) -> [String] {
        let dir = (word as NSString).deletingLastPathComponent
        let listing = (try? FileManager.default.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir)) ?? []
        return listing.filter { !$0.hasPrefix(".") }.sorted().map { dir.isEmpty ? $0 : dir + "/" + $0 }
    }
}
