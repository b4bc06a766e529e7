import Foundation
import RunbookKit

/// Shows a run as it happens: steps, commands with their output, findings, and a summary.
/// On a terminal a quiet command shows that it is alive with an elapsed-time line.
final class TerminalRenderer: RunObserver {
    let terminal: Terminal
    private let redactor: SecretRedactor
    private let simulated: Bool
    private let lock = NSLock()
    private var running: (start: Date, label: String)?
    private var statusLineShown = false
    private var ticker: Thread?
    private var stopped = false
    /// Where finished lines go: stdout, or a buffer when several hosts run at once.
    private let sink: (String) -> Void

    init(terminal: Terminal, secrets: [String], simulated: Bool = false, sink: ((String) -> Void)? = nil) {
        self.terminal = terminal
        self.redactor = SecretRedactor(secrets: secrets)
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
            let sim = simulated ? t.yellow(" [SIMULATED: canned command output, nothing runs]") : ""
            print(t.bold("● \(header.runbookTitle)") + t.dim("  (\(header.runbookPath))") + sim)
            let params = header.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            if !params.isEmpty { print(t.dim("  parameters: " + params.joined(separator: " "))) }
        case .stepStarted(let id, let title, let host):
            print("")
            print(t.bold(t.cyan("▶ \(id)")) + "  " + t.bold(title) + (host.map { t.dim("  on \($0)") } ?? ""))
        case .stepEnded(_, let outcome, let duration):
            let time = t.dim("(\(TerminalRenderer.format(duration)))")
            switch outcome {
            case "ok": print("  " + t.green("✓ ok") + " " + time)
            case "finding": print("  " + t.yellow("! finding") + " " + time)
            case "failed": print("  " + t.red("✗ failed") + " " + time)
            default: print("  " + t.yellow(outcome) + " " + time)
            }
        case .commandStarted(_, _, let host, let script):
            let prefix = host.map { t.dim("[\($0)] ") } ?? ""
            let lines = script.split(separator: "\n", omittingEmptySubsequences: false)
            print("  " + prefix + t.bold("$ ") + (lines.first.map(String.init) ?? ""))
            for line in lines.dropFirst() { print("  " + prefix + "  " + line) }
            running = (Date(), host ?? "")
        case .commandOutput(_, let host, let stream, let line):
            let bar = stream == .stderr ? t.red("│") : t.dim("│")
            let prefix = host.map { t.dim("[\($0)] ") } ?? ""
            print("  " + prefix + bar + " " + line)
            if running != nil { running!.start = Date() }
        case .commandEnded(_, _, let host, _, let result):
            running = nil
            let prefix = host.map { t.dim("[\($0)] ") } ?? ""
            if result.timedOut {
                print("  " + prefix + t.red("⏱ timed out after \(TerminalRenderer.format(result.duration))"))
            } else if result.unreachable {
                print("  " + prefix + t.red("✗ unreachable"))
            } else if result.exitCode != 0 {
                print("  " + prefix + t.dim("exit \(result.exitCode) · \(TerminalRenderer.format(result.duration))"))
            }
            if result.stdoutTruncated || result.stderrTruncated {
                print("  " + prefix + t.dim("(output beyond \(result.stdout.utf8.count) bytes was shown but not kept)"))
            }
        case .finding(_, let message, let evidence, let host):
            print("  " + t.yellow("! ") + t.bold((host.map { "[\($0)] " } ?? "") + message))
            for line in evidence.split(separator: "\n", omittingEmptySubsequences: false).prefix(8) where !evidence.isEmpty {
                print("      " + t.dim("│ " + line))
            }
        case .branch(_, let description):
            print("  " + t.dim("↳ " + description))
        case .answer(_, let question, _, let choice, let source):
            print("  " + t.dim("? \(question) → \(choice) (\(source))"))
        case .message(_, let text):
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) { print("  " + line) }
        case .note(_, let text):
            print("  " + t.cyan("✎ note: ") + text)
        case .outcome(let step, let outcome, let remark):
            print("  " + t.cyan("✎ \(step) marked \(outcome)") + (remark.isEmpty ? "" : ": \(remark)"))
        case .variable:
            break
        case .concluded(let step, let message) where step.contains("/"):
            // A called runbook's own conclusion: the caller goes on or takes it as its own.
            print("  " + t.dim("↳ \(step.split(separator: "/").dropLast().joined(separator: "/")) concluded: ") + message)
        case .concluded(_, let message):
            print("")
            print(t.bold(t.green("■ Conclusion: ")) + t.bold(message))
        case .failed(let step, let message):
            print("")
            print(t.bold(t.red("✗ Failed")) + (step.map { t.dim(" in \($0)") } ?? "") + ": " + message)
        case .runEnded:
            break
        }
    }

    /// The end-of-run summary: steps, findings with evidence, conclusion, time, exit code.
    func summary(_ outcome: RunOutcome) {
        lock.lock()
        defer { lock.unlock() }
        let t = terminal
        print("")
        print(t.bold("── Summary " + String(repeating: "─", count: 40)))
        print("  steps run: \(outcome.stepsRun.count)" + (outcome.stepsRun.isEmpty ? "" : t.dim(" (\(TerminalRenderer.compact(outcome.stepsRun)))")))
        if outcome.findings.isEmpty {
            print("  findings:  " + t.green("none"))
        } else {
            print("  findings:  " + t.yellow("\(outcome.findings.count)"))
            for f in outcome.findings {
                print("    " + t.yellow("!") + " [\(f.stepID)\(f.host.map { " @ \($0)" } ?? "")] " + f.message)
                for line in f.evidence.split(separator: "\n", omittingEmptySubsequences: false).prefix(5) where !f.evidence.isEmpty {
                    print("        " + t.dim("│ " + line))
                }
            }
        }
        switch outcome.status {
        case .concluded(let c): print("  conclusion: " + t.bold(c))
        case .completed: print("  conclusion: " + t.dim("none (the runbook ran to its end)"))
        case .failed(let m), .usageError(let m): print("  failed:    " + t.red(m))
        case .aborted(let m): print("  aborted:   " + t.red(m))
        }
        print("  elapsed:   \(TerminalRenderer.format(outcome.duration)) · exit code \(outcome.exitCode)")
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
