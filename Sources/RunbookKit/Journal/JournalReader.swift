import Foundation

/// Reads a journal written by `JournalWriter`. Tolerant where a crash can leave marks: a cut
/// last line is reported (`Journal.truncatedLastLine`), not an error; other bad lines are
/// skipped and listed. Only an unreadable file or a missing header is an error.
public struct JournalReader {
    public static func read(path: String) throws -> Journal {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw JournalReadError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        var journal = try parse(data, source: path)
        journal.path = path
        return journal
    }

    public static func parse(_ data: Data, source: String = "journal") throws -> Journal {
        let bytes = [UInt8](data)
        let endsWithNewline = bytes.last == UInt8(ascii: "\n")
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if endsWithNewline { lines.removeLast() }   // the empty piece after the final newline

        var header: JournalHeader?
        var events: [JournalEvent] = []
        var damaged: [Int] = []
        var truncated = false

        for (index, line) in lines.enumerated() {
            let isLast = index == lines.count - 1
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) { continue }
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any] else {
                if isLast && !endsWithNewline { truncated = true } else { damaged.append(index + 1) }
                continue
            }
            let record = Record(object)
            if header == nil {
                guard record.string("type") == "header" else { break }
                header = record.header()
                continue
            }
            if let event = record.event() { events.append(event) }
        }
        guard let header else { throw JournalReadError.missingHeader(path: source) }
        return Journal(header: header, events: events, truncatedLastLine: truncated, damagedLines: damaged)
    }
}

public enum JournalReadError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    case missingHeader(path: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "cannot read journal \(path): \(reason)"
        case .missingHeader(let path): return "\(path) is not a runbook journal (no header line)"
        }
    }
}

/// Typed access to one decoded line; missing or mistyped fields read as empty values, so an
/// older or newer journal still loads.
private struct Record {
    let object: [String: Any]

    init(_ object: [String: Any]) { self.object = object }

    func string(_ key: String) -> String { object[key] as? String ?? "" }
    func optionalString(_ key: String) -> String? { object[key] as? String }
    func int(_ key: String) -> Int { optionalInt(key) ?? 0 }
    func optionalInt(_ key: String) -> Int? {
        if let value = object[key] as? Int { return value }
        return (object[key] as? NSNumber)?.intValue
    }
    func double(_ key: String) -> Double {
        if let value = object[key] as? Double { return value }
        return (object[key] as? NSNumber)?.doubleValue ?? 0
    }
    func bool(_ key: String) -> Bool {
        if let value = object[key] as? Bool { return value }
        return (object[key] as? NSNumber)?.boolValue ?? false
    }
    func date(_ key: String) -> Date? { optionalString(key).flatMap(JournalTime.parse) }

    func header() -> JournalHeader {
        let start = date("start") ?? date("t") ?? Date(timeIntervalSince1970: 0)
        let parameters = (object["parameters"] as? [String: Any] ?? [:])
            .compactMapValues { $0 as? String }
        return JournalHeader(runbookPath: string("runbook"), runbookTitle: string("title"),
                             contentHash: string("content_hash"), gitCommit: optionalString("git_commit"),
                             parameters: parameters, user: string("user"), host: string("host"),
                             startTime: start, toolVersion: string("tool_version"), mode: string("mode"),
                             pid: optionalInt("pid"))
    }

    func event() -> JournalEvent? {
        let type = string("type")
        let kind: JournalEvent.Kind
        switch type {
        case "step_start":
            kind = .stepStarted(step: string("step"), title: string("title"), host: optionalString("host"))
        case "step_end":
            kind = .stepEnded(step: string("step"), outcome: string("outcome"), duration: double("duration"))
        case "command_start":
            kind = .commandStarted(id: int("id"), step: string("step"), host: optionalString("host"),
                                   command: string("command"))
        case "command_end":
            kind = .commandEnded(JournalCommand(
                id: int("id"), step: string("step"), host: optionalString("host"), command: string("command"),
                start: date("start"), duration: double("duration"), exitCode: int("exit_code"),
                timedOut: bool("timed_out"), cancelled: bool("cancelled"), unreachable: bool("unreachable"),
                stdout: string("stdout"), stderr: string("stderr"),
                stdoutTruncated: bool("stdout_truncated"), stderrTruncated: bool("stderr_truncated"),
                stdoutBytes: optionalInt("stdout_bytes"), stderrBytes: optionalInt("stderr_bytes")))
        case "finding":
            kind = .finding(step: string("step"), message: string("message"), evidence: string("evidence"),
                            host: optionalString("host"))
        case "branch":
            kind = .branch(step: string("step"), description: string("description"))
        case "answer":
            kind = .answer(step: string("step"), question: string("question"), questionID: string("question_id"),
                           choice: string("choice"), source: string("source"))
        case "message":
            kind = .message(step: string("step"), text: string("text"))
        case "note":
            kind = .note(step: optionalString("step"), text: string("text"))
        case "outcome":
            kind = .outcome(step: string("step"), outcome: string("outcome"), remark: string("remark"))
        case "variable":
            kind = .variable(name: string("name"), value: string("value"))
        case "conclusion":
            kind = .conclusion(step: string("step"), message: string("message"))
        case "failure":
            kind = .failure(step: optionalString("step"), message: string("message"))
        case "run_end":
            kind = .runEnded(status: string("status"), exitCode: int("exit_code"), duration: double("duration"))
        case "":
            return nil
        default:
            kind = .unknown(type: type)
        }
        return JournalEvent(time: date("t") ?? Date(timeIntervalSince1970: 0), kind: kind)
    }
}
