/// Recursive-descent parser from tokens to a `Runbook`. It reports every error it can find:
/// after a bad statement it skips to the next line (and over that line's block) and goes on.
public struct Parser {
    let file: SourceFile
    var tokens: [Token]
    var pos = 0
    var diagnostics: [Diagnostic] = []
    var comments: [Comment] = []
    /// The step being parsed, for default `ask` ids.
    var currentStepID = ""
    var askCount = 0
    /// Current nesting of blocks and expressions. Bounded, so that a hostile file cannot
    /// overflow the stack of the parser, the checker or the interpreter (all recursive).
    var depth = 0
    static let maxDepth = 64

    public init(file: SourceFile) {
        self.file = file
        var lexer = Lexer(file: file)
        let output = lexer.tokenize()
        self.tokens = output.tokens
        self.comments = output.comments
        self.diagnostics = output.diagnostics
    }

    /// Parses a whole file. Returns the runbook when there were no errors, and all diagnostics.
    public static func parse(_ file: SourceFile) -> (runbook: Runbook?, diagnostics: [Diagnostic]) {
        var parser = Parser(file: file)
        let runbook = parser.parseFile()
        let hasErrors = parser.diagnostics.contains { $0.severity == .error }
        // Lexer errors are found before parser errors; report both in source order.
        return (hasErrors ? nil : runbook, parser.diagnostics.sortedBySource())
    }

    // MARK: Token helpers

    var current: Token { tokens[pos] }
    func peek(_ n: Int = 1) -> Token { tokens[min(pos + n, tokens.count - 1)] }
    var atEnd: Bool { current.kind == .eof }

    @discardableResult
    mutating func advance() -> Token {
        let t = tokens[pos]
        if pos < tokens.count - 1 { pos += 1 }
        return t
    }

    mutating func error(_ message: String, at token: Token? = nil) {
        let t = token ?? current
        diagnostics.append(Diagnostic(.error, message, at: t.span, in: file))
    }

    /// From `start` to the end of the last token read that has text (line ends and block
    /// marks have none), so a statement's span ends with its block's last word.
    func span(from start: Int) -> Span {
        var i = pos - 1
        while i > 0 && [.newline, .indent, .dedent, .eof].contains(tokens[i].kind) { i -= 1 }
        return Span(from: start, to: max(start, tokens[max(0, i)].span.end))
    }

    func describe(_ t: Token) -> String {
        switch t.kind {
        case .newline: return "end of line"
        case .indent: return "an indented block"
        case .dedent: return "end of block"
        case .eof: return "end of file"
        case .string: return "a string"
        case .command: return "a command"
        case .number, .duration: return "'\(t.text)'"
        case .identifier, .symbol: return "'\(t.text)'"
        }
    }

    /// Thrown to abandon the statement being parsed; the caller resynchronises.
    struct Abandon: Error {}

    mutating func expectSymbol(_ s: String, _ context: String) throws {
        guard current.is(s) else {
            error("expected '\(s)' \(context), found \(describe(current))")
            throw Abandon()
        }
        advance()
    }

    mutating func expectWord(_ w: String, _ context: String) throws {
        guard current.isWord(w) else {
            error("expected '\(w)' \(context), found \(describe(current))")
            throw Abandon()
        }
        advance()
    }

    mutating func expectIdentifier(_ what: String) throws -> Token {
        guard current.kind == .identifier else {
            error("expected \(what), found \(describe(current))")
            throw Abandon()
        }
        return advance()
    }

    mutating func expectString(_ what: String) throws -> Token {
        guard current.kind == .string else {
            error("expected \(what) in double quotes, found \(describe(current))")
            throw Abandon()
        }
        return advance()
    }

    mutating func expectNewline() throws {
        guard current.kind == .newline || current.kind == .eof else {
            error("unexpected \(describe(current)) at end of statement")
            throw Abandon()
        }
        if current.kind == .newline { advance() }
    }

