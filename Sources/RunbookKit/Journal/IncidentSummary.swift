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
            var all = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
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
    }

    static let excerptLines = 20

    var rows: [Row] = []
    var evidence: [Evidence] = []
    var findings: [Finding] = []
    var conclusions: [(step: String, message: String)] = []
    var failures: [(step: String?, message: String)] = []
    var runEnd: (status: String, exitCode: Int, duration: Double)?
    var endTime: Date?

    init(_ journal: Journal) {
        let events = journal.events
        runEnd = journal.runEnd
        endTime = events.last?.time

        // Pass 1: which commands are evidence — those that failed and those a finding points
        // to (the step's last command before the finding, on the finding's host if possible).
        var evidenceIndex: [Int: String] = [:]      // event index of a command_end → "E<n>"
        var findingEvidence: [Int: Int] = [:]       // event index of a finding → its command's index
        var lastCommandInStep: [String: [Int]] = [:]
        var chosen = Set<Int>()
        for (index, event) in events.enumerated() {
            switch event.kind {
            case .commandEnded(let command):
                lastCommandInStep[command.step, default: []].append(index)
                if !command.succeeded { chosen.insert(index) }
            case .finding(let step, _, _, let host):
                let candidates = lastCommandInStep[step] ?? []
                let sameHost = candidates.last { i in
                    if case .commandEnded(let c) = events[i].kind { return c.host == host }
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
            guard case .commandEnded(let c) = events[index].kind else { continue }
            let id = "E\(evidence.count + 1)"
            evidenceIndex[index] = id
            evidence.append(Evidence(
                id: id, step: c.step, host: c.host, command: c.command, exitCode: c.exitCode,
                status: Self.status(of: c),
                stdout: Excerpt(c.stdout, maxLines: Self.excerptLines, cutInJournal: c.stdoutTruncated, totalBytes: c.stdoutBytes),
                stderr: Excerpt(c.stderr, maxLines: Self.excerptLines, cutInJournal: c.stderrTruncated, totalBytes: c.stderrBytes)))
        }

        // Pass 2: the timeline.
        var endedCommands = Set<Int>()
        for event in events {
            if case .commandEnded(let c) = event.kind { endedCommands.insert(c.id) }
        }
        for (index, event) in events.enumerated() {
            let step = event.step ?? ""
            func row(_ text: String, evidence: String? = nil, command: String? = nil) {
                rows.append(Row(time: event.time, step: step, kind: event.type, text: text,
                                evidence: evidence, command: command))
            }
            switch event.kind {
            case .stepStarted(_, let title, let host):
                row("Step started: \(title)" + (host.map { " (on \($0))" } ?? ""))
            case .stepEnded(_, let outcome, let duration):
                row("Step ended: \(outcome) after \(Self.duration(duration))")
            case .commandStarted(let id, _, let host, let command):
                // Shown only when no result was ever recorded (the run died during it).
                if !endedCommands.contains(id) {
                    row("Started on \(host ?? "localhost"); no result recorded", command: command)
                }
            case .commandEnded(let c):
                var text = "on \(c.host ?? "localhost"): \(Self.status(of: c)) in \(Self.duration(c.duration))"
                if let id = evidenceIndex[index] { text += " (evidence \(id))" }
                row(text, evidence: evidenceIndex[index], command: c.command)
            case .finding(let step, let message, let evidenceText, let host):
                var id = findingEvidence[index].flatMap { evidenceIndex[$0] }
                if id == nil, !evidenceText.isEmpty {
                    // No command to point at: the finding's own evidence becomes an entry.
                    id = "E\(evidence.count + 1)"
                    evidence.append(Evidence(
                        id: id!, step: step, host: host, command: "", exitCode: 0, status: "",
                        stdout: Excerpt(evidenceText, maxLines: Self.excerptLines, cutInJournal: false, totalBytes: evidenceText.utf8.count),
                        stderr: Excerpt("", maxLines: 0, cutInJournal: false, totalBytes: 0)))
                }
                findings.append(Finding(step: step, host: host, message: message, evidence: id))
                row("Finding: \(message)" + (id.map { " (evidence \($0))" } ?? ""), evidence: id)
            case .branch(_, let description):
                row("Branch: \(description)")
            case .answer(_, let question, _, let choice, let source):
                row("Asked “\(question)” → \(choice)" + (source.isEmpty ? "" : " (\(source))"))
            case .message(_, let text):
                row("Message: \(text)")
            case .note(_, let text):
                row("Note: \(text)")
            case .outcome(_, let outcome, let remark):
                row("Marked \(outcome)" + (remark.isEmpty ? "" : ": \(remark)"))
            case .variable:
                break   // captured values are for resuming, too noisy for a timeline
            case .conclusion(let step, let message):
                conclusions.append((step, message))
                row("Conclusion: \(message)")
            case .failure(let step, let message):
                failures.append((step, message))
                row("Failure: \(message)")
            case .runEnded(let status, let exitCode, let duration):
                row("Run ended: \(status) (exit \(exitCode)) after \(Self.duration(duration))")
            case .unknown(let type):
                row("(\(type) record)")
            }
        }
    }

    /// "exit 0", "exit 1", "timed out", "unreachable", "cancelled".
    static func status(of command: JournalCommand) -> String {
        if command.unreachable { return "host unreachable" }
        if command.timedOut { return "timed out" }
        if command.cancelled { return "cancelled" }
        return "exit \(command.exitCode)"
    }

    /// "0.042 s", "3.1 s", "2 min 5 s", "1 h 3 min".
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        if seconds < 1 { return String(format: "%.3f s", seconds) }
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        let whole = Int(seconds.rounded())
        if whole < 3600 { return "\(whole / 60) min \(whole % 60) s" }
        return "\(whole / 3600) h \(whole % 3600 / 60) min"
    }
}
