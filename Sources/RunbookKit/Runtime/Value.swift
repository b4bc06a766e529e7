import Foundation

/// A runtime value. Command results stay whole, so `r.exit` and `r.stderr` work, while the
/// result itself reads as its trimmed stdout wherever text is expected.
///
/// Only a command result is boxed: a string or a number is stored in place, so the rows of a
/// large table (ten thousand maps of six strings) are not one allocation per cell.
public enum Value: Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case list([Value])
    /// Keys keep their order (JSON objects, table rows).
    case map([String], [String: Value])
    indirect case result(CommandResult)
    /// Row `Int` of a table kept compact (`TableRows`): it reads as the map of its cells.
    case row(TableRows, Int)

    public static func map(_ pairs: [(String, Value)]) -> Value {
        var dict: [String: Value] = [:]
        var keys: [String] = []
        for (k, v) in pairs {
            if dict[k] == nil { keys.append(k) }
            dict[k] = v
        }
        return .map(keys, dict)
    }

    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .list: return "list"
        case .map, .row: return "map"
        case .result: return "command result"
        }
    }

    /// The text form used in messages, interpolation and environment variables.
    public var text: String {
        switch self {
        case .null: return ""
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return Value.format(n)
        case .string(let s): return s
        case .list(let items): return items.map { $0.text }.joined(separator: "\n")
        case .map(let keys, let dict): return keys.map { "\($0)=\(dict[$0]!.text)" }.joined(separator: " ")
        case .row: return materialized.text
        case .result(let r): return Value.trimTrailingNewlines(r.stdout)
        }
    }

    /// Lists inside messages read better with commas than with newlines.
    public var displayText: String {
        if case .list(let items) = self { return items.map { $0.displayText }.joined(separator: ", ") }
        return text
    }

    public static func format(_ n: Double) -> String {
        if n.isFinite, n == n.rounded(), abs(n) < 1e15 { return String(Int64(n)) }
        return String(n)
    }

    /// stdout then stderr, each without its trailing newline, one line apart.
    static func combinedOutput(_ r: CommandResult) -> String {
        [trimTrailingNewlines(r.stdout), trimTrailingNewlines(r.stderr)].filter { !$0.isEmpty }.joined(separator: "\n")
    }

    static func trimTrailingNewlines(_ s: String) -> String {
        var end = s.endIndex
        while end > s.startIndex {
            let before = s.index(before: end)
            if s[before].isNewline { end = before } else { break }
        }
        return String(s[..<end])
    }

    /// What `if` and `expect` see: empty, zero, false and null are false.
    public var truthy: Bool {
        switch self {
        case .null: return false
        case .bool(let b): return b
        case .number(let n): return n != 0
        case .string(let s): return !s.isEmpty
        case .list(let items): return !items.isEmpty
        case .map(let keys, _): return !keys.isEmpty
        case .row(let rows, _): return !rows.names.isEmpty
        case .result(let r): return r.exitCode == 0
        }
    }

    /// A number when the value is one or reads as one ("42", " 3.5\n", "85%").
    public var numberValue: Double? {
        switch self {
        case .number(let n): return n
        case .bool(let b): return b ? 1 : 0
        case .string, .result: return Value.parseNumber(text)
        default: return nil
        }
    }

    static func parseNumber(_ s: String) -> Double? {
        var t = s.trimmingCharacters(in: .whitespacesAndNewlines)
        if t.hasSuffix("%") { t.removeLast() }
        guard !t.isEmpty else { return nil }
        return Double(t)
    }
}

extension Value: Equatable {
    /// A table row equals the map it stands for.
    public static func == (lhs: Value, rhs: Value) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.list(let a), .list(let b)): return a == b
        case (.map(let ka, let da), .map(let kb, let db)): return ka == kb && da == db
        case (.result(let a), .result(let b)): return a == b
        case (.row(let ra, let ia), .row(let rb, let ib)) where ra === rb: return ia == ib || ra.map(ia) == rb.map(ib)
        case (.row, _), (_, .row): return lhs.materialized == rhs.materialized
        default: return false
        }
    }
}