    /// Skips the rest of the line, and the indented block under it if there is one.
    mutating func synchronize() {
        while !atEnd && current.kind != .newline {
            if current.kind == .dedent { return }
            if current.kind == .indent { skipBlock(); continue }
            advance()
        }
        if current.kind == .newline { advance() }
        if current.kind == .indent { skipBlock() }
    }

    mutating func skipBlock() {
        var depth = 0
        repeat {
            if current.kind == .indent { depth += 1 }
            if current.kind == .dedent { depth -= 1 }
            advance()
        } while depth > 0 && !atEnd
    }

    // MARK: File and header

    mutating func parseFile() -> Runbook {
        while current.kind == .newline { advance() }
        var runbook = Runbook(file: file, title: "", titleSpan: Span(start: 0, length: 0), description: [], params: [],
                              shell: nil, timeout: nil, sshOptions: [], steps: [], comments: [])
        if current.isWord("runbook") || current.isWord("library") {
            runbook.isLibrary = advance().text == "library"
            if let t = try? expectString(runbook.isLibrary ? "the library's title" : "the runbook's title") {
                runbook.title = unescape(t)
                runbook.titleSpan = t.span
            }
            if (try? expectNewline()) == nil { synchronize() }
        } else {
            error("a runbook starts with its title: runbook \"What this runbook diagnoses\"")
        }
        parseHeader(into: &runbook)
        while !atEnd {
            if current.kind == .dedent || current.kind == .newline { advance(); continue }
            if current.isWord("step") {
                if runbook.isLibrary && runbook.steps.isEmpty {
                    error("a library has no steps: it holds param, env, prelude and use lines for runbooks that use it")
                }
                if let step = parseStep() { runbook.steps.append(step) }
            } else {
                error("expected 'step', found \(describe(current))")
                synchronize()
            }
        }
        if runbook.steps.isEmpty && !runbook.isLibrary && !diagnostics.contains(where: { $0.severity == .error }) {
            diagnostics.append(Diagnostic(.error, "the runbook has no steps", at: runbook.titleSpan, in: file))
        }
        runbook.comments = comments
        return runbook
    }

    mutating func parseHeader(into runbook: inout Runbook) {
        while current.kind == .identifier && !current.isWord("step") {
            do {
                let word = current
                if runbook.isLibrary && ["shell", "timeout", "ssh-option"].contains(word.text) {
                    error("a library cannot set \(word.text): it belongs to the runbook that uses the library", at: word)
                }
                switch word.text {
                case "description":
                    advance()
                    runbook.description.append(unescape(try expectString("the description")))
                case "param", "secret":
                    runbook.params.append(try parseParam())
                case "shell":
                    advance()
                    runbook.shell = unescape(try expectString("the shell's path"))
                case "timeout":
                    advance()
                    runbook.timeout = try parseDurationToken()
                case "ssh-option":
                    advance()
                    runbook.sshOptions.append(unescape(try expectString("an ssh option such as \"Port=2222\"")))
                case "use":
                    advance()
                    let path = try expectString("the library's path")
                    runbook.uses.append(Use(path: unescape(path), span: span(from: word.offset), pathSpan: path.span))
                case "env":
                    runbook.environment.append(try parseEnvSetting())
                case "prelude":
                    advance()
                    guard current.kind == .command else {
                        error("expected '|' after 'prelude', then the shell text indented on the following lines")
                        throw Abandon()
                    }
                    let block = advance()
                    runbook.preludes.append(Prelude(script: block.text, span: span(from: word.offset)))
                default:
                    error("unknown header line '\(word.text)': expected description, param, secret param, shell, timeout, ssh-option, use, env, prelude or step")
                    throw Abandon()
                }
                try expectNewline()
            } catch {
                synchronize()
            }
        }
    }

    mutating func parseParam() throws -> Param {
        let start = current.offset
        var secret = false
        if current.isWord("secret") {
            secret = true
            advance()
        }
        try expectWord("param", secret ? "after 'secret'" : "")
        let name = try expectIdentifier("the parameter's name")
        try checkVariableName(name)
        var defaultValue: Expr?
        if current.is("=") {
            advance()
            defaultValue = try parseExpression()
        }
        var help: String?
        if current.kind == .string { help = unescape(advance()) }
        return Param(name: name.text, defaultValue: defaultValue, help: help, secret: secret, span: span(from: start),
                     nameSpan: name.span)
    }

