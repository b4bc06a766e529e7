/// Turns runbook text into tokens. The language is line-oriented: indentation opens and
/// closes blocks (INDENT/DEDENT), and a `$` takes the rest of the line as shell text.
/// Every loop advances `pos` or `lineIndex`, so the lexer always terminates.
public struct Lexer {
    private let file: SourceFile
    private let bytes: [UInt8]
    private var tokens: [Token] = []
    private var comments: [Comment] = []
    private var diagnostics: [Diagnostic] = []
    private var indentStack: [Int] = [0]
    private var lineIndex = 0

    public init(file: SourceFile) {
        self.file = file
        self.bytes = file.bytes
    }

    public struct Output {
        public let tokens: [Token]
        public let comments: [Comment]
        public let diagnostics: [Diagnostic]
    }

    public mutating func tokenize() -> Output {
        let lineCount = file.lineStarts.count
        while lineIndex < lineCount {
            lexLine()
        }
        let end = bytes.count
        if let last = tokens.last, last.kind != .newline, last.kind != .dedent {
            tokens.append(Token(kind: .newline, text: "", offset: end, length: 0))
        }
        while indentStack.count > 1 {
            indentStack.removeLast()
            tokens.append(Token(kind: .dedent, text: "", offset: end, length: 0))
        }
        tokens.append(Token(kind: .eof, text: "", offset: end, length: 0))
        return Output(tokens: tokens, comments: comments, diagnostics: diagnostics)
    }

    /// Tokens of an expression embedded in a string (`"{expr}"`), with exact positions.
    static func expressionTokens(file: SourceFile, from start: Int, to end: Int) -> Output {
        var lexer = Lexer(file: file)
        lexer.lexTokens(from: start, to: end, lineIndent: 0)
        lexer.tokens.append(Token(kind: .eof, text: "", offset: end, length: 0))
        return Output(tokens: lexer.tokens, comments: [], diagnostics: lexer.diagnostics)
    }

    // MARK: Lines and indentation

    private func lineEnd(_ index: Int) -> Int {
        var end = index + 1 < file.lineStarts.count ? file.lineStarts[index + 1] - 1 : bytes.count
        if end > file.lineStarts[index], bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return end
    }

    /// Counts leading spaces; returns nil (after reporting) if a tab is used for indentation.
    private mutating func indentation(from start: Int, to end: Int) -> (width: Int, firstCode: Int) {
        var p = start
        while p < end, bytes[p] == UInt8(ascii: " ") || bytes[p] == UInt8(ascii: "\t") {
            if bytes[p] == UInt8(ascii: "\t") {
                diagnostics.append(Diagnostic(.error, "tab in indentation: indent with spaces", at: file.location(p)))
            }
            p += 1
        }
        return (p - start, p)
    }

    private mutating func lexLine() {
        let start = file.lineStarts[lineIndex]
        let end = lineEnd(lineIndex)
        let (width, first) = indentation(from: start, to: end)
        lineIndex += 1
        if first >= end { return }  // blank line
        if bytes[first] == UInt8(ascii: "#") {
            comments.append(Comment(offset: first, text: text(first, end), ownLine: true, indent: width))
            return
        }
        adjustIndent(to: width, at: first)
        lexTokens(from: first, to: end, lineIndent: width)
        tokens.append(Token(kind: .newline, text: "", offset: end, length: 0))
    }

    private mutating func adjustIndent(to width: Int, at offset: Int) {
        if width > indentStack.last! {
            indentStack.append(width)
            tokens.append(Token(kind: .indent, text: "", offset: offset, length: 0))
            return
        }
        while width < indentStack.last! {
            let enclosing = indentStack.count >= 2 ? indentStack[indentStack.count - 2] : 0
            if width > enclosing {
                // Between two levels: report it once and read the line as part of the inner
                // block, so the statements around it still parse.
                diagnostics.append(Diagnostic(.error, "indentation does not match any enclosing block", at: file.location(offset)))
                return
            }
            indentStack.removeLast()
            tokens.append(Token(kind: .dedent, text: "", offset: offset, length: 0))
        }
    }

    // MARK: Tokens within a line

    private func text(_ from: Int, _ to: Int) -> String {
        String(decoding: bytes[from..<to], as: UTF8.self)
    }

