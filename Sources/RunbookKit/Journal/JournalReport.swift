import Foundation

/// The incident record of a run, for a postmortem or a ticket: who ran what where and when,
/// the timeline, the evidence, the findings and the conclusion. Secrets were already redacted
/// when the journal was written.
public enum JournalReport {
    /// Markdown (GitHub-flavoured tables and fenced code).
    public static func markdown(_ journal: Journal) -> String {
        let summary = IncidentSummary(journal)
        let header = journal.header
        var out = ""

        out += "# Incident record: \(ReportMarkdownText.inline(header.runbookTitle.isEmpty ? header.runbookPath : header.runbookTitle))\n\n"
        out += "- **Runbook:** \(ReportMarkdownText.code(header.runbookPath))"
        if !header.contentHash.isEmpty { out += " (content hash \(ReportMarkdownText.code(shortHash(header.contentHash))))" }
        if let commit = header.gitCommit, !commit.isEmpty { out += ", git commit \(ReportMarkdownText.code(commit))" }
        out += "\n"
        out += "- **Operator:** \(ReportMarkdownText.inline(header.user)) on \(ReportMarkdownText.inline(header.host))\n"
        out += "- **Started:** \(dateTime(header.startTime)) UTC\n"
        if let end = summary.runEnd {
            let endTime = summary.endTime.map { dateTime($0) + " UTC, " } ?? ""
            out += "- **Ended:** \(endTime)after \(IncidentSummary.duration(end.duration)): **\(end.status.rawValue)** (exit \(end.exitCode))\n"
            out += "- **Severity:** \(IncidentSummary.label(end.severity)) (\(end.severity.rawValue))\n"
        } else {
            let last = summary.endTime.map { " (last event at \(dateTime($0)) UTC)" } ?? ""
            out += "- **Ended:** the run did not finish\(last)\n"
        }
        out += "- **Mode:** \(header.mode.rawValue), runbook \(ReportMarkdownText.inline(header.toolVersion))\n"
        let targets = header.plan.targets
        if !targets.hosts.isEmpty {
            out += "- **Targets:** \(targets.hosts.map(ReportMarkdownText.inline).joined(separator: ", "))"
            if let inventory = targets.inventory { out += " (inventory \(ReportMarkdownText.code(inventory))\(targets.group.map { ", group " + ReportMarkdownText.inline($0) } ?? ""))" }
            out += "\n"
        }
        if header.plan.assumeYes { out += "- **Confirmations:** accepted in advance with `--yes`\n" }
        if let snapshot = header.plan.snapshot {
            // A replay is evidence of the past, never of the cluster as it is now: say so first.
            out += "- **Cluster:** run against a snapshot taken at \(ReportMarkdownText.inline(snapshot.takenAt)) "
                + "of \(ReportMarkdownText.inline(snapshot.cluster)), not the live cluster: "
                + "\(ReportMarkdownText.code(snapshot.path)) (\(ReportMarkdownText.code(shortHash(snapshot.sha256))))\n"
        }
        if let path = journal.path { out += "- **Journal:** \(ReportMarkdownText.code(path))\n" }
        if let conclusion = summary.conclusions.last {
            let verdict = summary.severity.map { IncidentSummary.label($0) + " — " } ?? ""
            out += "\n**Diagnosis:** \(verdict)\(ReportMarkdownText.inline(conclusion.message))\n"
        } else if let end = summary.runEnd, end.status != .ended {
            // No conclusion: say what the run found out all the same.
            let why: String
            switch end.status {
            case .failed: why = summary.failures.last.map { "the run failed: " + ReportMarkdownText.inline($0.message) } ?? "the run failed"
            case .aborted: why = "the run was aborted"
            case .unreachable: why = "the host could not be reached"
            default: why = "the runbook ended without a conclusion"
            }
            out += "\n**Diagnosis:** \(IncidentSummary.label(end.severity)) — \(why)\n"
        }
        if journal.truncatedLastLine {
            out += "\n> **Note:** the journal ends in the middle of a line: the run was interrupted while writing. Everything up to that point is shown.\n"
        }

        out += "\n## Parameters\n\n"
        if header.parameters.isEmpty {
            out += "None.\n"
        } else {
            out += "| Name | Value |\n|---|---|\n"
            for name in header.parameters.keys.sorted() {
                out += "| \(ReportMarkdownText.cell(ReportMarkdownText.inline(name))) | \(ReportMarkdownText.cell(ReportMarkdownText.code(header.parameters[name]!))) |\n"
            }
        }

        var scripts: [String] = []
        func scriptID(_ script: String) -> String { "S\((scripts.firstIndex(of: script) ?? scripts.count) + 1)" }
        out += "\n## Timeline\n\n"
        if summary.rows.isEmpty {
            out += "No events were recorded.\n"
        } else {
            out += "| Time (UTC) | Step | What happened |\n|---|---|---|\n"
            for row in summary.rows {
                var what = ""
                if let command = row.command {
                    what = ReportMarkdownText.code("$ " + ReportMarkdownText.firstLine(command)) + " "
                    if command.contains("\n") {
                        // The whole script is quoted below: a destructive line in the middle
                        // of a `$ |` block must not hide behind its first line.
                        if !scripts.contains(command) { scripts.append(command) }
                        what += "(script \(scriptID(command)), \(command.split(separator: "\n").count) lines) "
                    }
                }
                what += row.kind == "finding" || row.kind == "conclusion" || row.kind == "failure"
                    ? "**\(ReportMarkdownText.inline(row.text))**" : ReportMarkdownText.inline(row.text)
                out += "| \(clock(row.time, day: header.startTime)) | \(ReportMarkdownText.cell(ReportMarkdownText.inline(row.step))) | \(ReportMarkdownText.cell(what)) |\n"
            }
        }

        if !scripts.isEmpty {
            out += "\n## Scripts\n\n"
            for script in scripts {
                out += "### \(scriptID(script))\n\n" + ReportMarkdownText.block(
                    script.split(separator: "\n", omittingEmptySubsequences: false).map { VisibleText.forReport(String($0)) },
                    language: "sh") + "\n"
            }
        }

        out += "\n## Evidence\n\n"
        if summary.evidence.isEmpty {
            out += "No command failed and no finding was recorded.\n\n"
        }
        for item in summary.evidence {
            var title = "### \(item.id): step \(ReportMarkdownText.code(item.step))"
            if !item.command.isEmpty { title += ", \(ReportMarkdownText.code("$ " + ReportMarkdownText.firstLine(item.command)))" }
            title += " on \(ReportMarkdownText.inline(item.host ?? "localhost"))"
            if !item.status.isEmpty { title += " (\(item.status))" }
            out += title + "\n\n"
            if item.command.contains("\n") {
                out += "Command:\n\n" + ReportMarkdownText.block(item.command.split(separator: "\n", omittingEmptySubsequences: false).map(String.init), language: "sh") + "\n"
            }
            let streams = [("stdout", item.stdout), ("stderr", item.stderr)].filter { !$0.1.isEmpty }
            if streams.isEmpty { out += "No output.\n\n" }
            for (name, excerpt) in streams {
                var lines = excerpt.head
                if excerpt.omittedLines > 0 {
                    lines.append("… \(excerpt.omittedLines) more line\(excerpt.omittedLines == 1 ? "" : "s") …")
                }
                lines += excerpt.tail
                out += excerptHeading(name, excerpt) + "\n\n" + ReportMarkdownText.block(lines) + "\n"
            }
        }

        out += "## Findings\n\n"
        if summary.findings.isEmpty {
            out += "None.\n"
        }
        for (number, finding) in summary.findings.enumerated() {
            var line = "\(number + 1). **\(ReportMarkdownText.inline(finding.message))** (\(finding.severity.rawValue), step \(ReportMarkdownText.code(finding.step))"
            if let host = finding.host { line += " on \(ReportMarkdownText.inline(host))" }
            if let id = finding.evidence { line += ", evidence \(id)" }
            out += line + ")\n"
        }

        out += "\n## Conclusion\n\n"
        if summary.conclusions.isEmpty && summary.failures.isEmpty {
            if let end = summary.runEnd {
                out += "No conclusion was reached; the run \(end.status == .ended ? "was left by the operator" : "ended **\(end.status.rawValue)**") (exit \(end.exitCode)).\n"
            } else {
                out += "No conclusion was reached; the journal ends before the run did.\n"
            }
        }
        for conclusion in summary.conclusions {
            out += "\(ReportMarkdownText.inline(conclusion.message)) (step \(ReportMarkdownText.code(conclusion.step)))\n"
        }
        for failure in summary.failures {
            out += "**Failed:** \(ReportMarkdownText.inline(failure.message))"
            if let step = failure.step { out += " (step \(ReportMarkdownText.code(step)))" }
            out += "\n"
        }
        return out
    }

