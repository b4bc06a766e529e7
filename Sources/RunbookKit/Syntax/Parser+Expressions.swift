/// Expressions, by precedence from loosest to tightest:
/// if-then-else, or, and, not, comparison, + -, * / %, unary -, postfix (. [] call), primary.
/// A conditional's `else` branch runs to the end of the expression, so as an operand it
/// needs parentheses: `(if a then 1 else 2) + 1`.
extension Parser {
    static let comparisonOperators: Set<String> = ["==", "!=", "<", "<=", ">", ">="]
    static let wordComparisons: Set<String> = ["contains", "matches", "in"]

    mutating func parseExpression() throws -> Expr {
        try nest()
        defer { depth -= 1 }
        if current.isWord("if") { return try parseConditional() }
        return try parseOr()
    }

    /// `if COND then A else B`, with `if` the current token.
    private mutating func parseConditional() throws -> Expr {
        let start = advance().offset
        try nest()
        defer { depth -= 1 }
        let condition = try parseExpression()
        try expectWord("then", "after the condition of 'if … then … else …'")
        let then = try parseExpression()
        try expectWord("else", "in 'if … then … else …': a conditional value needs both branches")
        let otherwise = try parseExpression()
        return Expr(kind: .conditional(condition, then, otherwise), span: span(from: start))
    }

    /// Each operator in a chain deepens the tree the checker and interpreter walk, so a chain
    /// counts towards the nesting limit like a parenthesis.
    private mutating func parseOr() throws -> Expr {
        let entry = depth
        defer { depth = entry }
        var left = try parseAnd()
        while current.isWord("or") {
            try nest()
            advance()
            let right = try parseAnd()
            left = Expr(kind: .binary("or", left, right), span: span(from: left.offset))
        }
        return left
    }

    private mutating func parseAnd() throws -> Expr {
        let entry = depth
        defer { depth = entry }
        var left = try parseNot()
        while current.isWord("and") {
            try nest()
            advance()
            let right = try parseNot()
            left = Expr(kind: .binary("and", left, right), span: span(from: left.offset))
        }
        return left
    }

    private mutating func parseNot() throws -> Expr {
        if current.isWord("not") {
            let start = advance().offset
            try nest()
            defer { depth -= 1 }
            let operand = try parseNot()
            return Expr(kind: .unary("not", operand), span: span(from: start))
        }
        return try parseComparison()
    }

    private mutating func parseComparison() throws -> Expr {
        let left = try parseSum()
        let t = current
        let isSymbolic = t.kind == .symbol && Parser.comparisonOperators.contains(t.text)
        let isWord = t.kind == .identifier && Parser.wordComparisons.contains(t.text)
        guard isSymbolic || isWord else { return left }
        advance()
        let right = try parseSum()
        let result = Expr(kind: .binary(t.text, left, right), span: span(from: left.offset))
        let next = current
        if (next.kind == .symbol && Parser.comparisonOperators.contains(next.text))
            || (next.kind == .identifier && Parser.wordComparisons.contains(next.text)) {
            error("comparisons do not chain: use 'and' between two comparisons", at: next)
            throw Abandon()
        }
        return result
    }

    private mutating func parseSum() throws -> Expr {
        let entry = depth
        defer { depth = entry }
        var left = try parseProduct()
        while current.is("+") || current.is("-") {
            try nest()
            let op = advance().text
            let right = try parseProduct()
            left = Expr(kind: .binary(op, left, right), span: span(from: left.offset))
        }
        return left
    }

    private mutating func parseProduct() throws -> Expr {
        let entry = depth
        defer { depth = entry }
        var left = try parseUnary()
        while current.is("*") || current.is("/") || current.is("%") {
            try nest()
            let op = advance().text
            let right = try parseUnary()
            left = Expr(kind: .binary(op, left, right), span: span(from: left.offset))
        }
        return left
    }

    private mutating func parseUnary() throws -> Expr {
        if current.is("-") {
            let start = advance().offset
            try nest()
            defer { depth -= 1 }
            let operand = try parseUnary()
            return Expr(kind: .unary("-", operand), span: span(from: start))
        }
        return try parsePostfix()
    }

    private mutating func parsePostfix() throws -> Expr {
        let entry = depth
        defer { depth = entry }
        var expr = try parsePrimary()
        while true {
            if current.is(".") || current.is("[") { try nest() }
            if current.is(".") {
                advance()
                let name = try expectIdentifier("a field name after '.'")
                expr = Expr(kind: .member(expr, name.text), span: span(from: expr.offset), nameSpan: name.span)
            } else if current.is("[") {
                advance()
                let index = try parseExpression()
                try expectSymbol("]", "to close the index")
                expr = Expr(kind: .index(expr, index), span: span(from: expr.offset))
            } else {
                return expr
            }
        }
    }

    private mutating func parseArguments(closing: String) throws -> [Expr] {
        var args: [Expr] = []
        if current.is(closing) {
            advance()
            return args
        }
        while true {
            args.append(try parseExpression())
            if current.is(",") { advance(); continue }
            try expectSymbol(closing, "to close the list")
            return args
        }
    }

    private mutating func parsePrimary() throws -> Expr {
        let t = current
        switch t.kind {
        case .string:
            advance()
            return Expr(kind: .string(parseTemplate(from: t)), span: t.span)
        case .number:
            advance()
            return Expr(kind: .number(literalValue(t)), span: t.span)
        case .duration:
            advance()
            return Expr(kind: .duration(literalValue(t), text: t.text), span: t.span)
        case .identifier:
            advance()
            switch t.text {
            case "true": return Expr(kind: .bool(true), span: t.span)
            case "false": return Expr(kind: .bool(false), span: t.span)
            case "null": return Expr(kind: .null, span: t.span)
            case "if":
                error("'if … then … else …' as an operand needs parentheses: (if a then b else c)", at: t)
                throw Abandon()
            default: break
            }
            if current.is("(") && current.offset == t.offset + t.length {
                advance()
                let args = try parseArguments(closing: ")")
                return Expr(kind: .call(t.text, args), span: span(from: t.offset), nameSpan: t.span)
            }
            if t.text.contains("-") {
                error("'\(t.text)' is not a value name: put spaces around '-' to subtract", at: t)
                throw Abandon()
            }
            return Expr(kind: .name(t.text), span: t.span, nameSpan: t.span)
        case .symbol where t.text == "[":
            advance()
            let items = try parseArguments(closing: "]")
            return Expr(kind: .list(items), span: span(from: t.offset))
        case .symbol where t.text == "(":
            advance()
            var inner = try parseExpression()
            try expectSymbol(")", "to close the parenthesis")
            // The parenthesised expression spans its parentheses, so its source text reads whole.
            inner.span = span(from: t.offset)
            return inner
        case .command:
            error("a command cannot be used inside an expression: capture it first (name = $ …)")
            throw Abandon()
        default:
            error("expected a value, found \(describe(t))")
            throw Abandon()
        }
    }
}
