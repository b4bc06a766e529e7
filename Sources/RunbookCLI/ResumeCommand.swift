import ArgumentParser
import Foundation
import RunbookKit

/// `runbook resume JOURNAL`: continue an interrupted run or REPL session where it stopped,
/// with its parameters, answers and captured values restored.
struct ResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Continue an interrupted run or REPL session from its journal.")

    @Argument(help: "The journal (.jsonl) of the run to continue.", completion: .file(extensions: ["jsonl"]))
    var journalPath: String

    @Argument(help: "Parameters as name=value: needed again for secret ones, which journals never hold.")
    var parameters: [String] = []

    @OptionGroup var session: SessionOptions

    func run() throws {
        let terminal = Terminal(noColor: session.noColor)
        let journal: Journal
        do {
            journal = try JournalReader.read(path: journalPath)
        } catch {
            Output.err("error: \(error)\n")
            throw ExitCode(Exit.usage)
        }
        if journal.truncatedLastLine {
            Output.err("note: the journal's last line was cut off (the runner was killed while writing); resuming from the last complete event\n")
        }
        let point = ResumePoint(journal: journal)
        if let status = point.runStatus, ["concluded", "completed"].contains(status) {
            Output.err("error: that run already ended (\(status)); nothing to resume\n")
            throw ExitCode(Exit.usage)
        }
        guard let checked = DiagnosticPrinter.load(point.runbookPath, color: terminal.color) else {
            throw ExitCode(Exit.usage)
        }
        let hash = RunHeader.make(for: checked, parameters: [:], mode: "resume").contentHash
        if hash != point.contentHash {
            Output.err(terminal.yellow("warning: \(point.runbookPath) changed since the journal was written (hash \(point.contentHash.prefix(19))… → \(hash.prefix(19))…); steps may not line up") + "\n")
        }
        var options = try session.runOptions(parameters: parameters)
        for (name, value) in point.parameters where options.parameters[name] == nil {
            if value == SecretRedactor.mask {
                Output.err("error: the secret parameter '\(name)' is not in the journal: pass \(name)=… again\n")
                throw ExitCode(Exit.usage)
            }
            options.parameters[name] = value
        }
        for (id, choice) in point.answers where options.answers[id] == nil { options.answers[id] = choice }
        let start = startStep(point.position, in: checked.runbook)
        let restore: (Interpreter) -> Void = { interpreter in
            interpreter.restore(variables: point.variables.filter { !point.redactedVariables.contains($0.key) })
            interpreter.emit(.note(stepID: nil, text: "resumed from \(self.journalPath) at \(start ?? "the end")"))
        }
        Output.out(terminal.dim("resuming \(point.runbookPath) at step \(start ?? "(end)") with \(point.variables.count) recorded values") + "\n")
        if journal.header.mode == "repl" {
            try ReplCommand.start(checked: checked, options: options, session: session, terminal: terminal,
                                  from: start, history: nil, restore: restore, completedSteps: point.completedSteps)
        }
        guard let start else {
            Output.out("every step had already run; nothing left to do\n")
            return
        }
        options.fromStep = start
        let code = try SingleRun(checked: checked, options: options, session: session, terminal: terminal,
                                 scenarioPath: nil, mode: "resume", prepare: restore).run()
        throw ExitCode(code)
    }

    /// The step to continue at: the interrupted one, or the one after the last finished.
    private func startStep(_ position: ResumePoint.Position, in runbook: Runbook) -> String? {
        switch position {
        case .beginning: return runbook.steps.first?.id
        case .restart(let step): return topLevel(step, runbook)
        case .after(let step):
            guard let id = topLevel(step, runbook), let i = runbook.steps.firstIndex(where: { $0.id == id }) else { return nil }
            return i + 1 < runbook.steps.count ? runbook.steps[i + 1].id : nil
        }
    }

    /// Step ids of called runbooks are journaled as "callee/step": resume at the caller's step.
    private func topLevel(_ step: String, _ runbook: Runbook) -> String? {
        let id = String(step.split(separator: "/").first ?? Substring(step))
        return runbook.step(id) != nil ? id : nil
    }
}
