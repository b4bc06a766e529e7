/// Prints expressions and strings in canonical form: one space around binary operators,
/// none inside brackets, `, ` between items, parentheses only where precedence needs them,
/// strings re-escaped from their content. Parsing the output gives the same tree.
struct ExprPrinter {
    /// The source, for numbers as written (`1.50` stays `1.50`).
    let file: SourceFile?

    // Binding strength, loosest first; the parser's precedence levels.
    private enum Level: Int, Comparable {
        case conditional = 0, or, and, not, comparison, sum, product, unary, postfix
        static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
    }

    private static func level(ofBinary op: String) -> Level {
        switch op {
        case "or": return .or
        case "and": return .and
        case "+", "-": return .sum
        case "*", "/", "%": return .product
        default: return .comparison
        }
    }

    private func level(_ expr: Expr) -> Level {
        switch expr.kind {
        case .binary(let op, _, _): return ExprPrinter.level(ofBinary: op)
        case .unary("not", _): return .not
        case .unary: return .unary
        case .conditional: return .conditional
        default: return .postfix
        }
    }

    func print(_ expr: Expr) -> String {
        switch expr.kind {
        case .string(let template): return string(template)
        case .number(let n): return number(n, expr)
        case .duration(_, let text): return text
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .name(let name): return name
        case .list(let items): return "[" + items.map(print).joined(separator: ", ") + "]"
        case .member(let base, let name): return operand(base, atLeast: .postfix) + "." + name
        case .index(let base, let index): return operand(base, atLeast: .postfix) + "[" + print(index) + "]"
        case .call(let name, let args): return name + "(" + args.map(print).joined(separator: ", ") + ")"
        case .unary("not", let operand): return not(operand)
        case .unary(let op, let operand): return op + self.operand(operand, atLeast: .unary)
        case .binary(let op, let lhs, let rhs):
            let level = ExprPrinter.level(ofBinary: op)
            // Left-associative: a right operand at the same level needs parentheses, and
            // comparisons do not chain at all.
            let left = operand(lhs, atLeast: level == .comparison ? .sum : level)
            let right = operand(rhs, atLeast: level == .comparison ? .sum : Level(rawValue: level.rawValue + 1)!)
            return left + " " + op + " " + right
        case .conditional(let condition, let then, let otherwise):
            // Each branch is a whole expression to the parser; only the condition and the
            // `then` branch need parentheses around a nested conditional, for readability.
            return "if " + operand(condition, atLeast: .or) + " then " + operand(then, atLeast: .or)
                + " else " + print(otherwise)
        }
    }

    /// `not` before an expression, in parentheses where it would bind tighter than meant:
    /// `not (a.ok or b)`. `not (a == b)` reads better than the equivalent `not a == b`.
    private func not(_ operand: Expr) -> String {
        if case .binary = operand.kind { return "not (" + print(operand) + ")" }
        return "not " + self.operand(operand, atLeast: .not)
    }

    /// The condition that holds when `expr` does not: `not (a or b)`, and `x` for `not x`
    /// rather than `not not x`.
    func negation(_ expr: Expr) -> String {
        if case .unary("not", let inner) = expr.kind { return print(inner) }
        return not(expr)
    }

    private func operand(_ expr: Expr, atLeast minimum: Level) -> String {
        level(expr) >= minimum ? print(expr) : "(" + print(expr) + ")"
    }

    private func number(_ n: Double, _ expr: Expr) -> String {
        if let file {
            let written = SourceText.of(expr, in: file)
            if !written.isEmpty, written.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), Double(written) == n {
                return written
            }
        }
        return Value.format(n)
    }

    /// A string literal with `{…}` holes printed from their expressions.
    func string(_ template: Template) -> String {
        let escapeClosing = template.parts.contains { if case .text(let t) = $0 { return t.contains("{") } else { return false } }
        var out = "\""
        for part in template.parts {
            switch part {
            case .text(let text): out += ExprPrinter.escape(text, closingBrace: escapeClosing)
            case .expr(let expr): out += "{" + print(expr) + "}"
            }
        }
        return out + "\""
    }

    /// A string without holes (titles, paths, help texts).
    static func quote(_ text: String) -> String {
        "\"" + escape(text, closingBrace: text.contains("{")) + "\""
    }

    /// `}` needs no escape, but `\{…\}` reads better than `\{…}` when both appear.
    static func escape(_ text: String, closingBrace: Bool) -> String {
        var out = ""
        for c in text {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "{": out += "\\{"
            case "}" where closingBrace: out += "\\}"
            default: out.append(c)
            }
        }
        return out
    }
}
