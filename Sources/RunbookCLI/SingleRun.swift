import ArgumentParser
import Foundation
import RunbookKit

/// One run of a runbook on one target: terminal, journal, signals, summary, exit code.
struct SingleRun {
    let checked: CheckedRunbook
    let options: RunOptions
    let session: SessionOptions
    let terminal: Terminal
    let scenarioPath: String?
    let mode: String
    /// Runs before the first step (resume restores values here).
    var prepare: ((Interpreter) -> Void)? = nil

    func run() throws -> Int32 {
        let executor = try Executors.make(session: session, scenarioPath: scenarioPath)
        defer { executor.shutdown() }
        let io = TerminalOperator()
        let multicast = MulticastObserver([])
        let interpreter: Interpreter
        do {
            interpreter = try Interpreter(checked: checked, executor: executor.executor, observer: multicast,
                                          io: io, options: options)
        } catch let error as RuntimeError {
            Output.err("error: \(error.message)\n")
            return Exit.usage
        }
        let renderer = TerminalRenderer(terminal: terminal, secrets: interpreter.secretValues,
                                        simulated: executor.simulated)
        multicast.add(renderer)
        let journal = try JournalFactory.open(session: session, runbookPath: checked.path,
                                              secrets: interpreter.secretValues)
        if let journal {
            multicast.add(journal)
            interpreter.healthCheck = { journal.writeError.map { "the journal cannot be written (\($0)); stopped rather than run without a record" } }
        }
        Cancellation.installSignalHandlers()
        let header = RunHeader.make(for: checked, parameters: interpreter.displayedParameters,
                                    mode: executor.simulated ? "scenario" : mode)
        interpreter.emit(.runStarted(header))
        prepare?(interpreter)
        var outcome = interpreter.run()
        if Cancellation.shared.isCancelled, case .aborted = outcome.status {} else if Cancellation.shared.isCancelled {
            outcome.status = .aborted("interrupted by the operator")
        }
        interpreter.emit(.runEnded(status: outcome.statusName, exitCode: outcome.exitCode, duration: outcome.duration))
        journal?.close()
        renderer.summary(outcome)
        renderer.stop()
        if let journal {
            if let problem = journal.writeError {
                Output.err("error: journal \(journal.path): \(problem)\n")
            } else {
                Output.out(terminal.dim("  journal:   \(journal.path)") + "\n")
            }
        }
        return outcome.exitCode
    }
}

/// Opens the journal a run asked for (or the default one), or none with --no-journal.
enum JournalFactory {
    static func open(session: SessionOptions, runbookPath: String, secrets: [String]) throws -> JournalWriter? {
        if session.noJournal { return nil }
        do {
            if let path = session.journal {
                return try JournalWriter(path: path, secrets: secrets)
            }
            return try JournalWriter(runbookPath: runbookPath, secrets: secrets)
        } catch {
            Output.err("error: cannot open the journal: \(error)\n(use --journal PATH to choose another place, or --no-journal)\n")
            throw ExitCode(Exit.findings)
        }
    }
}
