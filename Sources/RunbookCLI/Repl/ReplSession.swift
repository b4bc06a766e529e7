import Foundation
import RunbookKit

/// An incident session: the operator steps through a runbook, retries, runs ad-hoc
/// commands and writes notes; everything goes to the terminal and the journal. A thin client
/// of the run session: where the operator stands and what a step does is the session's
/// `TargetRun`; this class reads commands and prints.
final class ReplSession {
    let session: RunSession
    let run: TargetRun
    let reader: LineReader
    let terminal: Terminal
    let tracker: StepTracker
    private var lastRun: String?

    init(session: RunSession, run: TargetRun, reader: LineReader, terminal: Terminal, tracker: StepTracker) {
        self.session = session
        self.run = run
        self.reader = reader
        self.terminal = terminal
        self.tracker = tracker
    }

    var checked: CheckedRunbook { session.checked }
    var interpreter: Interpreter { run.interpreter }
    var journalPath: String? { session.journalPath }
    private var current: Int? { run.position }
    private var finished: RunOutcome.Status? { run.status }
    /// Masks secret values wherever the session itself prints values.
    private var redactor: SecretRedactor { session.redactor }

    var steps: [Step] { checked.runbook.steps }

    /// Question ids of every `ask` in the runbook, for `answer`.
    var askIDs: Set<String> { Set(checked.questions().map(\.id)) }
    private func setsSecret(_ input: ReplInput) -> Bool {
        if case .set(let name, _) = input { return interpreter.secretParameterNames.contains(name) }
        return false
    }

    var isAdHocOnly: Bool { checked.runbook.steps.count == 1 && checked.runbook.steps[0].id == ReplCommand.adHocStep }

    var prompt: String {
        let name = ((checked.path as NSString).lastPathComponent as NSString).deletingPathExtension
        if isAdHocOnly { return "runbook> " }
        let step = current.map { steps[$0].id } ?? (finished != nil ? "done" : "end")
        return "\(name):\(step)> "
    }

    /// Reads and runs lines until `quit` or end of input; returns the exit code.
    func loop() -> Int32 {
        printBanner()
        while true {
            // Ctrl-C stops a step, and the session goes on; any other signal (a dropped
            // terminal, SIGTERM) ends the session as aborted, with its record.
            if let signal = session.cancellation.lastSignal, signal != SIGINT { break }
            session.cancellation.reset()
            guard let line = reader.readLine(prompt: prompt) else {
                Output.out("\n")
                break
            }
            let input = ReplInput.parse(line)
            // A line that sets a secret stays out of the history file, which outlives the run.
            if input != .empty, !setsSecret(input) { reader.addHistory(line) }
            if input == .quit { break }
            handle(input)
        }
        return summary()
    }

    private func printBanner() {
        if isAdHocOnly {
            Output.out(terminal.bold("runbook incident session") + " — every command you run with `$ …` is recorded. Type help.\n")
        } else {
            Output.out(terminal.bold("● \(checked.title)") + terminal.dim("  (\(checked.path), \(steps.count) steps)") + "\n")
            Output.out("  Type `next` to run the current step, `list` to see all, `help` for more.\n")
        }
        if let journalPath { Output.out(terminal.dim("  journal: \(journalPath)") + "\n") }
    }

    // MARK: Commands