    // MARK: Formatting helpers shared by both formats

    static func dateTime(_ date: Date) -> String {
        let iso = JournalTime.iso8601(date)   // 2024-05-01T03:15:09.042Z
        return String(iso.prefix(10)) + " " + String(iso.dropFirst(11).prefix(8))
    }

    /// "03:15:09", with the date in front when it differs from the run's first day.
    static func clock(_ date: Date, day: Date) -> String {
        let iso = JournalTime.iso8601(date)
        let time = String(iso.dropFirst(11).prefix(8))
        return iso.prefix(10) == JournalTime.iso8601(day).prefix(10) ? time : String(iso.prefix(10)) + " " + time
    }

    static func shortHash(_ hash: String) -> String {
        hash.count > 16 ? String(hash.prefix(16)) + "…" : hash
    }

    private static func excerptHeading(_ stream: String, _ excerpt: IncidentSummary.Excerpt) -> String {
        var notes: [String] = []
        if excerpt.omittedLines > 0 {
            notes.append("first \(excerpt.head.count) and last \(excerpt.tail.count) lines")
        }
        if excerpt.cutInJournal {
            notes.append("the journal kept only the first part of \(excerpt.totalBytes) bytes")
        }
        return stream + (notes.isEmpty ? "" : " (" + notes.joined(separator: "; ") + ")") + ":"
    }
}
