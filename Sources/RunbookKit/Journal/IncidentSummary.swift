import Foundation

/// What a postmortem needs from a journal, worked out once for both report formats: a
/// timeline, the evidence worth quoting, the findings and how the run ended.
struct IncidentSummary {
    struct Row {
        var time: Date
        var step: String
        /// The event's journal type ("command_end", "finding", …).
        var kind: String
        var text: String
        /// A command or finding's evidence, e.g. "E1".
        var evidence: String?
        /// The command text for command rows (shown as code in Markdown).
        var command: String?
    }

    struct Evidence {
        var id: String
        var step: String
        var host: String?
        var command: String
        var exitCode: Int
        var status: String
        var stdout: Excerpt
        var stderr: Excerpt
    }

    /// An output shortened for quoting: its first and last lines. The end matters as much
    /// as the start (the fatal error is usually the last thing a process prints).
    struct Excerpt {
        var head: [String]
        var tail: [String]
        /// Lines between `head` and `tail` left out.
        var omittedLines: Int
        /// The journal itself only kept the start of the output.
        var cutInJournal: Bool
        /// Bytes the command printed on this stream.
        var totalBytes: Int

        var isEmpty: Bool { head.isEmpty && tail.isEmpty }

        init(_ text: String, maxLines: Int, cutInJournal: Bool, totalBytes: Int) {
            // Control characters from command output never reach a report.
            var all = text.split(separator: "\n", omittingEmptySubsequences: false).map { VisibleText.forReport(String($0)) }
            if all.last == "" { all.removeLast() }
            if all.count <= maxLines {
                head = all
                tail = []
                omittedLines = 0
            } else {
                head = Array(all.prefix(maxLines / 2))
                tail = Array(all.suffix(maxLines - maxLines / 2))
                omittedLines = all.count - head.count - tail.count
            }
            self.cutInJournal = cutInJournal
            self.totalBytes = totalBytes
        }
    }

    struct Finding {
        var step: String
        var host: String?
        var message: String
        var evidence: String?
        /// Failing (a problem) or a warning (shown, changes no exit code).
        var severity: FindingSeverity
    }

    struct Concluded {
        var step: String
        var message: String
        var severity: ConclusionSeverity
    }

    static let excerptLines = 20

    var rows: [Row] = []
    var evidence: [Evidence] = []
    var findings: [Finding] = []
    var conclusions: [Concluded] = []
    var failures: [(step: String?, message: String)] = []
    var decisions: [Decision] = []
    var runEnd: RunEnd?
    var endTime: Date?

