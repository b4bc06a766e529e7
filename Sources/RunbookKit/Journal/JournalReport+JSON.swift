import Foundation

extension JournalReport {
    /// The same record as `markdown`, as one JSON document for tools (ticket systems, chat
    /// bots). Times are ISO-8601 UTC strings, durations seconds.
    public static func json(_ journal: Journal) -> String {
        let summary = IncidentSummary(journal)
        let header = journal.header
        var report: [String: Any] = [
            "title": header.runbookTitle,
            "runbook": header.runbookPath,
            "content_hash": header.contentHash,
            "git_commit": header.gitCommit as Any? ?? NSNull(),
            "user": header.user,
            "host": header.host,
            "start": JournalTime.iso8601(header.startTime),
            "mode": header.mode.rawValue,
            "targets": header.plan.targets.hosts,
            "tool_version": header.toolVersion,
            "parameters": header.parameters,
            "journal_truncated": journal.truncatedLastLine,
        ]
        if let path = journal.path { report["journal"] = path }
        if let snapshot = header.plan.snapshot {
            report["snapshot"] = ["path": snapshot.path, "sha256": snapshot.sha256, "taken_at": snapshot.takenAt,
                                  "cluster": snapshot.cluster]
        }
        if let end = summary.runEnd {
            report["status"] = end.status.rawValue
            report["exit_code"] = end.exitCode
            report["severity"] = end.severity.rawValue
            report["duration"] = end.duration
        } else {
            report["status"] = NSNull()
            // Not ended: what the conclusion and findings say so far, if anything.
            report["severity"] = summary.severity?.rawValue as Any? ?? NSNull()
        }
        if let endTime = summary.endTime { report["end"] = JournalTime.iso8601(endTime) }

        report["timeline"] = summary.rows.map { row -> [String: Any] in
            var item: [String: Any] = ["time": JournalTime.iso8601(row.time), "step": row.step,
                                       "type": row.kind, "text": row.text]
            if let command = row.command { item["command"] = command }
            if let evidence = row.evidence { item["evidence"] = evidence }
            return item
        }
        report["evidence"] = summary.evidence.map { item -> [String: Any] in
            var entry: [String: Any] = ["id": item.id, "step": item.step, "host": item.host as Any? ?? NSNull()]
            if !item.command.isEmpty {
                entry["command"] = item.command
                entry["exit_code"] = item.exitCode
                entry["status"] = item.status
            }
            for (name, excerpt) in [("stdout", item.stdout), ("stderr", item.stderr)] where !excerpt.isEmpty {
                entry[name] = ["first_lines": excerpt.head, "last_lines": excerpt.tail,
                               "omitted_lines": excerpt.omittedLines,
                               "truncated_in_journal": excerpt.cutInJournal, "bytes": excerpt.totalBytes]
            }
            return entry
        }
        report["findings"] = summary.findings.map { finding -> [String: Any] in
            ["step": finding.step, "host": finding.host as Any? ?? NSNull(), "message": finding.message,
             "evidence": finding.evidence as Any? ?? NSNull(), "severity": finding.severity.rawValue]
        }
        report["decisions"] = summary.decisions.map { d -> [String: Any] in
            ["kind": d.kind.rawValue, "prompt": d.prompt, "answer": d.answer as Any? ?? NSNull(),
             "source": d.source.rawValue, "step": d.path?.description as Any? ?? NSNull()]
        }
        report["conclusions"] = summary.conclusions.map {
            ["step": $0.step, "message": $0.message, "severity": $0.severity.rawValue]
        }
        report["failures"] = summary.failures.map { ["step": $0.step as Any? ?? NSNull(), "message": $0.message] }

        guard let data = try? JSONSerialization.data(withJSONObject: report,
                                                     options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return "{}" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
