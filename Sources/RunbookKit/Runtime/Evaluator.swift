import Foundation

/// Evaluates expressions and templates against a way to look names up.
public struct Evaluator {
    public let lookup: (String) -> Value?
    /// The runner's environment as the client gave it, for `env(name)` (the library reads
    /// none itself).
    public let environment: [String: String]
    /// Where the runbook sets a name ("12:3, 20:5"), for the error when it has no value.
    public var assignedAt: (String) -> String? = { _ in nil }

    public init(environment: [String: String] = [:], lookup: @escaping (String) -> Value?) {
        self.lookup = lookup
        self.environment = environment
    }

    public init(environment: [String: String] = [:], lookup: @escaping (String) -> Value?,
                assignedAt: @escaping (String) -> String?) {
        self.lookup = lookup
        self.environment = environment
        self.assignedAt = assignedAt
    }

    public func evaluate(_ expr: Expr) throws -> Value {
        switch expr.kind {
        case .string(let t): return .string(try render(t))
        case .number(let n): return .number(n)
        case .duration(let seconds, _): return .number(seconds)
        case .bool(let b): return .bool(b)
        case .null: return .null
        case .name(let name):
            guard let value = lookup(name) else {
                if let places = assignedAt(name) {
                    throw RuntimeError("'\(name)' has no value: it was not set on the path this run took; it is set at \(places)",
                                       at: expr.span)
                }
                throw RuntimeError("'\(name)' has no value yet: it is set by a step that has not run", at: expr.span)
            }
            return value
        case .list(let items): return .list(try items.map(evaluate))
        case .member(let base, let field): return try member(try evaluate(base), field, expr)
        case .index(let base, let index): return try subscriptValue(try evaluate(base), try evaluate(index), expr)
        case .call(let name, let args):
            guard let builtin = Builtins.table[name] else {
                throw RuntimeError("unknown function '\(name)'", at: expr.nameSpan ?? expr.span)
            }
            if name == "defined" {
                guard args.count == 1, case .name(let variable) = args[0].kind else {
                    throw RuntimeError("defined() takes a name: defined(x)", at: expr.span)
                }
                return .bool(lookup(variable) != nil)
            }
            let values = try args.map(evaluate)
            // Reading a cut capture as data would give a partial answer (a last row cut in
            // half, rows missing): stop instead, saying why.
            if Evaluator.readsAsData.contains(name), let first = values.first {
                try Evaluator.refuseCut(first, in: "\(name)()", at: expr)
            }
            if name == "env", values.count == 1 {
                return environment[values[0].text].map { .string($0) } ?? .null
            }
            do {
                return try builtin.apply(values)
            } catch let error as BuiltinError {
                throw RuntimeError("\(name)(): \(error.message)", at: expr.span)
            }
        case .unary(let op, let operand):
            let value = try evaluate(operand)
            if op == "not" { return .bool(!value.truthy) }
            guard let n = value.numberValue else {
                throw RuntimeError("cannot negate \(value.typeName) '\(value.displayText)'", at: expr.span)
            }
            return .number(-n)
        case .binary(let op, let lhs, let rhs):
            if op == "and" {
                let left = try evaluate(lhs)
                return left.truthy ? .bool(try evaluate(rhs).truthy) : .bool(false)
            }
            if op == "or" {
                let left = try evaluate(lhs)
                return left.truthy ? .bool(true) : .bool(try evaluate(rhs).truthy)
            }
            let left = try evaluate(lhs), right = try evaluate(rhs)
            try Evaluator.refuseCut(left, in: "'\(op)'", at: expr)
            try Evaluator.refuseCut(right, in: "'\(op)'", at: expr)
            return try Operators.apply(op, left, right, at: expr)
        case .conditional(let condition, let then, let otherwise):
            return try evaluate(try evaluate(condition).truthy ? then : otherwise)
        }
    }

    public func render(_ template: Template) throws -> String {
        var out = ""
        for part in template.parts {
            switch part {
            case .text(let s): out += s
            case .expr(let e): out += try evaluate(e).displayText
            }
        }
        return out
    }

    private func member(_ base: Value, _ field: String, _ expr: Expr) throws -> Value {
        switch base {
        case .null: return .null
        case .map(_, let dict): return dict[field] ?? .null
        case .row: return base.entry(field) ?? .null
        case .result(let r):
            if ["stdout", "output", "lines"].contains(field) { try Evaluator.refuseCut(base, in: "'.\(field)'", at: expr) }
            switch field {
            case "bytes": return .number(Double(r.stdoutBytes))
            case "cut": return .bool(r.stdoutTruncated)
            case "stdout": return .string(Value.trimTrailingNewlines(r.stdout))
            case "stderr": return .string(Value.trimTrailingNewlines(r.stderr))
            case "output": return .string(Value.combinedOutput(r))
            case "exit", "code": return .number(Double(r.exitCode))
            case "ok": return .bool(r.exitCode == 0)
            case "lines": return OutputText.lines(base)
            case "duration": return .number(r.duration)
            case "timed_out": return .bool(r.timedOut)
            case "unreachable": return .bool(r.unreachable)
            default:
                throw RuntimeError("a command result has no field '\(field)': use stdout, stderr, output, exit, ok, lines, duration, timed_out, unreachable, bytes or cut",
                                   at: expr.span)
            }
        case .list(let items) where field == "count": return .number(Double(items.count))
        default:
            throw RuntimeError("\(base.typeName) has no field '\(field)'", at: expr.span)
        }
    }

    private func subscriptValue(_ base: Value, _ index: Value, _ expr: Expr) throws -> Value {
        switch base {
        case .null: return .null
        case .list(let items):
            guard let n = index.numberValue, n == n.rounded() else {
                throw RuntimeError("a list index must be a whole number, not \(index.typeName)", at: expr.span)
            }
            guard let whole = WholeNumber.exactInt(n) else {
                throw RuntimeError("the list index \(Value.format(n)) is out of range: an index is \(WholeNumber.rangeDescription)",
                                   at: expr.offset, length: expr.length)
            }
            let i = whole < 0 ? items.count + whole : whole
            return i >= 0 && i < items.count ? items[i] : .null
        case .map(_, let dict): return dict[index.text] ?? .null
        case .row: return base.entry(index.text) ?? .null
        case .result, .string:
            // Index text by line: the common need is "the n-th line of the output".
            return try subscriptValue(OutputText.lines(base), index, expr)
        default:
            throw RuntimeError("cannot index \(base.typeName)", at: expr.span)
        }
    }
}

extension Evaluator {
    /// Built-ins that read a command's output as data.
    static let readsAsData: Set<String> = ["table", "json", "lines", "words", "grep", "column", "field", "count", "match", "split"]

    static func refuseCut(_ value: Value, in use: String, at expr: Expr) throws {
        guard case .result(let r) = value, r.stdoutTruncated else { return }
        throw RuntimeError("""
            \(use) on a command's output that was cut: it printed \(r.stdoutBytes) bytes and only the first \
            \(r.stdoutText.byteCount) were kept (the limit for captured output); a partial table or document \
            would give a wrong answer — narrow the command (a selector, -o jsonpath, --chunk-size) or raise the limit (--capture-limit)
            """, at: expr.span)
    }
}
