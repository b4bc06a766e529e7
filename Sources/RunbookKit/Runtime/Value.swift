import Foundation

/// A runtime value. Command results stay whole, so `r.exit` and `r.stderr` work, while the
/// result itself reads as its trimmed stdout wherever text is expected.
///
/// Only a command result is boxed: a string or a number is stored in place, so the rows of a
/// large table (ten thousand maps of six strings) are not one allocation per cell.
public enum Value: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case list([Value])
    /// Keys keep their order (JSON objects, table rows).
    case map([String], [String: Value])
    indirect case result(CommandResult)

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
        case .map: return "map"
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
