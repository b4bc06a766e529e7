import ArgumentParser
import Foundation
import RunbookKit

/// `runbook resume JOURNAL`: continue an interrupted run or REPL session where it stopped —
/// each target at its own step, on the targets and with the switches it was started with,
/// its values restored with their types — appending to the same journal.
struct ResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Continue an interrupted run or REPL session from its journal.")

    @Argument(help: "The journal (.jsonl) of the run to continue.", completion: .file(extensions: ["jsonl"]))
    var journalPath: String

    @Argument(help: "Parameters as name=value: needed again for secret ones, which journals never hold.")
    var parameters: [String] = []

    @Flag(name: .long, help: "Never colour the output (NO_COLOR is honoured too).")
    var noColor = false

    @Option(name: .long, parsing: .singleValue,
            help: "Read a secret parameter from a file: NAME=PATH (repeatable). RUNBOOK_SECRET_NAME works too.")
    var secretFile: [String] = []

    @Option(name: .long, help: "History file for a resumed REPL session.")
    var history: String?

    func run() throws {
        let terminal = Terminal(noColor: noColor)
        let journal: Journal
        do {
            journal = try JournalReader.read(path: journalPath)
        } catch {
            Output.err("error: \(error)\n")
            throw ExitCode(Exit.usage)
        }
        if journal.truncatedLastLine {
            Output.err("note: the journal's last line was cut off (the runner was killed while writing); resuming from the last complete record\n")
        }
        if !journal.problems.isEmpty {
            Output.err("error: \(journalPath) has records this version cannot read; resuming from it could repeat or skip work:\n"
                       + journal.problems.map { "  \($0)\n" }.joined())
            throw ExitCode(Exit.usage)
        }
        let point = ResumePoint(journal: journal)
        let header = journal.header
        if point.unfinished.isEmpty || point.runStatus.map(\.isFinal) == true {
            Output.err("error: that run already ended (\(point.runStatus?.rawValue ?? "every target finished")); nothing to resume\n")
            throw ExitCode(Exit.usage)
        }
        guard let checked = DiagnosticPrinter.load(header.runbookPath, color: terminal.color) else {
            throw ExitCode(Exit.usage)
        }
        let hash = RunHeader.contentHash(of: checked)
        if hash != header.contentHash {
            Output.err(terminal.yellow("warning: \(header.runbookPath) changed since the journal was written (hash \(header.contentHash.prefix(19))… → \(hash.prefix(19))…); steps may not line up") + "\n")
        }
        var options = try resumedOptions(header, checked: checked, answers: point.answers)
        options.processEnvironment = SessionFactory.environment(for: checked)
        let targets = header.plan.targets
        try checkReachable(targets)

        // A run against a snapshot continues against the very same file, or not at all.
        let replay = try header.plan.snapshot.map { try SnapshotReplay.startOrExit(path: $0.path, expectedHash: $0.sha256) }
        defer { replay?.stop() }
        replay?.apply(to: &options)
        // Nodes are reached as the run reached them: its transport, debug image and namespace, node timeout.
        let nodes: NodeOptions
        do { nodes = try NodeOptions.resuming(targets.nodes) } catch {
            Output.err("error: the journal's node options cannot be used: \(NodeOptions.message(for: error))\n")
            throw ExitCode(Exit.usage)
        }
        let executor = try Executors.make(sshConfig: targets.sshConfig, scenarioPath: nil, nodes: nodes)
        defer { executor.shutdown() }
        let writer = try SessionFactory.openJournal(path: journalPath, runbookPath: header.runbookPath)
        let display = RunDriver.Display(terminal: terminal, fanOut: targets.isFanOut && header.mode != .repl, simulated: false)
        let tracker = StepTracker()
        let replOperator = ReplOperator(assumeYes: options.assumeYes)
        let operatorIO: OperatorIO = header.mode == .repl ? replOperator : TerminalOperator()
        let session = try SessionFactory.session(.init(
            checked: checked, options: options, targets: targets, mode: header.mode,
            identity: SessionFactory.identity, executor: replay?.wrap(executor.executor) ?? executor.executor, operatorIO: operatorIO,
            cancellation: Cancellation.shared, journal: writer,
            observers: display.observers + (header.mode == .repl ? [tracker] : []),
            targetObservers: display.targetObservers))
        let notRestored = session.restore(from: point)
        var positions: [String: String] = [:]
        for run in session.targets where run.status == nil {
            positions[run.target ?? ""] = run.currentStep ?? "(end)"
        }
        let identity = SessionFactory.identity
        session.start(resuming: Resumption(user: identity.user, pid: identity.pid, toolVersion: identity.toolVersion,
                                           positions: positions, notRestored: notRestored))
        Cancellation.installSignalHandlers()
        let at = positions.sorted { $0.key < $1.key }.map { $0.key.isEmpty ? $0.value : "\($0.key) at \($0.value)" }
        Output.out(terminal.dim("resuming \(header.runbookPath): \(at.joined(separator: ", ")); appending to \(journalPath)") + "\n")
        for value in notRestored {
            Output.err(terminal.yellow("warning: not restored: \(value)") + "\n")
        }
        if header.mode == .repl {
            guard let run = session.targets.first else { throw ExitCode(Exit.usage) }
            for step in point.targets.first?.completedSteps ?? [] { tracker.mark(step, "ok (before resume)") }
            let code = ReplCommand.loop(session: session, run: run, operatorIO: replOperator,
                                        tracker: tracker, renderer: display.renderer, terminal: terminal, history: history)
            throw ExitCode(code)
        }
        // The header was written by the first process: the driver only prints and runs.
        throw ExitCode(RunDriver(terminal: terminal).run(session, display: display, startRecord: false))
    }

    /// The run's options as it was started: non-secret parameters from the header, secret
    /// ones given again (they are never journaled), answers, `--yes`, the timeout.
    private func resumedOptions(_ header: RunHeader, checked: CheckedRunbook, answers: [String: String]) throws -> RunOptions {
        var options = RunOptions()
        options.parameters = try SessionOptions.parameterValues(parameters)
        try SecretInputs.resolve(checked, files: secretFile, into: &options)
        // Journals never hold secrets: each one the run was given comes again, from the
        // command line, RUNBOOK_SECRET_NAME or the prompt.
        // A secret with a default that the run was given explicitly: the prompt, too.
        for name in header.secretParameters where options.parameters[name] == nil && isatty(0) == 1 {
            options.parameters[name] = SecretInputs.readHidden("\(name) (secret, needed again: journals never hold it): ")
        }
        let missing = header.secretParameters.filter { options.parameters[$0] == nil }
        if !missing.isEmpty {
            Output.err("error: the secret parameter\(missing.count > 1 ? "s" : "") \(missing.joined(separator: ", ")) \(missing.count > 1 ? "are" : "is") not in the journal: pass \(missing.map { "\($0)=…" }.joined(separator: " ")) again (or set \(missing.map(SecretInputs.variableName).joined(separator: ", ")))\n")
            throw ExitCode(Exit.usage)
        }
        let secret = Set(header.secretParameters)
        for (name, value) in header.parameters where options.parameters[name] == nil && !secret.contains(name)
            && value != SecretRedactor.mask {
            options.parameters[name] = value
        }
        options.answers = header.plan.answers.merging(answers) { _, recorded in recorded }
        options.assumeYes = header.plan.assumeYes
        if let timeout = header.plan.defaultTimeout {
            options.defaultTimeout = timeout
            options.defaultTimeoutGiven = timeout
        }
        options.sshOptions = header.plan.targets.sshOptions
        if let limit = header.plan.capturedOutputLimit { options.capturedOutputLimit = limit }
        return options
    }

    /// The files a run's targets were reached through must still be there: a resume never
    /// falls back to another way of reaching them (or to this machine).
    private func checkReachable(_ targets: RunTargets) throws {
        for (what, path) in [("ssh configuration", targets.sshConfig), ("inventory", targets.inventory)] {
            if let path, !FileManager.default.isReadableFile(atPath: path) {
                Output.err("error: the run used the \(what) \(path), which cannot be read now; resume stops rather than reach its targets another way\n")
                throw ExitCode(Exit.usage)
            }
        }
    }
}
