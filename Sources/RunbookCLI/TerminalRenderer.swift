import Foundation
import RunbookKit

/// How much of a run the terminal shows (`--quiet`, the default, `--verbose`).
enum OutputLevel: Sendable {
    /// Findings, conclusions, failures and the summary.
    case quiet
    /// Steps, commands with long output folded, one line per `foreach`.
    case normal
    /// Every output line and every branch.
    case verbose
}

/// Shows a run as it happens: steps, commands with their output, findings, and a summary.
/// On a terminal a command that runs for more than a second shows a progress line (elapsed
/// time, lines so far) until it ends. Events arrive with secrets already masked (the run
/// session masks every event once).
///
/// At the default level a command's output is folded: its first lines are shown as they
/// come, then only the last few are kept and shown when it ends, with the count of the
/// lines in between; output the runbook only parses (`-o json`, `-o yaml`, `-o jsonpath=…`)
/// is not shown, only its size. The branches taken inside a `foreach` are counted and shown
/// as one line when the loop ends.
final class TerminalRenderer: RunObserver {
    let terminal: Terminal
    let level: OutputLevel
    /// Output lines shown as they arrive before the fold holds the rest back.
    static let headLines = 5
    /// Findings the summary repeats (all of them with --verbose).
    static let summaryFindings = 10
    /// Output lines kept (and shown when the command ends) after the fold.
    static let tailLines = 5
    /// Different branch descriptions a loop's summary counts one by one; the rest are "other".
    static let loopBranchKinds = 8
    /// Findings of one loop shown as they happen at the default level; the rest are counted
    /// and shown as one line when the loop ends (a loop over 100,000 pods found 188: 376
    /// lines before this cap, 21 with it). The journal and `--verbose` keep every one.
    static let loopFindings = 10
    /// Masks what the renderer prints that did not come in an event (the summary's findings).
    var redactor = SecretRedactor(secrets: [])
    /// Whether the run's header (title, parameters) is printed when the run starts.
    var showsHeader = true
    private let simulated: Bool
    private let lock = Mutex()
    /// Commands running now, by id: when each started and how many lines it printed.
    private var running: [Int: (start: Date, lines: Int)] = [:]
    /// What is held back of each running command's output (default level).
    private var folds: [Int: OutputFold] = [:]
    /// Open `foreach` loops, and the branches counted since the outermost one started.
    private var loopDepth = 0
    private var loopTally = LoopTally()
    /// Findings shown and held back since the outermost open loop started (default level).
    private var loopFindingsShown = 0
    private var loopFindingsHeld = 0
    /// Whether any finding of the run was held back, so the summary does not claim that all
    /// were shown above.
    private var anyFindingHeld = false
    /// The top-level runbook's name, first in the chain shown with a called runbook's conclusion.
    private var runbookName: String?
    private var statusLineShown = false
    private var ticker: Thread?
    private var stopped = false
    /// Where finished lines go: stdout, or a buffer when several hosts run at once.
    private let sink: (String) -> Void

