import Foundation

/// Reads a journal written by `JournalWriter`, with the same `JournalEntry` type that wrote
/// it. Tolerant where a crash can leave marks (a cut last line is reported in
/// `Journal.truncatedLastLine`), and loud about everything else: a line that is not a valid
/// record — damaged, missing a field the record needs, or of a type this version does not
/// know — is listed in `Journal.problems` with the reason, never read as empty values. A
/// file without a header, or with a header of another format version, is an error.
public enum JournalReader {
    public static func read(path: String) throws -> Journal {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw JournalReadError.unreadable(path: path, reason: (error as NSError).localizedDescription)
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

        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = JournalTime.parse(text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a time: \(text)"))
            }
            return date
        }
        var header: RunHeader?
        var entries: [JournalEntry] = []
        var problems: [JournalProblem] = []
        var truncated = false

        for (index, line) in lines.enumerated() {
            let isLast = index == lines.count - 1
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) { continue }
            if header == nil {
                header = try readHeader(Data(line), decoder: decoder, source: source)
                continue
            }
            do {
                let entry = try decoder.decode(JournalEntry.self, from: Data(line))
                entries.append(entry)
            } catch {
                if isLast && !endsWithNewline && (try? JSONSerialization.jsonObject(with: Data(line))) == nil {
                    truncated = true
                } else {
                    problems.append(JournalProblem(line: index + 1, reason: describe(error)))
                }
            }
        }
        guard let header else { throw JournalReadError.missingHeader(path: source) }
        var journal = Journal(header: header, entries: entries, truncatedLastLine: truncated, problems: problems)
        // A line that is not even JSON, right before a `resumed` record, is the line a kill cut.
        journal.interruptedLines = problems.map(\.line).filter { line in
            guard line < lines.count, (try? JSONSerialization.jsonObject(with: Data(lines[line - 1]))) == nil else { return false }
            return lines[line].starts(with: Array(#"{"type":"resumed""#.utf8))
        }
        journal.problems.removeAll { journal.interruptedLines.contains($0.line) }
        return journal
    }

    private static func readHeader(_ line: Data, decoder: JSONDecoder, source: String) throws -> RunHeader {
        guard let object = (try? JSONSerialization.jsonObject(with: line)) as? [String: Any],
              object["type"] as? String == "header" else {
            throw JournalReadError.missingHeader(path: source)
        }
        let format = (object["format"] as? Int) ?? (object["journal_version"] as? Int) ?? 0
        guard format == RunHeader.currentFormat else {
            throw JournalReadError.unsupportedFormat(path: source, format: format)
        }
        do {
            let entry = try decoder.decode(JournalEntry.self, from: line)
            guard case .runStarted(let header) = entry.event else { throw JournalReadError.missingHeader(path: source) }
            return header
        } catch let error as JournalReadError {
            throw error
        } catch {
            throw JournalReadError.damagedHeader(path: source, reason: describe(error))
        }
    }

    /// "missing field 'path'", "unknown record type 'x'", "not JSON" — what a person can act on.
    static func describe(_ error: Error) -> String {
        switch error {
        case let unknown as UnknownRecordType: return unknown.description
        case DecodingError.keyNotFound(let key, let context):
            return "missing field '\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "field '\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type"
        case DecodingError.dataCorrupted(let context):
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            return field.isEmpty ? "not a JSON object" : "field '\(field)': \(context.debugDescription)"
        default: return "\(error)"
        }
    }
}

public enum JournalReadError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    case missingHeader(path: String)
    case damagedHeader(path: String, reason: String)
    case unsupportedFormat(path: String, format: Int)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "cannot read journal \(path): \(reason)"
        case .missingHeader(let path): return "\(path) is not a runbook journal (no header line)"
        case .damagedHeader(let path, let reason): return "\(path): the journal's header cannot be read (\(reason))"
        case .unsupportedFormat(let path, let format):
            return "\(path) is a journal of format \(format); this runbook reads format \(RunHeader.currentFormat) (use the runbook version that wrote it)"
        }
    }
}
