import Foundation
import RunbookKit

/// Shows a run as it happens: steps, commands with their output, findings, and a summary.
/// On a terminal a quiet command shows that it is alive with an elapsed-time line. Events
/// arrive with secrets already masked (the run session masks every event once).
final class TerminalRenderer: RunObserver {
    let terminal: Terminal
    /// Masks what the renderer prints that did not come in an event (the summary's findings).
    var redactor = SecretRedactor(secrets: [])
    /// Whether the run's header (title, parameters) is printed when the run starts.
    var showsHeader = true
    private let simulated: Bool
    private let lock = Mutex()
    private var running: (start: Date, label: String)?
    private var statusLineShown = false
    private var ticker: Thread?
    private var stopped = false
    /// Where finished lines go: stdout, or a buffer when several hosts run at once.
    private let sink: (String) -> Void

    init(terminal: Terminal, simulated: Bool = false, sink: ((String) -> Void)? = nil) {
        self.terminal = terminal
        self.simulated = simulated
        self.sink = sink ?? { Output.out($0) }
        if terminal.stdoutIsTTY && sink == nil { startTicker() }
    }

    deinit { stopped = true }

    func stop() {
        lock.lock()
        stopped = true
        clearStatusLine()
        lock.unlock()
    }

    private func print(_ text: String) {
        clearStatusLine()
        sink(redactor.redact(text) + "\n")
    }

    func handle(_ event: RunEvent) {
        lock.lock()
        defer { lock.unlock() }
        let t = terminal
        switch event {
        case .runStarted(let header):
            guard showsHeader else { break }
            let sim = simulated ? t.yellow(" [SIMULATED: canned command output, nothing runs]") : ""
            print(t.bold("● \(header.runbookTitle)") + t.dim("  (\(header.runbookPath))") + sim)
            let params = header.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            if !params.isEmpty { print(t.dim("  parameters: " + params.joined(separator: " "))) }
        case .resumed:
            break
        case .stepStarted(let start):
            print("")
            print(t.bold(t.cyan("▶ \(start.path.stepDescription)")) + "  " + t.bold(start.title) + (start.host.map { t.dim("  on \($0)") } ?? ""))
        case .stepEnded(let end):
            let time = t.dim("(\(TerminalRenderer.format(end.duration)))")
            switch end.outcome {
            case .ok: print("  " + t.green("✓ ok") + " " + time)
            case .finding: print("  " + t.yellow("! finding") + " " + time)
            case .failed, .unreachable: print("  " + t.red("✗ \(end.outcome.rawValue)") + " " + time)
            case .skipped, .aborted: print("  " + t.yellow(end.outcome.rawValue) + " " + time)
            }
        case .commandStarted(let start):
            let prefix = start.host.map { t.dim("[\($0)] ") } ?? ""
            let lines = start.script.split(separator: "\n", omittingEmptySubsequences: false)
            print("  " + prefix + t.bold("$ ") + (lines.first.map(String.init) ?? ""))
            for line in lines.dropFirst() { print("  " + prefix + "  " + line) }
            running = (Date(), start.host ?? "")
        case .commandOutput(let output):
            let bar = output.stream == .stderr ? t.red("│") : t.dim("│")
            let prefix = output.host.map { t.dim("[\($0)] ") } ?? ""
            // Escape sequences from a command (cursor moves, clipboard writes) are shown, not obeyed.
            print("  " + prefix + bar + " " + VisibleText.forTerminal(output.line))
            if running != nil { running!.start = Date() }
        case .commandEnded(let end):
            running = nil
            let result = end.result
            let prefix = end.host.map { t.dim("[\($0)] ") } ?? ""
            if result.timedOut {
                print("  " + prefix + t.red("⏱ timed out after \(TerminalRenderer.format(result.duration))"))
            } else if result.unreachable {
                print("  " + prefix + t.red("✗ unreachable"))
            } else if result.exitCode != 0 {
                print("  " + prefix + t.dim("exit \(result.exitCode) · \(TerminalRenderer.format(result.duration))"))
            }
            if end.stdoutCut || end.stderrCut {
                print("  " + prefix + t.dim("(output beyond \(result.stdout.utf8.count) bytes was shown but not kept)"))
            }
        case .finding(let finding):
            let mark = finding.severity == .warning ? t.yellow("~ warning: ") : t.yellow("! ")
            print("  " + mark + t.bold((finding.host.map { "[\($0)] " } ?? "") + finding.message))
            let evidence = finding.evidence
            for line in evidence.split(separator: "\n", omittingEmptySubsequences: false).prefix(8) where !evidence.isEmpty {
                print("      " + t.dim("│ " + VisibleText.forTerminal(String(line))))
            }
        case .branch(let branch):
            print("  " + t.dim("↳ " + branch.description))
        case .decision(let d):
            switch d.kind {
            case .ask where d.answer != nil:
                let source = d.source == .operator ? "operator" : "command line"
                print("  " + t.dim("? \(d.prompt) → \(d.answer!) (\(source))"))
            case .confirm where d.source == .assumeYes:
                print("  " + t.dim("⚠ \(d.prompt) → yes (--yes)"))
            default:
                break   // typed by the operator just now, or unanswered (the failure says what to pass)
            }
        case .message(let message):
            for line in message.text.split(separator: "\n", omittingEmptySubsequences: false) { print("  " + line) }
        case .note(let note):
            print("  " + t.cyan("✎ note: ") + note.text)
        case .mark(let mark):
            print("  " + t.cyan("✎ \(mark.path.stepDescription) marked \(mark.outcome)") + (mark.remark.isEmpty ? "" : ": \(mark.remark)"))
        case .variable, .cursor, .targetEnded, .runEnded:
            break
        case .concluded(let c) where !c.path.isTopLevel:
            // A called runbook's own conclusion: the caller goes on or takes it as its own.
            print("  " + t.dim("↳ \(c.path.calls.joined(separator: "/")) concluded: ") + c.message)
        case .concluded(let c):
            print("")
            let color: (String) -> String
            switch c.severity {
            case .ok, .unstated: color = t.green
            case .problem: color = t.red
            case .unknown: color = t.yellow
            }
            print(t.bold(color("■ \(c.severity.label): ")) + t.bold(c.message))
        case .failed(let f):
            print("")
            print(t.bold(t.red("✗ Failed")) + (f.path.map { t.dim(" in \($0.stepDescription)") } ?? "") + ": " + f.message)
        }
    }