    private static func isIdentStart(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == UInt8(ascii: "_")
    }
    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    private static func isIdentPart(_ b: UInt8) -> Bool { isIdentStart(b) || isDigit(b) }

    private mutating func lexTokens(from start: Int, to end: Int, lineIndent: Int) {
        var p = start
        while p < end {
            let b = bytes[p]
            if b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") { p += 1; continue }
            if b == UInt8(ascii: "#") {
                comments.append(Comment(offset: p, text: text(p, end), ownLine: false, indent: 0))
                return
            }
            if b == UInt8(ascii: "$"), p + 1 >= end || bytes[p + 1] == UInt8(ascii: " ") {
                lexCommand(dollar: p, lineEnd: end, lineIndent: lineIndent)
                return
            }
            if Lexer.isIdentStart(b) {
                var q = p + 1
                // `-` joins words (step ids, `allow-fail`) only when a letter follows it.
                while q < end, Lexer.isIdentPart(bytes[q])
                        || (bytes[q] == UInt8(ascii: "-") && q + 1 < end && Lexer.isIdentStart(bytes[q + 1])) {
                    q += 1
                }
                tokens.append(Token(kind: .identifier, text: text(p, q), offset: p, length: q - p))
                if p == start, text(p, q) == "prelude", text(q, end).trimmingCharacters(in: " ") == "|" {
                    // `prelude |`: the following, more deeply indented lines are shell text.
                    let script = blockScript(deeperThan: lineIndent)
                    if script.trimmingCharacters(in: " ").isEmpty {
                        diagnostics.append(Diagnostic(.error, "empty prelude: indent its shell text under 'prelude |'", at: file.location(p)))
                    }
                    tokens.append(Token(kind: .command, text: script, offset: p, length: max(1, end - p)))
                    return
                }
                p = q
                continue
            }
            if Lexer.isDigit(b) {
                p = lexNumber(p, end)
                continue
            }
            if b == UInt8(ascii: "\"") {
                p = lexString(p, end)
                continue
            }
            p = lexSymbol(p, end)
        }
    }

    private mutating func lexNumber(_ start: Int, _ end: Int) -> Int {
        var q = start
        while q < end, Lexer.isDigit(bytes[q]) { q += 1 }
        if q + 1 < end, bytes[q] == UInt8(ascii: "."), Lexer.isDigit(bytes[q + 1]) {
            q += 1
            while q < end, Lexer.isDigit(bytes[q]) { q += 1 }
        }
        var unitEnd = q
        while unitEnd < end, Lexer.isIdentStart(bytes[unitEnd]) { unitEnd += 1 }
        if unitEnd > q {
            let unit = text(q, unitEnd)
            if ["ms", "s", "m", "h"].contains(unit) {
                tokens.append(Token(kind: .duration, text: text(start, unitEnd), offset: start, length: unitEnd - start))
            } else {
                diagnostics.append(Diagnostic(.error, "unknown unit '\(unit)': durations use ms, s, m or h",
                                              at: file.location(q), length: unitEnd - q))
                tokens.append(Token(kind: .number, text: text(start, q), offset: start, length: unitEnd - start))
            }
            return unitEnd
        }
        tokens.append(Token(kind: .number, text: text(start, q), offset: start, length: q - start))
        return q
    }

    /// Scans a string literal, skipping over `{…}` interpolations (which may hold strings).
    private mutating func lexString(_ start: Int, _ end: Int) -> Int {
        var q = start + 1
        var depth = 0
        while q < end {
            let c = bytes[q]
            if c == UInt8(ascii: "\\") { q += 2; continue }
            if depth == 0 && c == UInt8(ascii: "\"") {
                tokens.append(Token(kind: .string, text: text(start + 1, q), offset: start, length: q + 1 - start))
                return q + 1
            }
            if c == UInt8(ascii: "\"") {
                // A string nested inside an interpolation: skip to its closing quote.
                q += 1
                while q < end, bytes[q] != UInt8(ascii: "\"") { q += bytes[q] == UInt8(ascii: "\\") ? 2 : 1 }
                q += 1
                continue
            }
            if c == UInt8(ascii: "{") { depth += 1 }
            if c == UInt8(ascii: "}") && depth > 0 { depth -= 1 }
            q += 1
        }
        diagnostics.append(Diagnostic(.error, "unterminated string: add a closing \"", at: file.location(start)))
        tokens.append(Token(kind: .string, text: text(min(start + 1, end), end), offset: start, length: end - start))
        return end
    }