    func handle(_ input: ReplInput) {
        switch input {
        case .empty, .quit: break
        case .help: printHelp()
        case .list: printList()
        case .show(let id): show(id)
        case .next:
            guard let i = current else {
                Output.out(finished == nil ? "no current step: the runbook has ended (goto STEP to go on)\n"
                                           : "the run has ended; goto STEP or run STEP to go on\n")
                return
            }
            runStep(at: i)
        case .runStep(let id):
            guard let target = id ?? lastRun ?? current.map({ steps[$0].id }) else {
                Output.out("no step to run\n")
                return
            }
            guard let i = index(of: target) else { return }
            runStep(at: i)
        case .skip:
            guard current != nil else { Output.out("no current step\n"); return }
            run.skip()
        case .goto(let id):
            guard let i = index(of: id) else { return }
            run.jump(to: i)
        case .back:
            if !run.back() { Output.out("no earlier step\n") }
        case .adHoc(let host, let script):
            guard !script.isEmpty else { Output.out("usage: $ COMMAND\n"); return }
            if case .failure(let error) = interpreter.runAdHoc(script, host: host) {
                Output.out(terminal.red("✗ \(error.message)") + "\n")
            }
        case .set(let name, let expression):
            guard name.range(of: "^[A-Za-z_][A-Za-z0-9_]*$", options: .regularExpression) != nil else {
                Output.out("'\(name)' is not a variable name\n")
                return
            }
            switch interpreter.evaluate(expression: expression) {
            case .success(let value):
                session.set(name, value, on: run)
                // After `set`: the redactor already knows a new secret value.
                Output.out(terminal.dim("  \(name) = \(redactor.redact(value.displayText))") + "\n")
            case .failure(let d):
                Output.out(terminal.red("error: \(d.message)") + "\n")
            }
        case .vars(let name): printVariables(name)
        case .answer(let id, let choice):
            let known = askIDs
            guard known.contains(id) else {
                Output.out("no question '\(id)' in this runbook (questions: \(known.isEmpty ? "none" : known.sorted().joined(separator: ", ")))\n")
                return
            }
            interpreter.preAnswer(id, choice)
            Output.out("question '\(id)' will be answered '\(choice)'\n")
        case .note(let text):
            interpreter.emit(.note(Note(path: (lastRun ?? current.map { steps[$0].id }).map { interpreter.path($0) }, text: text)))
        case .mark(let outcome, let remark):
            // The step the operator just watched run, not the one waiting to run next.
            guard let id = lastRun ?? current.map({ steps[$0].id }) else { Output.out("no step to mark\n"); return }
            tracker.mark(id, "marked \(outcome)")
            interpreter.emit(.mark(Mark(path: interpreter.path(id), outcome: outcome, remark: remark)))
        case .journal:
            Output.out(tracker.timeline.isEmpty ? "nothing recorded yet\n" : tracker.timeline.joined(separator: "\n") + "\n")
        case .unknown(let message):
            Output.out(message + "\n")
        }
    }

    private func index(of id: String) -> Int? {
        if let i = steps.firstIndex(where: { $0.id == id }) { return i }
        Output.out("no step '\(id)' (steps: \(steps.map(\.id).joined(separator: ", ")))\n")
        return nil
    }

    private func runStep(at i: Int) {
        lastRun = steps[i].id
        switch run.runStep(at: i) {
        case .moved:
            break
        case .ended:
            break
        case .stayed(.aborted):
            if let signal = session.cancellation.lastSignal, signal != SIGINT { return }
            session.cancellation.reset()
            Output.out(terminal.yellow("interrupted: `run` retries the step") + "\n")
        case .stayed:
            Output.out(terminal.dim("  the step stopped; fix what it found, then `run` retries it") + "\n")
        }
        if current == nil && finished == nil { Output.out(terminal.dim("  end of the runbook") + "\n") }
    }

    // MARK: Display

    private func printHelp() {
        for c in ReplInput.commands {
            let aliases = c.names.count > 1 ? " (\(c.names.dropFirst().joined(separator: ", ")))" : ""
            Output.out("  " + c.usage.padding(toLength: 34, withPad: " ", startingAt: 0) + c.summary + terminal.dim(aliases) + "\n")
        }
    }

    private func printList() {
        for (i, step) in steps.enumerated() {
            let marker = i == current ? "→" : " "
            let state = tracker.state(of: step.id)
            Output.out(" \(marker) \(step.id.padding(toLength: 14, withPad: " ", startingAt: 0)) \(state.padding(toLength: 16, withPad: " ", startingAt: 0)) \(step.title)\n")
        }
    }

    private func show(_ id: String?) {
        guard let target = id ?? current.map({ steps[$0].id }) ?? lastRun, let i = index(of: target) else {
            Output.out("no step to show\n")
            return
        }
        let file = checked.runbook.file
        let start = file.line(of: steps[i].offset)
        var end = i + 1 < steps.count ? file.line(of: steps[i + 1].offset) - 1 : file.lineStarts.count
        while end > start && file.lineText(end).trimmingCharacters(in: .whitespaces).isEmpty { end -= 1 }
        for n in start...max(start, end) {
            Output.out(terminal.dim(String(format: "%4d ", n)) + file.lineText(n) + "\n")
        }
    }