    /// The end-of-run summary: steps, findings with evidence, conclusion, time, exit code.
    func summary(_ outcome: RunOutcome) {
        lock.lock()
        defer { lock.unlock() }
        let print: (String) -> Void = { self.print(self.redactor.redact($0)) }
        let t = terminal
        print("")
        print(t.bold("── Summary " + String(repeating: "─", count: 40)))
        print("  steps run: \(outcome.stepsRun.count)" + (outcome.stepsRun.isEmpty ? "" : t.dim(" (\(TerminalRenderer.compact(outcome.stepsRun)))")))
        if outcome.findings.isEmpty {
            print("  findings:  " + t.green("none"))
        } else {
            let warnings = outcome.findings.filter { $0.severity == .warning }.count
            print("  findings:  " + t.yellow("\(outcome.findings.count)") + (warnings == 0 ? "" : t.dim(" (\(warnings) warning\(warnings == 1 ? "" : "s"))")))
            for f in outcome.findings {
                print("    " + t.yellow(f.severity == .warning ? "~" : "!") + " [\(f.path.stepDescription)\(f.host.map { " @ \($0)" } ?? "")] " + f.message)
                for line in f.evidence.split(separator: "\n", omittingEmptySubsequences: false).prefix(5) where !f.evidence.isEmpty {
                    print("        " + t.dim("│ " + line))
                }
            }
        }
        switch outcome.status {
        case .concluded(let c, let severity):
            print("  conclusion: " + t.bold(c) + (severity == .unstated ? "" : t.dim(" (\(severity.statement))")))
        case .completed: print("  conclusion: " + t.dim("none (the runbook ran to its end)"))
        case .failed(let m), .usageError(let m): print("  failed:    " + t.red(m))
        case .aborted(let m): print("  aborted:   " + t.red(m))
        }
        print("  severity:  " + TerminalRenderer.severityText(outcome.severity, t))
        print("  elapsed:   \(TerminalRenderer.format(outcome.duration)) · exit code \(outcome.exitCode)")
    }

    static func severityText(_ severity: Severity, _ t: Terminal) -> String {
        switch severity {
        case .ok: return t.green("ok (healthy)")
        case .problem: return t.red("problem")
        case .unknown: return t.yellow("unknown (could not tell)")
        }
    }

    /// Step ids in order, with repeats folded: "a, b ×3, c".
    static func compact(_ ids: [String]) -> String {
        var parts: [String] = []
        var i = 0
        while i < ids.count {
            var j = i
            while j + 1 < ids.count && ids[j + 1] == ids[i] { j += 1 }
            parts.append(j > i ? "\(ids[i]) ×\(j - i + 1)" : ids[i])
            i = j + 1
        }
        let text = parts.joined(separator: ", ")
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }

    static func format(_ seconds: Double) -> String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        return "\(Int(seconds) / 60)m \(Int(seconds) % 60)s"
    }

    // MARK: The alive indicator

    private func startTicker() {
        let thread = Thread { [weak self] in
            while true {
                Thread.sleep(forTimeInterval: 0.25)
                guard let self else { return }
                self.lock.lock()
                if self.stopped { self.lock.unlock(); return }
                if let running = self.running {
                    let quiet = Date().timeIntervalSince(running.start)
                    if quiet >= 1 {
                        Output.out("\r\u{1B}[2K  " + self.terminal.dim("… still running, \(Int(quiet)) s without output"))
                        self.statusLineShown = true
                    }
                }
                self.lock.unlock()
            }
        }
        thread.start()
        ticker = thread
    }

    private func clearStatusLine() {
        if statusLineShown {
            Output.out("\r\u{1B}[2K")
            statusLineShown = false
        }
    }
}