    init(_ journal: Journal) {
        let entries = journal.entries
        runEnd = journal.runEnd
        endTime = entries.last?.time

        // Pass 1: which commands are evidence — those that failed and those a finding points
        // to (the step's last command before the finding, on the finding's host if possible).
        var evidenceIndex: [Int: String] = [:]      // entry index of a command_end → "E<n>"
        var findingEvidence: [Int: Int] = [:]       // entry index of a finding → its command's index
        var lastCommandInStep: [StepPath: [Int]] = [:]
        var chosen = Set<Int>()
        for (index, entry) in entries.enumerated() {
            switch entry.event {
            case .commandEnded(let command):
                lastCommandInStep[command.path, default: []].append(index)
                if !Self.succeeded(command) { chosen.insert(index) }
            case .finding(let finding):
                let candidates = lastCommandInStep[finding.path] ?? []
                let sameHost = candidates.last { i in
                    if case .commandEnded(let c) = entries[i].event { return c.host == finding.host }
                    return false
                }
                if let target = sameHost ?? candidates.last {
                    findingEvidence[index] = target
                    chosen.insert(target)
                }
            default:
                break
            }
        }
        for index in chosen.sorted() {
            guard case .commandEnded(let c) = entries[index].event else { continue }
            let id = "E\(evidence.count + 1)"
            evidenceIndex[index] = id
            evidence.append(Evidence(
                id: id, step: c.path.description, host: c.host, command: c.script, exitCode: Int(c.result.exitCode),
                status: Self.status(of: c),
                stdout: Excerpt(c.result.stdout, maxLines: Self.excerptLines, cutInJournal: c.stdoutCut, totalBytes: c.result.stdoutBytes),
                stderr: Excerpt(c.result.stderr, maxLines: Self.excerptLines, cutInJournal: c.stderrCut, totalBytes: c.result.stderrBytes)))
        }

        // Pass 2: the timeline.
        // Command ids start again in a resumed part of the run: count ends per part.
        var endedCommands = Set<[Int]>()
        var part = 0
        for entry in entries {
            if case .resumed = entry.event { part += 1 }
            if case .commandEnded(let c) = entry.event { endedCommands.insert([part, c.id]) }
        }
        part = 0
        for (index, entry) in entries.enumerated() {
            let step = entry.event.path?.description ?? ""
            func row(_ text: String, evidence: String? = nil, command: String? = nil) {
                rows.append(Row(time: entry.time, step: step, kind: entry.type ?? "", text: text,
                                evidence: evidence, command: command))
            }
            switch entry.event {
            case .runStarted, .commandOutput:
                break
            case .resumed(let r):
                part += 1
                let at = r.positions.sorted { $0.key < $1.key }.map { $0.key.isEmpty ? $0.value : "\($0.key): \($0.value)" }
                row("Resumed by \(r.user)" + (at.isEmpty ? "" : " at " + at.joined(separator: ", "))
                    + (r.notRestored.isEmpty ? "" : "; not restored: " + r.notRestored.joined(separator: "; ")))
            case .stepStarted(let s):
                row("Step started: \(s.title)" + (s.host.map { " (on \($0))" } ?? ""))
            case .stepEnded(let e):
                row("Step ended: \(e.outcome.rawValue) after \(Self.duration(e.duration))")
            case .commandStarted(let c):
                // Shown only when no result was ever recorded (the run died during it).
                if !endedCommands.contains([part, c.id]) {
                    row("Started on \(c.host ?? "localhost"); no result recorded", command: c.script)
                }
            case .commandEnded(let c):
                var text = "on \(c.host ?? "localhost"): \(Self.status(of: c)) in \(Self.duration(c.result.duration))"
                if let id = evidenceIndex[index] { text += " (evidence \(id))" }
                row(text, evidence: evidenceIndex[index], command: c.script)
            case .finding(let f):
                var id = findingEvidence[index].flatMap { evidenceIndex[$0] }
                if id == nil, !f.evidence.isEmpty {
                    // No command to point at: the finding's own evidence becomes an entry.
                    id = "E\(evidence.count + 1)"
                    evidence.append(Evidence(
                        id: id!, step: f.path.description, host: f.host, command: "", exitCode: 0, status: "",
                        stdout: Excerpt(f.evidence, maxLines: Self.excerptLines, cutInJournal: false, totalBytes: f.evidence.utf8.count),
                        stderr: Excerpt("", maxLines: 0, cutInJournal: false, totalBytes: 0)))
                }
                findings.append(Finding(step: f.path.description, host: f.host, message: f.message, evidence: id,
                                        severity: f.severity))
                row((f.severity == .warning ? "Warning: " : "Finding: ") + f.message + (id.map { " (evidence \($0))" } ?? ""), evidence: id)
            case .branch(let b):
                row("Branch: \(b.description)")
            case .decision(let d):
                decisions.append(d)
                row(Self.describe(d))
            case .message(let m):
                row("Message: \(m.text)")
            case .note(let n):
                row("Note: \(n.text)")
            case .mark(let m):
                row("Marked \(m.outcome)" + (m.remark.isEmpty ? "" : ": \(m.remark)"))
            case .variable, .cursor:
                break   // values and cursor moves are for resuming, too noisy for a timeline
            case .concluded(let c):
                conclusions.append(Concluded(step: c.path.description, message: c.message, severity: c.severity))
                row("\(c.severity.label): \(c.message)")
            case .failed(let f):
                failures.append((f.path?.description, f.message))
                row("Failure: \(f.message)")
            case .targetEnded(let t):
                if let target = t.target {
                    row("\(target) ended: \(t.status.rawValue), \(Self.label(t.severity).lowercased()) (exit \(t.exitCode))" + (t.reason.map { ": \($0)" } ?? ""))
                }
            case .runEnded(let end):
                row("Run ended: \(end.status.rawValue), \(Self.label(end.severity).lowercased()) (exit \(end.exitCode)) after \(Self.duration(end.duration))")
            }
        }
    }

    /// What the run found out: the run's own record when it ended; otherwise what its last
    /// conclusion and its findings say so far (nil when they say nothing yet).
    var severity: Severity? {
        if let runEnd { return runEnd.severity }
        if findings.contains(where: { $0.severity == .failing }) { return .problem }
        switch conclusions.last?.severity {
        case .problem: return .problem
        case .unknown: return .unknown
        case .ok, .unstated: return .ok
        case nil: return failures.isEmpty ? nil : .unknown
        }
    }

    /// "Healthy", "Problem", "Could not tell".
    static func label(_ severity: Severity) -> String {
        switch severity {
        case .ok: return "Healthy"
        case .problem: return "Problem"
        case .unknown: return "Could not tell"
        }
    }

    /// "Confirmed “Restart the kubelet?” → yes (operator)", "Asked “…” → no (--answer)".
    static func describe(_ d: Decision) -> String {
        let source: String
        switch d.source {
        case .operator: source = "by the operator"
        case .assumeYes: source = "by --yes"
        case .answerOption: source = "answered in advance"
        case .nobody: source = "nobody could answer"
        }
        switch d.kind {
        case .confirm:
            let verdict = d.answer == "yes" ? "accepted" : (d.answer == "no" ? "declined" : "not answered")
            return "Confirmation “\(d.prompt)” \(verdict) (\(source))"
        case .ask:
            return "Asked “\(d.prompt)” → \(d.answer ?? "no answer") (\(source))"
        case .set:
            return "Operator set \(d.id ?? "?") = \(d.answer ?? "")"
        }
    }

    static func succeeded(_ c: CommandEnd) -> Bool {
        c.result.exitCode == 0 && !c.result.timedOut && !c.result.cancelled && !c.result.unreachable
    }

    /// "exit 0", "exit 1", "timed out", "unreachable", "cancelled".
    static func status(of command: CommandEnd) -> String {
        if command.result.unreachable { return "host unreachable" }
        if command.result.timedOut { return "timed out" }
        if command.result.cancelled { return "cancelled" }
        return "exit \(command.result.exitCode)"
    }

    /// "0.042 s", "3.1 s", "2 min 5 s", "1 h 3 min".
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        if seconds < 1 { return String(format: "%.3f s", seconds) }
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        guard let whole = Int(exactly: seconds.rounded()) else { return "?" }
        if whole < 3600 { return "\(whole / 60) min \(whole % 60) s" }
        return "\(whole / 3600) h \(whole % 3600 / 60) min"
    }
}