    mutating func parseEnvSetting() throws -> EnvSetting {
        let start = advance().offset
        let name = try expectIdentifier("the environment variable's name")
        try checkVariableName(name)
        try expectSymbol("=", "after the environment variable's name")
        let value = try parseExpression()
        return EnvSetting(name: name.text, value: value, span: span(from: start), nameSpan: name.span)
    }

    mutating func checkVariableName(_ token: Token) throws {
        if token.text.contains("-") {
            error("'\(token.text)' cannot name a value: use letters, digits and '_' (a '-' reads as minus)", at: token)
            throw Abandon()
        }
    }

    mutating func parseDurationToken() throws -> Double {
        let t = current
        switch t.kind {
        case .duration, .number:
            advance()
            return literalValue(t)
        default:
            error("expected a duration such as 30s, 500ms or 2m, found \(describe(t))")
            throw Abandon()
        }
    }

    /// A number or duration token's value (seconds for a duration). Digits enough to
    /// overflow a Double are an error here, where the position is known, rather than an
    /// infinity that later waits, indexes or converts to an integer.
    mutating func literalValue(_ t: Token) -> Double {
        let value = t.kind == .duration ? Parser.seconds(of: t.text) : Double(t.text) ?? 0
        if !value.isFinite {
            let shown = t.text.count > 24 ? "\(t.text.prefix(12))… (\(t.text.count) characters)" : t.text
            error("\(shown) is too large: numbers go up to about 1.8e308", at: t)
            return 0
        }
        return value
    }

    static func seconds(of duration: String) -> Double {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (unit, factor) in units where duration.hasSuffix(unit) {
            let number = duration.dropLast(unit.count)
            if let value = Double(number), !number.isEmpty, number.last!.isNumber { return value * factor }
        }
        return Double(duration) ?? 0
    }

    // MARK: Steps

    mutating func parseStep() -> Step? {
        let stepToken = advance()
        do {
            let id = try expectIdentifier("the step's id")
            let title = try expectString("the step's title")
            var host: Expr?
            if current.isWord("on") {
                advance()
                host = try parseExpression()
            }
            let line = span(from: stepToken.offset)
            try expectNewline()
            currentStepID = id.text
            askCount = 0
            guard current.kind == .indent else {
                error("step '\(id.text)' has no body: indent its statements under the step line", at: id)
                return nil
            }
            let body = parseBlock()
            return Step(id: id.text, title: unescape(title), host: host, body: body, span: line, idSpan: id.span)
        } catch {
            synchronize()
            return nil
        }
    }

    /// Enters one level of nesting; reports and gives up on the statement past the limit.
    mutating func nest() throws {
        depth += 1
        if depth > Parser.maxDepth {
            error("nested more than \(Parser.maxDepth) levels deep: split this into steps or simpler expressions")
            throw Abandon()
        }
    }

    /// INDENT statement… DEDENT. Assumes the current token is INDENT.
    mutating func parseBlock() -> [Stmt] {
        if depth >= Parser.maxDepth {
            error("blocks nested more than \(Parser.maxDepth) levels deep: split this into steps")
            skipBlock()
            return []
        }
        depth += 1
        defer { depth -= 1 }
        advance()
        var body: [Stmt] = []
        while !atEnd && current.kind != .dedent {
            if current.kind == .newline { advance(); continue }
            if current.kind == .indent {
                error("unexpected indentation")
                skipBlock()
                continue
            }
            let before = pos
            do {
                body.append(try parseStatement())
            } catch {
                synchronize()
            }
            if pos == before { advance() }   // never loop without consuming input
        }
        if current.kind == .dedent { advance() }
        return body
    }

    mutating func parseIndentedBlock(_ owner: String) throws -> [Stmt] {
        try expectNewline()
        guard current.kind == .indent else {
            error("\(owner) needs an indented block on the following lines")
            throw Abandon()
        }
        return parseBlock()
    }
}
