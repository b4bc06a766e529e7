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
        if let host = try session.targetHosts().first { options.defaultHost = host }
        try ReplCommand.start(checked: checked, options: options, session: session, terminal: terminal,
                              from: from, history: history, restore: nil)
    }

    static func adHocRunbook() -> CheckedRunbook {
        let text = "runbook \"Incident session\"\n\nstep \(adHocStep) \"Ad-hoc commands\"\n  print \"nothing to run: use $ COMMAND\"\n"
        let (checked, _) = RunbookLibrary().load(file: SourceFile(path: "incident.runbook", text: text))
        return checked!
    }

    /// Builds the session (used by `repl` and by `resume` of a REPL journal) and runs it.
    static func start(checked: CheckedRunbook, options: RunOptions, session: SessionOptions, terminal: Terminal,
                      from: String?, history: String?, restore: ((Interpreter) -> Void)?,
                      completedSteps: [String] = []) throws {
        let executor = try Executors.make(session: session, scenarioPath: nil)
        defer { executor.shutdown() }
        let io = ReplOperator(assumeYes: options.assumeYes)
        let multicast = MulticastObserver([])
        let interpreter: Interpreter
        do {
            interpreter = try Interpreter(checked: checked, executor: executor.executor, observer: multicast,
                                          io: io, options: options)
        } catch let error as RuntimeError {
            Output.err("error: \(error.message)\n")
            throw ExitCode(Exit.usage)
        }
        let renderer = TerminalRenderer(terminal: terminal, secrets: interpreter.secretValues)
        let tracker = StepTracker()
        multicast.add(renderer)
        multicast.add(tracker)
        let journal = try JournalFactory.open(session: session, runbookPath: checked.path, secrets: interpreter.secretValues)
        if let journal { multicast.add(journal) }
        let header = RunHeader.make(for: checked, parameters: interpreter.displayedParameters, mode: "repl")
        // The header goes to the journal only: the session prints its own banner.
        journal?.handle(.runStarted(header))
        for step in completedSteps { tracker.mark(step, "ok (before resume)") }
        Cancellation.installSignalHandlers()
        let steps = checked.runbook.steps
        let reader = makeLineReader(historyFile: history) { line in
            ReplCompletion.candidates(line: line, steps: steps.map(\.id), variables: Array(interpreter.variables.keys))
        }
        io.reader = reader
        let replSession = ReplSession(checked: checked, interpreter: interpreter, reader: reader, terminal: terminal,
                                      tracker: tracker, journalPath: journal?.path, startAt: from)
        let code = replSession.loop(onStart: { restore?(interpreter) })
        journal?.close()
        renderer.stop()
        throw ExitCode(code)
    }
}

/// What Tab offers at the REPL prompt: commands, then step ids, variables or file names.
enum ReplCompletion {
    static func candidates(line: String, steps: [String], variables: [String]) -> [String] {
        let word = String(TabCompletion.currentWord(in: line))
        return all(line: line, steps: steps, variables: variables).filter { $0.hasPrefix(word) }
    }

    /// Every word that fits at the cursor's position, before filtering by what is typed.
    private static func all(line: String, steps: [String], variables: [String]) -> [String] {
        let words = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        if words.count <= 1 {
            return ReplInput.commands.flatMap(\.names).filter { $0.count > 1 && $0 != "$" }
        }
        switch words[0] {
        case "run", "r", "show", "s", "goto", "g", "retry": return words.count == 2 ? steps : []
        case "vars", "v", "set": return words.count == 2 ? variables.sorted() : []
        case "mark", "m": return words.count == 2 ? ["ok", "failed", "unknown"] : []
        default:
            if line.hasPrefix("$") || words[0] == "on" { return files(matching: words.last ?? "") }
            return []
        }
    }

    /// File names for the word being typed (runbook files among them).
    static func files(matching word: String) -> [String] {
        let dir = (word as NSString).deletingLastPathComponent
        let listing = (try? FileManager.default.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir)) ?? []
        return listing.filter { !$0.hasPrefix(".") }.sorted().map { dir.isEmpty ? $0 : dir + "/" + $0 }
    }
}
