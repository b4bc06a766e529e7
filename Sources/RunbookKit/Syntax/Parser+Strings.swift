/// String literals: escapes and `{expr}` interpolation holes.
extension Parser {
    mutating func parseTemplate(_ what: String) throws -> Template {
        parseTemplate(from: try expectString(what))
    }

    /// The literal text of a string token, for places that take no interpolation.
    mutating func unescape(_ token: Token) -> String {
        let template = parseTemplate(from: token)
        if template.parts.contains(where: { if case .expr = $0 { return true } else { return false } }) {
            diagnostics.append(Diagnostic(.error, "this text is fixed and cannot show values with {…}: write \\{ for a literal brace",
                                          at: token.span, in: file))
        }
        return template.parts.map { part -> String in
            switch part {
            case .text(let s): return s
            case .expr: return ""
            }
        }.joined()
    }

    mutating func parseTemplate(from token: Token) -> Template {
        let bytes = file.bytes
        let start = token.offset + 1
        let end = min(start + token.text.utf8.count, bytes.count)
        var parts: [Template.Part] = []
        var holeSpans: [Span] = []
        var literal: [UInt8] = []
        var p = start
        func flush() {
            if !literal.isEmpty {
                parts.append(.text(String(decoding: literal, as: UTF8.self)))
                literal.removeAll()
            }
        }
        while p < end {
            let c = bytes[p]
            if c == UInt8(ascii: "\\"), p + 1 < end {
                let e = bytes[p + 1]
                switch e {
                case UInt8(ascii: "n"): literal.append(10)
                case UInt8(ascii: "t"): literal.append(9)
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "{"), UInt8(ascii: "}"): literal.append(e)
                default:
                    diagnostics.append(Diagnostic(.error, "unknown escape '\\\(Character(Unicode.Scalar(e)))': use \\n, \\t, \\\", \\\\, \\{ or \\}",
                                                  at: Span(start: p, length: 2), in: file))
                    literal.append(e)
                }
                p += 2
                continue
            }
            if c == UInt8(ascii: "{") {
                let close = matchingBrace(from: p, end: end)
                guard let close else {
                    diagnostics.append(Diagnostic(.error, "'{' without a matching '}': write \\{ for a literal brace",
                                                  at: Span(start: p, length: 1), in: file))
                    break
                }
                flush()
                if let expr = parseEmbeddedExpression(from: p + 1, to: close) {
                    parts.append(.expr(expr))
                    holeSpans.append(Span(from: p, to: close + 1))
                }
                p = close + 1
                continue
            }
            literal.append(c)
            p += 1
        }
        flush()
        return Template(parts: parts, raw: token.text, span: token.span, holeSpans: holeSpans)
    }

    private func matchingBrace(from open: Int, end: Int) -> Int? {
        let bytes = file.bytes
        var depth = 0
        var p = open
        var inString = false
        while p < end {
            let c = bytes[p]
            if inString {
                if c == UInt8(ascii: "\\") { p += 2; continue }
                if c == UInt8(ascii: "\"") { inString = false }
            } else if c == UInt8(ascii: "\"") {
                inString = true
            } else if c == UInt8(ascii: "{") {
                depth += 1
            } else if c == UInt8(ascii: "}") {
                depth -= 1
                if depth == 0 { return p }
            }
            p += 1
        }
        return nil
    }

    /// Parses `{…}` content with a sub-parser over the same file, so positions stay exact.
    private mutating func parseEmbeddedExpression(from start: Int, to end: Int) -> Expr? {
        if file.bytes[start..<end].allSatisfy({ $0 == UInt8(ascii: " ") }) {
            diagnostics.append(Diagnostic(.error, "empty '{}': put a value inside, or write \\{ for a literal brace",
                                          at: Span(from: start - 1, to: end + 1), in: file))
            return nil
        }
        let lexed = Lexer.expressionTokens(file: file, from: start, to: end)
        var sub = Parser(file: file, tokens: lexed.tokens)
        sub.diagnostics = lexed.diagnostics
        sub.depth = depth + 1   // strings nest inside expressions: the limit covers both
        let expr = try? sub.parseExpression()
        if expr != nil && sub.current.kind != .eof && sub.current.kind != .newline {
            sub.error("unexpected \(sub.describe(sub.current)) in '{…}'")
        }
        if expr == nil && sub.diagnostics.isEmpty {
            sub.error("expected a value inside '{…}'")
        }
        diagnostics.append(contentsOf: sub.diagnostics)
        return sub.diagnostics.isEmpty ? expr : nil
    }

    init(file: SourceFile, tokens: [Token]) {
        self.file = file
        self.tokens = tokens
    }
}
