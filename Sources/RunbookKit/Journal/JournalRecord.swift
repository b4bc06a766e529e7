import Foundation

/// How each run event becomes one journal line. The field names here are the journal format;
/// `JournalReader` reads the same names back.
enum JournalRecord {
    static let formatVersion = 1

    /// The line for `event` at time `now`, or nil for events that are not journaled
    /// (command output arrives line by line; `command_end` carries it instead).
    static func line(for event: RunEvent, at now: Date, redactor: SecretRedactor, outputLimit: Int) -> [UInt8]? {
        switch event {
        case .runStarted(let header):
            var line = JournalLineBuilder(type: "header", redactor: redactor)
            line.time("t", header.startTime)
            line.int("journal_version", formatVersion)
            line.string("runbook", header.runbookPath)
            line.string("title", header.runbookTitle)
            line.string("content_hash", header.contentHash)
            line.optionalString("git_commit", header.gitCommit)
            line.stringMap("parameters", header.parameters)
            line.string("user", header.user)
            line.string("host", header.host)
            line.time("start", header.startTime)
            line.string("tool_version", header.toolVersion)
            line.string("mode", header.mode)
            line.int("pid", Int(getpid()))
            return line.finish()

        case .stepStarted(let stepID, let title, let host):
            var line = record("step_start", now, redactor)
            line.string("step", stepID)
            line.string("title", title)
            line.optionalString("host", host)
            return line.finish()

        case .stepEnded(let stepID, let outcome, let duration):
            var line = record("step_end", now, redactor)
            line.string("step", stepID)
            line.string("outcome", outcome)
            line.seconds("duration", duration)
            return line.finish()

        case .commandStarted(let id, let stepID, let host, let script):
            var line = record("command_start", now, redactor)
            line.int("id", id)
            line.string("step", stepID)
            line.optionalString("host", host)
            line.string("command", script)
            return line.finish()

        case .commandOutput:
            return nil

        case .commandEnded(let id, let stepID, let host, let script, let result):
            let stdout = bounded(result.stdout, executorCut: result.stdoutTruncated, redactor: redactor, limit: outputLimit)
            let stderr = bounded(result.stderr, executorCut: result.stderrTruncated, redactor: redactor, limit: outputLimit)
            var line = JournalLineBuilder(type: "command_end", redactor: redactor,
                                capacity: 320 + stdout.text.utf8.count + stderr.text.utf8.count)
            line.time("t", now)
            line.int("id", id)
            line.string("step", stepID)
            line.optionalString("host", host)
            line.string("command", script)
            line.time("start", now.addingTimeInterval(-max(0, result.duration)))
            line.seconds("duration", result.duration)
            line.int("exit_code", Int(result.exitCode))
            line.bool("timed_out", result.timedOut)
            line.bool("cancelled", result.cancelled)
            line.bool("unreachable", result.unreachable)
            // Redacted before cutting, so a secret on the boundary cannot leak in part.
            line.redactedString("stdout", stdout.text)
            if stdout.truncated {
                line.bool("stdout_truncated", true)
                line.int("stdout_bytes", result.stdoutBytes)
            }
            line.redactedString("stderr", stderr.text)
            if stderr.truncated {
                line.bool("stderr_truncated", true)
                line.int("stderr_bytes", result.stderrBytes)
            }
            return line.finish()

        case .finding(let stepID, let message, let evidence, let host):
            let kept = bounded(evidence, executorCut: false, redactor: redactor, limit: outputLimit)
            var line = record("finding", now, redactor)
            line.string("step", stepID)
            line.string("message", message)
            line.redactedString("evidence", kept.text)
            if kept.truncated { line.bool("evidence_truncated", true) }
            line.optionalString("host", host)
            return line.finish()

        case .branch(let stepID, let description):
            var line = record("branch", now, redactor)
            line.string("step", stepID)
            line.string("description", description)
            return line.finish()

        case .answer(let stepID, let question, let questionID, let choice, let source):
            var line = record("answer", now, redactor)
            line.string("step", stepID)
            line.string("question", question)
            line.string("question_id", questionID)
            line.string("choice", choice)
            line.string("source", source)
            return line.finish()

        case .message(let stepID, let text):
            var line = record("message", now, redactor)
            line.string("step", stepID)
            line.string("text", text)
            return line.finish()

        case .note(let stepID, let text):
            var line = record("note", now, redactor)
            line.optionalString("step", stepID)
            line.string("text", text)
            return line.finish()

        case .outcome(let stepID, let outcome, let remark):
            var line = record("outcome", now, redactor)
            line.string("step", stepID)
            line.string("outcome", outcome)
            line.string("remark", remark)
            return line.finish()

        case .variable(let name, let value):
            var line = record("variable", now, redactor)
            line.string("name", name)
            line.string("value", value)
            return line.finish()

        case .concluded(let stepID, let message):
            var line = record("conclusion", now, redactor)
            line.string("step", stepID)
            line.string("message", message)
            return line.finish()

        case .failed(let stepID, let message):
            var line = record("failure", now, redactor)
            line.optionalString("step", stepID)
            line.string("message", message)
            return line.finish()

        case .runEnded(let status, let exitCode, let duration):
            var line = record("run_end", now, redactor)
            line.string("status", status)
            line.int("exit_code", Int(exitCode))
            line.seconds("duration", duration)
            return line.finish()
        }
    }

    /// Whether the journal is flushed to disk after this event: the points a postmortem or a
    /// resume depends on.
    static func needsSync(_ event: RunEvent) -> Bool {
        switch event {
        case .stepEnded, .concluded, .failed, .note, .outcome, .runEnded: return true
        default: return false
        }
    }

    private static func record(_ type: String, _ now: Date, _ redactor: SecretRedactor) -> JournalLineBuilder {
        var line = JournalLineBuilder(type: type, redactor: redactor)
        line.time("t", now)
        return line
    }

    /// Redacts, then keeps at most `limit` bytes. `truncated` is true when either this cut or
    /// the executor's capture limit dropped something.
    private static func bounded(_ text: String, executorCut: Bool, redactor: SecretRedactor,
                                limit: Int) -> (text: String, truncated: Bool) {
        let kept = JournalOutputCut.head(of: redactor.redact(text), limit: limit)
        return (kept.text, kept.cut || executorCut)
    }
}
