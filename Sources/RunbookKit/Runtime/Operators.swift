import Foundation

/// Binary operators. Text that reads as a number compares as a number when the other side is
/// one, so `usage.stdout > 90` works on command output.
enum Operators {
    static func apply(_ op: String, _ a: Value, _ b: Value, at expr: Expr) throws -> Value {
        switch op {
        case "==": return .bool(equal(a, b))
        case "!=": return .bool(!equal(a, b))
        case "<", "<=", ">", ">=":
            let order = try compare(a, b, op, expr)
            switch op {
            case "<": return .bool(order < 0)
            case "<=": return .bool(order <= 0)
            case ">": return .bool(order > 0)
            default: return .bool(order >= 0)
            }
        case "contains": return .bool(contains(a, b))
        case "in": return .bool(contains(b, a))
        case "matches":
            let regex = try RegexCache.shared.regex(b.text, at: expr)
            do {
                return .bool(try BoundedMatch.firstMatch(regex, in: a.text) != nil)
            } catch let error as BuiltinError {
                throw RuntimeError(error.message, at: expr.offset, length: expr.length)
            }
        case "+": return try add(a, b, expr)
        case "-", "*", "/", "%": return try arithmetic(op, a, b, expr)
        default: throw RuntimeError("unknown operator '\(op)'", at: expr.span)
        }
    }

    static func equal(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.null, _), (_, .null): return a.text.isEmpty && b.text.isEmpty && !(isCollection(a) || isCollection(b))
        case (.list(let x), .list(let y)): return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), _): if let y = b.numberValue, !isCollection(b) { return x == y } else { return false }
        case (_, .number): return equal(b, a)
        case (.map, .map), (.row, .row), (.map, .row), (.row, .map): return a == b
        default: return a.text == b.text
        }
    }

    private static func isCollection(_ v: Value) -> Bool {
        switch v {
        case .list, .map, .row: return true
        default: return false
        }
    }

    private static func compare(_ a: Value, _ b: Value, _ op: String, _ expr: Expr) throws -> Int {
        if let x = a.numberValue, let y = b.numberValue { return x < y ? -1 : (x > y ? 1 : 0) }
        if case .number = a {
            throw RuntimeError("cannot compare a number with '\(b.displayText)' (\(b.typeName)) using \(op)", at: expr.span)
        }
        if case .number = b {
            throw RuntimeError("cannot compare '\(a.displayText)' (\(a.typeName)) with a number using \(op)", at: expr.span)
        }
        let x = a.text, y = b.text
        return x < y ? -1 : (x > y ? 1 : 0)
    }

    static func contains(_ container: Value, _ item: Value) -> Bool {
        switch container {
        case .list(let items): return items.contains { equal($0, item) }
        case .map(_, let dict): return dict[item.text] != nil
        case .row(let rows, _): return rows.names.contains(item.text)
        case .null: return false
        default: return OutputText.contains(container, item.text)
        }
    }

    private static func add(_ a: Value, _ b: Value, _ expr: Expr) throws -> Value {
        switch (a, b) {
        case (.list(let x), .list(let y)): return .list(x + y)
        case (.list(let x), _): return .list(x + [b])
        case (.number(let x), _): if let y = b.numberValue { return .number(x + y) }
        case (_, .number(let y)): if let x = a.numberValue { return .number(x + y) }
        default: break
        }
        return .string(a.text + b.text)
    }

    private static func arithmetic(_ op: String, _ a: Value, _ b: Value, _ expr: Expr) throws -> Value {
        guard let x = a.numberValue, let y = b.numberValue else {
            let bad = a.numberValue == nil ? a : b
            throw RuntimeError("'\(op)' needs numbers, but '\(bad.displayText)' (\(bad.typeName)) is not one", at: expr.span)
        }
        switch op {
        case "-": return .number(x - y)
        case "*": return .number(x * y)
        default:
            if y == 0 { throw RuntimeError("division by zero", at: expr.span) }
            return .number(op == "/" ? x / y : x.truncatingRemainder(dividingBy: y))
        }
    }
}

/// Compiled regular expressions, shared across threads.
final class RegexCache: @unchecked Sendable {
    static let shared = RegexCache()
    private var cache: [String: NSRegularExpression] = [:]
    private let lock = Mutex()

    func regex(_ pattern: String, at expr: Expr? = nil) throws -> NSRegularExpression {
        lock.lock()
        defer { lock.unlock() }
        if let r = cache[pattern] { return r }
        do {
            let r = try NSRegularExpression(pattern: pattern)
            cache[pattern] = r
            return r
        } catch {
            throw RuntimeError("invalid regular expression '\(pattern)'", at: expr?.span)
        }
    }

    /// Whether a pattern compiles; the checker calls this for literal patterns.
    static func isValid(_ pattern: String) -> Bool {
        (try? shared.regex(pattern)) != nil   // compiled once per distinct pattern, then cached
    }
}