    init(terminal: Terminal, level: OutputLevel = .normal, simulated: Bool = false, sink: ((String) -> Void)? = nil) {
        self.terminal = terminal
        self.level = level
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
        if level == .quiet {
            // Only findings, conclusions and failures; the progress line still counts.
            switch event {
            case .commandStarted(let start): running[start.id] = (Date(), 0); return
            case .commandOutput(let output): running[output.id]?.lines += 1; return
            case .commandEnded(let end): running[end.id] = nil; return
            case .stepStarted, .stepEnded, .branch, .decision, .message, .note, .mark: return
            default: break
            }
        }
        switch event {
        case .runStarted(let header):
            runbookName = TerminalRenderer.runbookName(header.runbookPath)
            guard showsHeader, level != .quiet else { break }
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
            running[start.id] = (Date(), 0)
            if level == .normal { folds[start.id] = OutputFold(parsedOnly: TerminalRenderer.parsesOutput(start.script)) }
        case .commandOutput(let output):
            running[output.id]?.lines += 1
            // Lines held back by the fold are formatted only if they are shown: a command can
            // print a gigabyte, and making every line visible cost 30 times the rest.
            if folds[output.id] == nil || folds[output.id]!.take(output) { print(shown(output)) }
        case .commandEnded(let end):
            running[end.id] = nil
            let result = end.result
            let prefix = end.host.map { t.dim("[\($0)] ") } ?? ""
            if let fold = folds.removeValue(forKey: end.id) {
                if fold.hidden > 0 {
                    print("  " + prefix + t.dim("… \(TerminalRenderer.count(fold.hidden)) more line\(fold.hidden == 1 ? "" : "s") (the journal keeps the start; --verbose shows all)"))
                }
                for line in fold.tail { print(shown(line)) }
                if fold.parsedOnly {
                    let size = fold.stdoutLines == 0 ? "no output" : "\(TerminalRenderer.count(fold.stdoutLines)) line\(fold.stdoutLines == 1 ? "" : "s"), \(TerminalRenderer.bytes(result.stdoutBytes))"
                    print("  " + prefix + t.dim("(\(size) parsed, not shown; --verbose shows it)"))
                }
            }
            if result.timedOut {
                print("  " + prefix + t.red("⏱ timed out after \(TerminalRenderer.format(result.duration))"))
            } else if result.unreachable {
                print("  " + prefix + t.red("✗ unreachable"))
            } else if result.exitCode != 0 {
                print("  " + prefix + t.dim("exit \(result.exitCode) · \(TerminalRenderer.format(result.duration))"))
            }
            if end.stdoutCut || end.stderrCut {
                print("  " + prefix + t.dim("(output beyond \(result.stdoutText.byteCount) bytes was shown but not kept)"))
            }
        case .finding(let finding):
            if level == .normal && loopDepth > 0 {
                guard loopFindingsShown < TerminalRenderer.loopFindings else {
                    loopFindingsHeld += 1
                    anyFindingHeld = true
                    break
                }
                loopFindingsShown += 1
            }
            let mark = finding.severity == .warning ? t.yellow("~ warning: ") : t.yellow("! ")
            // Without the step lines, say where it was found.
            let place = level == .quiet ? t.dim("[\(finding.path.stepDescription)] ") : ""
            print("  " + mark + place + t.bold((finding.host.map { "[\($0)] " } ?? "") + finding.message))
            let evidence = finding.evidence
            for line in evidence.split(separator: "\n", omittingEmptySubsequences: false).prefix(8) where !evidence.isEmpty {
                print("      " + t.dim("│ " + VisibleText.forTerminal(String(line))))
            }
        case .branch(let branch):
            self.branch(branch)
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
        case .variable, .cursor:
            break
        case .targetEnded, .runEnded:
            loopDepth = 0
            loopTally = LoopTally()
            loopFindingsShown = 0
            loopFindingsHeld = 0
        case .concluded(let c) where !c.path.isTopLevel:
            // A called runbook's own conclusion, with the chain of runbooks that reached it;
            // the caller goes on or takes it as its own.
            let chain = ([runbookName].compactMap { $0 } + c.path.calls).joined(separator: " → ")
            print("  " + TerminalRenderer.color(c.severity, t)("■ \(chain): \(c.severity.label): ") + c.message)
        case .concluded(let c):
            print("")
            let color = TerminalRenderer.color(c.severity, t)
            print(t.bold(color("■ \(c.severity.label): ")) + t.bold(c.message))
        case .failed(let f):
            print("")
            print(t.bold(t.red("✗ Failed")) + (f.path.map { t.dim(" in \($0.stepDescription)") } ?? "") + ": " + f.message)
        }
    }