    /// Whether a byte can begin something the lexer knows (or is a separator).
    private static func startsToken(_ b: UInt8) -> Bool {
        isIdentPart(b) || b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") || b == UInt8(ascii: "\"")
            || b == UInt8(ascii: "#") || oneCharSymbols.contains(b) || b == UInt8(ascii: "!")
    }

    private static let twoCharSymbols: Set<String> = ["==", "!=", "<=", ">="]
    private static let oneCharSymbols: Set<UInt8> = Set("=<>+-*/%()[],.:".utf8)

    private mutating func lexSymbol(_ p: Int, _ end: Int) -> Int {
        if p + 1 < end {
            let two = text(p, p + 2)
            if Lexer.twoCharSymbols.contains(two) {
                tokens.append(Token(kind: .symbol, text: two, offset: p, length: 2))
                return p + 2
            }
        }
        if Lexer.oneCharSymbols.contains(bytes[p]) {
            tokens.append(Token(kind: .symbol, text: text(p, p + 1), offset: p, length: 1))
            return p + 1
        }
        // Skip one whole character (not just one byte) so the message names it.
        var q = p + 1
        while q < end, bytes[q] & 0xC0 == 0x80 { q += 1 }
        let ch = text(p, q)
        let hint = ch == "$" ? ": a command starts with '$ ' (dollar, space)" : ""
        // A run of characters the language does not use is one error, not one per byte.
        var runEnd = q
        while runEnd < end, !Lexer.startsToken(bytes[runEnd]) { runEnd += 1 }
        let more = runEnd > q ? " (and \(runEnd - q) more bytes like it)" : ""
        diagnostics.append(Diagnostic(.error, "unexpected character '\(ch)'\(hint)\(more)", at: file.location(p),
                                      length: min(runEnd - p, 80)))
        return runEnd
    }

    // MARK: Commands

    /// `$ text` to the end of the line; `\` at the end continues onto the next line;
    /// `$ |` takes the following, more deeply indented lines as a script.
    private mutating func lexCommand(dollar: Int, lineEnd end: Int, lineIndent: Int) {
        var textStart = min(dollar + 2, end)
        var script = text(textStart, end)
        if script.trimmingCharacters(in: " ") == "|" {
            script = blockScript(deeperThan: lineIndent)
            textStart = dollar
        } else {
            while script.hasSuffix("\\"), lineIndex < file.lineStarts.count {
                let nextStart = file.lineStarts[lineIndex]
                script += "\n" + text(nextStart, lineEnd(lineIndex))
                lineIndex += 1
            }
        }
        if script.trimmingCharacters(in: " ").isEmpty {
            diagnostics.append(Diagnostic(.error, "empty command after '$'", at: file.location(dollar)))
        }
        tokens.append(Token(kind: .command, text: script, offset: dollar, length: max(1, end - dollar)))
    }

    private mutating func blockScript(deeperThan indent: Int) -> String {
        var lines: [(Int, Int)] = []   // (start, end) of each line of the block
        while lineIndex < file.lineStarts.count {
            let s = file.lineStarts[lineIndex], e = lineEnd(lineIndex)
            var p = s
            while p < e, bytes[p] == UInt8(ascii: " ") { p += 1 }
            if p < e && p - s <= indent { break }
            lines.append((s, e))
            lineIndex += 1
        }
        // Blank lines at the end belong to what follows, not to the script.
        while let last = lines.last, text(last.0, last.1).allSatisfy({ $0 == " " }) { lines.removeLast() }
        let common = lines.compactMap { (s, e) -> Int? in
            var p = s
            while p < e, bytes[p] == UInt8(ascii: " ") { p += 1 }
            return p < e ? p - s : nil
        }.min() ?? 0
        return lines.map { (s, e) in e - s >= common ? text(s + common, e) : "" }.joined(separator: "\n")
    }
}

private extension String {
    func trimmingCharacters(in set: Character) -> Substring {
        var s = Substring(self)
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return s
    }
}
