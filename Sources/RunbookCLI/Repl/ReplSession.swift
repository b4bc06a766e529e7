import Foundation
import RunbookKit

/// An incident session: the operator steps through a runbook, retries, runs ad-hoc
/// commands and writes notes; everything goes to the terminal and the journal.
final class ReplSession {
    let checked: CheckedRunbook
    let interpreter: Interpreter
    let reader: LineReader
    let terminal: Terminal
    let tracker: StepTracker
    let journalPath: String?
    private var current: Int? = 0
    private var previous: [Int] = []
    private var lastRun: String?
    private var finished: RunOutcome.Status?
    private let started = Date()
    /// Masks secret values wherever the session itself prints values.
    private lazy var redactor = SecretRedactor(secrets: interpreter.secretValues)

    init(checked: CheckedRunbook, interpreter: Interpreter, reader: LineReader, terminal: Terminal,
         tracker: StepTracker, journalPath: String?, startAt: String?) {
        self.checked = checked
        self.interpreter = interpreter
        self.reader = reader
        self.terminal = terminal
        self.tracker = tracker
        self.journalPath = journalPath
        if let startAt, let i = steps.firstIndex(where: { $0.id == startAt }) { current = i }
    }

    var steps: [Step] { checked.runbook.steps }

    /// Question ids of every `ask` in the runbook, for `answer`.
    var askIDs: Set<String> {
        var ids = Set<String>()
        func walk(_ block: [Stmt]) {
            for stmt in block {
                switch stmt.kind {
                case .ask(let id, _, let choices): ids.insert(id); choices.forEach { walk($0.body) }
                case .ifElse(let branches, let elseBody): branches.forEach { walk($0.body) }; walk(elseBody ?? [])
                case .foreach(_, _, _, let body), .retry(_, _, _, _, _, let body): walk(body)
                default: break
                }
            }
        }
        steps.forEach { walk($0.body) }
        return ids
    }
    var isAdHocOnly: Bool { checked.runbook.steps.count == 1 && checked.runbook.steps[0].id == ReplCommand.adHocStep }

    var prompt: String {
        let name = ((checked.path as NSString).lastPathComponent as NSString).deletingPathExtension
        if isAdHocOnly { return "runbook> " }
        let step = current.map { steps[$0].id } ?? (finished != nil ? "done" : "end")
        return "\(name):\(step)> "
    }

    /// Reads and runs lines until `quit` or end of input; returns the exit code.
    func loop(onStart: (() -> Void)? = nil) -> Int32 {
        printBanner()
        onStart?()
        while true {
            Cancellation.shared.reset()
            guard let line = reader.readLine(prompt: prompt) else {
                Output.out("\n")
                break
            }
            let input = ReplInput.parse(line)
            if input != .empty { reader.addHistory(line) }
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
            guard let i = current else { Output.out("no current step\n"); return }
            tracker.mark(steps[i].id, "skipped")
            interpreter.emit(.stepEnded(stepID: steps[i].id, outcome: "skipped", duration: 0))
            move(to: i + 1 < steps.count ? i + 1 : nil)
        case .goto(let id):
            guard let i = index(of: id) else { return }
            interpreter.emit(.branch(stepID: steps[i].id, description: "operator: goto \(id)"))
            move(to: i)
        case .back:
            guard let last = previous.popLast() else { Output.out("no earlier step\n"); return }
            current = last
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
                interpreter.setVariable(name, value)
                interpreter.emit(.message(stepID: Interpreter.adHocStepID, text: redactor.redact("operator set \(name) = \(value.displayText)")))
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
            interpreter.emit(.note(stepID: lastRun ?? current.map { steps[$0].id }, text: text))
        case .mark(let outcome, let remark):
            // The step the operator just watched run, not the one waiting to run next.
            guard let id = lastRun ?? current.map({ steps[$0].id }) else { Output.out("no step to mark\n"); return }
            tracker.mark(id, "marked \(outcome)")
            interpreter.emit(.outcome(stepID: id, outcome: outcome, remark: remark))
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

    private func move(to index: Int?) {
        if let c = current, c != index { previous.append(c) }
        current = index
    }

    private func runStep(at i: Int) {
        let step = steps[i]
        lastRun = step.id
        let result = interpreter.runStep(step)
        if Cancellation.shared.isCancelled {
            Cancellation.shared.reset()
            Output.out(terminal.yellow("interrupted: `run` retries the step") + "\n")
            current = i
            return
        }
        switch result {
        case .next: move(to: i + 1 < steps.count ? i + 1 : nil)
        case .goto(let id): move(to: steps.firstIndex { $0.id == id })
        case .finished(let status):
            switch status {
            case .concluded, .completed:
                finished = status
                move(to: nil)
            default:
                Output.out(terminal.dim("  the step stopped; fix what it found, then `run` retries it") + "\n")
                current = i
            }
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
        for f in findings { Output.out(redactor.redact("    ! [\(f.stepID)] \(f.message)") + "\n") }
        if case .concluded(let c)? = finished { Output.out("  conclusion: " + terminal.bold(redactor.redact(c)) + "\n") }
        let elapsed = Date().timeIntervalSince(started)
        let status: String
        let code: Int32
        switch finished {
        case .concluded?: status = "concluded"; code = findings.isEmpty ? 0 : 1
        case .completed?: status = "completed"; code = findings.isEmpty ? 0 : 1
        default: status = "ended"; code = findings.isEmpty ? 0 : 1
        }
        interpreter.emit(.runEnded(status: status, exitCode: code, duration: elapsed))
        if let journalPath { Output.out(terminal.dim("  journal: \(journalPath)") + "\n") }
        return code
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
        case .stepStarted(let id, let title, _): timeline.append("\(time)  ▶ \(id): \(title)")
        case .stepEnded(let id, let outcome, _):
            states[id] = outcome
            timeline.append("\(time)  \(id) → \(outcome)")
        case .commandEnded(_, let step, let host, let script, let result):
            commandCount += 1
            let firstLine = script.split(separator: "\n").first.map(String.init) ?? ""
            timeline.append("\(time)  $ \(firstLine)\(host.map { " (on \($0))" } ?? "") [\(step)] → exit \(result.exitCode)")
        case .finding(let step, let message, _, _): timeline.append("\(time)  ! [\(step)] \(message)")
        case .note(let step, let text):
            noteCount += 1
            timeline.append("\(time)  ✎ \(step.map { "[\($0)] " } ?? "")\(text)")
        case .outcome(let step, let outcome, let remark):
            timeline.append("\(time)  ✎ [\(step)] marked \(outcome)\(remark.isEmpty ? "" : ": \(remark)")")
        case .answer(_, let question, _, let choice, _): timeline.append("\(time)  ? \(question) → \(choice)")
        case .concluded(_, let message): timeline.append("\(time)  ■ \(message)")
        case .failed(let step, let message): timeline.append("\(time)  ✗ \(step.map { "[\($0)] " } ?? "")\(message)")
        default: break
        }
    }
}