    /// A branch, or a loop's start or end. At the default level the branches inside a loop
    /// (and the loops inside it) are counted and shown as one line when the outermost ends.
    private func branch(_ branch: BranchTaken) {
        let t = terminal
        guard let loop = branch.loop else {
            if level == .normal && loopDepth > 0 {
                loopTally.count(branch.description)
            } else {
                print("  " + t.dim("↳ " + branch.description))
            }
            return
        }
        switch loop {
        case .start:
            loopDepth += 1
        case .end(let header, let count):
            loopDepth = max(0, loopDepth - 1)
            guard loopDepth == 0, level == .normal else { break }
            if loopFindingsHeld > 0 {
                let more = loopFindingsHeld
                print("  " + t.yellow("… and \(TerminalRenderer.count(more)) more finding\(more == 1 ? "" : "s") in this loop") + t.dim(" (`runbook report JOURNAL` lists them all; --verbose shows them)"))
            }
            loopFindingsShown = 0
            loopFindingsHeld = 0
            // Verbose showed every branch; a loop that took none has nothing to sum up.
            guard !loopTally.isEmpty else { break }
            let iterations = "\(TerminalRenderer.count(count)) iteration\(count == 1 ? "" : "s")"
            print("  " + t.dim("↳ \(header): \(iterations); branch taken: " + loopTally.text))
            loopTally = LoopTally()
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
            // Each finding was shown as it happened; the summary repeats the first few, so that
            // a run with hundreds of findings (a loop over a big cluster) stays readable.
            let shownFindings = level == .verbose ? outcome.findings.count : TerminalRenderer.summaryFindings
            for f in outcome.findings.prefix(shownFindings) {
                print("    " + t.yellow(f.severity == .warning ? "~" : "!") + " [\(f.path.stepDescription)\(f.host.map { " @ \($0)" } ?? "")] " + f.message)
                for line in f.evidence.split(separator: "\n", omittingEmptySubsequences: false).prefix(5) where !f.evidence.isEmpty {
                    print("        " + t.dim("│ " + VisibleText.forTerminal(String(line))))
                }
            }
            if outcome.findings.count > shownFindings {
                let whereShown = anyFindingHeld ? "" : "shown above as they were found; "
                print("    " + t.dim("… \(outcome.findings.count - shownFindings) more (\(whereShown)`runbook report JOURNAL` lists them all)"))
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

    static func color(_ severity: ConclusionSeverity, _ t: Terminal) -> (String) -> String {
        switch severity {
        case .ok, .unstated: return t.green
        case .problem: return t.red
        case .unknown: return t.yellow
        }
    }

    /// "cluster-triage" for "runbooks/cluster-triage.runbook".
    static func runbookName(_ path: String) -> String {
        let file = path.split(separator: "/").last.map(String.init) ?? path
        return file.hasSuffix(".runbook") ? String(file.dropLast(".runbook".count)) : file
    }

    /// Whether a command's output is only there to be parsed: the command asks for a machine
    /// format (`-o json`, `-o yaml`, `-o jsonpath=…`, `--output=json`, `-ojson`).
    static func parsesOutput(_ script: String) -> Bool {
        let words = script.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
        let formats = ["json", "yaml", "jsonpath", "go-template"]
        for (i, word) in words.enumerated() {
            var value: Substring
            if word == "-o" || word == "--output" {
                guard i + 1 < words.count else { continue }
                value = Substring(words[i + 1])
            } else if word.hasPrefix("--output=") {
                value = word.dropFirst("--output=".count)
            } else if word.hasPrefix("-o") && !word.hasPrefix("--") {
                value = word.dropFirst(2)
                if value.hasPrefix("=") { value = value.dropFirst() }
            } else {
                continue
            }
            while let first = value.first, first == "'" || first == "\"" { value = value.dropFirst() }
            if formats.contains(where: { value.hasPrefix($0) }) { return true }
        }
        return false
    }

    /// "10,012".
    static func count(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// "812 bytes", "41.2 KB", "3.5 MB".
    static func bytes(_ n: Int) -> String {
        if n < 1000 { return "\(n) byte\(n == 1 ? "" : "s")" }
        if n < 1_000_000 { return String(format: "%.1f KB", Double(n) / 1000) }
        return String(format: "%.1f MB", Double(n) / 1_000_000)
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
                if let oldest = self.running.values.min(by: { $0.start < $1.start }) {
                    let elapsed = Date().timeIntervalSince(oldest.start)
                    if elapsed >= 1 {
                        let lines = self.running.values.reduce(0) { $0 + $1.lines }
                        let others = self.running.count > 1 ? " (\(self.running.count) commands)" : ""
                        Output.out("\r\u{1B}[2K  " + self.terminal.dim("… running \(Int(elapsed)) s, \(TerminalRenderer.count(lines)) line\(lines == 1 ? "" : "s") so far" + others))
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

/// One command's output at the default level: the first lines pass, then only the last few
/// are kept (memory stays bounded however long the output) and the rest are counted.
extension TerminalRenderer {
    /// An output line as the terminal shows it: labelled with its host, escape sequences from
    /// the command (cursor moves, clipboard writes) shown, not obeyed.
    func shown(_ output: CommandOutputLine) -> String {
        let t = terminal
        let bar = output.stream == .stderr ? t.red("│") : t.dim("│")
        let prefix = output.host.map { t.dim("[\($0)] ") } ?? ""
        return "  " + prefix + bar + " " + VisibleText.forTerminal(output.line)
    }
}

struct OutputFold {
    /// Stdout is only parsed: it is counted, not shown (stderr is folded as usual).
    let parsedOnly: Bool
    private(set) var shown = 0
    private(set) var stdoutLines = 0
    /// The last lines held back, shown when the command ends.
    private(set) var tail: [CommandOutputLine] = []
    /// Lines held back and no longer kept.
    private(set) var hidden = 0

    init(parsedOnly: Bool) { self.parsedOnly = parsedOnly }

    /// Whether to show the line now (false: it is held back).
    mutating func take(_ line: CommandOutputLine) -> Bool {
        if line.stream == .stdout {
            stdoutLines += 1
            if parsedOnly { return false }
        }
        if shown < TerminalRenderer.headLines {
            shown += 1
            return true
        }
        tail.append(line)
        if tail.count > TerminalRenderer.tailLines {
            tail.removeFirst()
            hidden += 1
        }
        return false
    }
}

/// The branches taken inside a loop, counted by description (a bounded number of them).
struct LoopTally {
    private var order: [String] = []
    private var counts: [String: Int] = [:]
    private var other = 0

    var isEmpty: Bool { order.isEmpty }

    mutating func count(_ description: String) {
        if counts[description] != nil {
            counts[description]! += 1
        } else if order.count < TerminalRenderer.loopBranchKinds {
            order.append(description)
            counts[description] = 1
        } else {
            other += 1
        }
    }

    /// "if p.STATUS == \"Pending\" → true 3×, else 10,013×"; empty when none was taken.
    var text: String {
        var parts = order.map { "\($0) \(TerminalRenderer.count(counts[$0]!))×" }
        if other > 0 { parts.append("other \(TerminalRenderer.count(other))×") }
        return parts.joined(separator: ", ")
    }
}