    private func printVariables(_ name: String?) {
        let secrets = Set(checked.runbook.params.filter(\.secret).map(\.name))
        let vars = interpreter.variables
        let names = name.map { [$0] } ?? vars.keys.sorted()
        for n in names {
            guard let v = vars[n] else { Output.out("\(n): not set\n"); continue }
            let text = secrets.contains(n) ? SecretRedactor.mask : redactor.redact(v.displayText)
            let firstLine = text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let more = text.contains("\n") ? terminal.dim(" (+\(text.split(separator: "\n").count - 1) lines)") : ""
            Output.out("  \(n) = \(firstLine)\(more)\n")
        }
    }

    private func summary() -> Int32 {
        let findings = interpreter.findings
        Output.out(terminal.bold("── Session summary " + String(repeating: "─", count: 32)) + "\n")
        if !isAdHocOnly {
            for step in steps { Output.out("  \(step.id.padding(toLength: 14, withPad: " ", startingAt: 0)) \(tracker.state(of: step.id))\n") }
        }
        Output.out("  commands: \(tracker.commandCount) · notes: \(tracker.noteCount) · findings: \(findings.count)\n")
        for f in findings { Output.out(redactor.redact("    ! [\(f.path.stepDescription)] \(f.message)") + "\n") }
        if case .concluded(let c, _)? = finished { Output.out("  conclusion: " + terminal.bold(redactor.redact(c)) + "\n") }
        // The session says how it ended, in the journal and in the exit code.
        let outcome = session.finish()
        if let journalPath { Output.out(terminal.dim("  journal: \(journalPath)") + "\n") }
        return outcome.exitCode
    }
}

/// Follows the events to know each step's state and to keep a short timeline.
final class StepTracker: RunObserver {
    private var states: [String: String] = [:]
    private(set) var timeline: [String] = []
    private(set) var commandCount = 0
    private(set) var noteCount = 0
    private let formatter: DateFormatter = {
        let f = DateFormatter()
        f.dateFormat = "HH:mm:ss"
        return f
    }()

    func state(of id: String) -> String { states[id] ?? "pending" }
    func mark(_ id: String, _ state: String) { states[id] = state }

    func handle(_ event: RunEvent) {
        let time = formatter.string(from: Date())
        switch event {
        case .stepStarted(let s): timeline.append("\(time)  ▶ \(s.path.stepDescription): \(s.title)")
        case .stepEnded(let e):
            if e.path.isTopLevel { states[e.path.step] = e.outcome.rawValue }
            timeline.append("\(time)  \(e.path.stepDescription) → \(e.outcome.rawValue)")
        case .commandEnded(let c):
            commandCount += 1
            let firstLine = c.script.split(separator: "\n").first.map(String.init) ?? ""
            timeline.append("\(time)  $ \(firstLine)\(c.host.map { " (on \($0))" } ?? "") [\(c.path.stepDescription)] → exit \(c.result.exitCode)")
        case .finding(let f): timeline.append("\(time)  ! [\(f.path.stepDescription)] \(f.message)")
        case .note(let n):
            noteCount += 1
            timeline.append("\(time)  ✎ \(n.path.map { "[\($0.stepDescription)] " } ?? "")\(n.text)")
        case .mark(let m):
            timeline.append("\(time)  ✎ [\(m.path.stepDescription)] marked \(m.outcome)\(m.remark.isEmpty ? "" : ": \(m.remark)")")
        case .decision(let d):
            switch d.kind {
            case .ask: timeline.append("\(time)  ? \(d.prompt) → \(d.answer ?? "no answer")")
            case .confirm: timeline.append("\(time)  ⚠ \(d.prompt) → \(d.answer ?? "no answer")")
            case .set: timeline.append("\(time)  = \(d.id ?? "?") set to \(d.answer ?? "")")
            }
        case .concluded(let c): timeline.append("\(time)  ■ \(c.severity == .unstated ? "" : c.severity.label + ": ")\(c.message)")
        case .failed(let f): timeline.append("\(time)  ✗ \(f.path.map { "[\($0.stepDescription)] " } ?? "")\(f.message)")
        default: break
        }
    }
}
