import Foundation

/// Reads a `.scenario` file (format: docs/TESTING.md). The first problem found is thrown as a
/// `Diagnostic`, which prints as `file:line:col: error: …`.
public struct ScenarioParser {
    private let file: SourceFile
    private let lexer: ScenarioLexer
    private var scenario: Scenario
    private var sawTitle = false
    private var sawRunbook = false
    /// The `when` block being read; its indented lines follow it.
    private var current: CommandAnswer?
    /// Where `| …` lines go: into stdout, stderr or a `when $ |` script.
    private var textBlock: TextBlock?

    private struct TextBlock {
        enum Target { case stdout, stderr, script }
        let target: Target
        let indent: Int
        let offset: Int
        var lines: [String] = []
    }

    public static func parse(path: String) throws -> Scenario {
        switch RunbookLoader.readSource(path: path) {
        case .failure(let diagnostic): throw diagnostic
        case .success(let file): return try parse(file)
        }
    }

    public static func parse(_ file: SourceFile) throws -> Scenario {
        var parser = ScenarioParser(file: file)
        return try parser.parseFile()
    }

    private init(file: SourceFile) {
        self.file = file
        self.lexer = ScenarioLexer(file: file)
        self.scenario = Scenario(file: file, title: "", runbookPath: "", runbookSpan: Span(start: 0, length: 0), target: nil,
                                 params: [], answers: [], commandAnswers: [], expectations: [])
    }

    private func error(_ message: String, at offset: Int, length: Int = 1) -> Diagnostic {
        lexer.error(message, at: offset, length: length)
    }

    private func error(_ message: String, at token: ScenarioToken) -> Diagnostic {
        lexer.error(message, at: token.offset, length: max(1, token.length))
    }

    // MARK: Lines

    private mutating func parseFile() throws -> Scenario {
        var index = 0
        while index < file.lineStarts.count {
            guard let line = try lexer.line(index) else {
                index += 1
                continue
            }
            index += 1
            if line.tokens.first?.kind == .text {
                try addTextLine(line)
                continue
            }
            try closeTextBlock()
            if line.indent == 0 {
                closeWhen()
                index = try parseTopLevel(line, nextLine: index)
            } else {
                try parseWhenLine(line)
            }
        }
        try closeTextBlock()
        closeWhen()
        try checkComplete()
        return scenario
    }

    private func checkComplete() throws {
        if !sawTitle { throw error("a scenario starts with its title: scenario \"What this situation is\"", at: 0) }
        if !sawRunbook { throw error("the scenario names no runbook: add  runbook \"path/to/file.runbook\"", at: 0) }
        if scenario.expectations.isEmpty {
            throw error("the scenario expects nothing: add an expect line, e.g.  expect conclusion ~ \"…\"", at: 0)
        }
    }

    private mutating func addTextLine(_ line: ScenarioLine) throws {
        guard var block = textBlock, line.indent > block.indent else {
            throw error("a '|' line belongs under stdout, stderr or 'when $ |', indented deeper", at: line.start)
        }
        block.lines.append(line.tokens[0].text)
        textBlock = block
    }

    private mutating func closeTextBlock() throws {
        guard let block = textBlock else { return }
        textBlock = nil
        guard !block.lines.isEmpty else {
            let what = block.target == .script ? "'when $ |'" : "this output"
            throw error("\(what) needs its lines below it, each starting with '| '", at: block.offset)
        }
        switch block.target {
        case .stdout: current?.stdout = block.lines.joined(separator: "\n") + "\n"
        case .stderr: current?.stderr = block.lines.joined(separator: "\n") + "\n"
        case .script: current?.pattern = .exact(block.lines.joined(separator: "\n"))
        }
    }

    private mutating func closeWhen() {
        if let answer = current { scenario.commandAnswers.append(answer) }
        current = nil
    }

    // MARK: Top level

    /// Parses a line in column 1; returns the index of the next line to read (a `\`
    /// continuation in `when $ …` takes the following lines).
    private mutating func parseTopLevel(_ line: ScenarioLine, nextLine: Int) throws -> Int {
        var tokens = TokenCursor(tokens: line.tokens, lineEnd: lexer.lineEnd(line.index), lexer: lexer)
        let keyword = try tokens.word("a keyword (scenario, runbook, cluster, target, param, answer, when, expect, known-wrong)")
        switch keyword.text {
        case "scenario":
            if sawTitle { throw error("a second 'scenario' line: one scenario per file", at: keyword) }
            sawTitle = true
            scenario.title = try tokens.string("the scenario's title").text
        case "runbook":
            if sawRunbook { throw error("a second 'runbook' line: a scenario tests one runbook", at: keyword) }
            sawRunbook = true
            let path = try tokens.string("the runbook's path")
            scenario.runbookPath = path.text
            scenario.runbookSpan = path.span
        case "cluster":
            if scenario.cluster != nil { throw error("a second 'cluster' line: a scenario runs against one cluster", at: keyword) }
            let path = try tokens.string("the cluster directory's path")
            scenario.cluster = Scenario.ClusterReference(path: path.text, span: path.span,
                                                         resolvedPath: CheckedRunbook.resolve(path.text, from: file.path))
        case "known-wrong":
            if scenario.knownWrong != nil { throw error("a second 'known-wrong' line", at: keyword) }
            let reason = try tokens.string("what the runbook gets wrong")
            if reason.text.trimmingCharacters(in: .whitespaces).isEmpty {
                throw error("'known-wrong' needs the reason: what the runbook says instead of the right diagnosis", at: reason)
            }
            scenario.knownWrong = Scenario.KnownWrong(reason: reason.text, offset: keyword.offset)
        case "target":
            scenario.target = try tokens.string("the host the run targets").text
        case "param", "answer":
            let setting = try parseSetting(&tokens, what: keyword.text)
            let list = keyword.text == "param" ? scenario.params : scenario.answers
            if list.contains(where: { $0.name == setting.name }) {
                throw Diagnostic(.error, "'\(setting.name)' is given twice", at: setting.nameSpan, in: file)
            }
            if keyword.text == "param" { scenario.params.append(setting) } else { scenario.answers.append(setting) }
        case "when":
            return try parseWhen(&tokens, line: line, nextLine: nextLine)
        case "expect":
            scenario.expectations.append(try parseExpectation(&tokens, keyword: keyword))
        default:
            throw error("unknown line '\(keyword.text)': expected scenario, runbook, cluster, target, param, answer, when, expect or known-wrong", at: keyword)
        }
        try tokens.end()
        return nextLine
    }

    private func parseSetting(_ tokens: inout TokenCursor, what: String) throws -> Scenario.Setting {
        let name = try tokens.word(what == "param" ? "the parameter's name" : "the question's id")
        try tokens.symbol("=", "after '\(name.text)' (\(what) \(name.text) = \"value\")")
        let value = try tokens.value("the value")
        return Scenario.Setting(name: name.text, value: value.text, nameSpan: name.span)
    }

    private mutating func parseWhen(_ tokens: inout TokenCursor, line: ScenarioLine, nextLine: Int) throws -> Int {
        let head = line.tokens[0]
        if let command = tokens.next(), command.kind == .command {
            var text = command.text
            var next = nextLine
            if text.trimmingCharacters(in: .whitespaces) == "|" {
                current = CommandAnswer(pattern: .exact(""), offset: head.offset)
                textBlock = TextBlock(target: .script, indent: 0, offset: command.offset)
                return next
            }
            // Like the runbook: a line ending in `\` goes on with the next line.
            while text.hasSuffix("\\"), next < file.lineStarts.count {
                text += "\n" + lexer.text(file.lineStarts[next], lexer.lineEnd(next))
                next += 1
            }
            if text.trimmingCharacters(in: .whitespaces).isEmpty {
                throw error("'when $' needs the command text after '$ '", at: command)
            }
            current = CommandAnswer(pattern: .exact(text), offset: head.offset)
            return next
        } else {
            tokens.back()
        }
        guard tokens.peek()?.isSymbol("~") == true else {
            throw error("expected '$ command text' or '~ \"regex\"' after 'when'", at: tokens.peek() ?? head)
        }
        tokens.skip()
        let regex = try tokens.string("a regular expression")
        try checkRegex(regex)
        current = CommandAnswer(pattern: .regex(regex.text), offset: head.offset)
        try tokens.end()
        return nextLine
    }

    private func checkRegex(_ token: ScenarioToken) throws {
        if (try? NSRegularExpression(pattern: token.text)) == nil {
            throw error("invalid regular expression \(ScenarioText.quoted(token.text))", at: token)
        }
    }

    // MARK: when blocks

    private mutating func parseWhenLine(_ line: ScenarioLine) throws {
        guard current != nil else {
            throw error("unexpected indentation: only the lines of a 'when' block are indented", at: line.start)
        }
        var tokens = TokenCursor(tokens: line.tokens, lineEnd: lexer.lineEnd(line.index), lexer: lexer)
        let keyword = try tokens.word("stdout, stderr, exit, on, repeat, timeout or unreachable")
        switch keyword.text {
        case "stdout", "stderr":
            let target: TextBlock.Target = keyword.text == "stdout" ? .stdout : .stderr
            if let value = tokens.peek(), value.kind == .string {
                tokens.skip()
                let text = value.text.isEmpty ? "" : value.text + "\n"
                if target == .stdout { current?.stdout = text } else { current?.stderr = text }
            } else {
                textBlock = TextBlock(target: target, indent: line.indent, offset: keyword.offset)
            }
        case "exit":
            let number = try tokens.word("the exit code")
            guard let code = Int32(number.text), (0...255).contains(code) else {
                throw error("an exit code is a whole number from 0 to 255", at: number)
            }
            current?.exitCode = code
        case "on":
            current?.host = try tokens.string("the host's name").text
        case "repeat":
            current?.repeats = true
        case "timeout":
            current?.timedOut = true
            if current?.exitCode == 0 { current?.exitCode = 124 }
        case "unreachable":
            current?.unreachable = true
            if current?.exitCode == 0 { current?.exitCode = 255 }
        default:
            throw error("unknown line '\(keyword.text)' in a 'when' block: expected stdout, stderr, exit, on, repeat, timeout or unreachable", at: keyword)
        }
        try tokens.end()
    }

    // MARK: Expectations

    private func parseExpectation(_ tokens: inout TokenCursor, keyword: ScenarioToken) throws -> Expectation {
        let what = try tokens.word("what to expect (conclusion, failure, status, severity, exit, steps, findings, finding, confirm)")
        let kind: Expectation.Kind
        switch what.text {
        case "conclusion": kind = .conclusion(try textMatch(&tokens))
        case "failure": kind = .failure(try textMatch(&tokens))
        case "finding": kind = .finding(try textMatch(&tokens))
        case "confirm": kind = .confirmation(try textMatch(&tokens))
        case "status":
            let status = try tokens.word("a status (\(Expectation.statuses.joined(separator: ", ")))")
            guard Expectation.statuses.contains(status.text) else {
                throw error("unknown status '\(status.text)': expected \(Expectation.statuses.joined(separator: ", "))", at: status)
            }
            kind = .status(status.text)
        case "steps":
            var ids = [try tokens.word("a step id").text]
            while tokens.peek()?.isSymbol(",") == true {
                tokens.skip()
                ids.append(try tokens.word("a step id after ','").text)
            }
            kind = .steps(ids)
        case "severity":
            let names = Severity.allCases.map(\.rawValue)
            let word = try tokens.word("a severity (\(names.joined(separator: ", ")))")
            guard let severity = Severity(rawValue: word.text) else {
                throw error("unknown severity '\(word.text)': expected \(names.joined(separator: ", "))", at: word)
            }
            kind = .severity(severity)
        case "exit":
            let number = try tokens.word("an exit code")
            guard let n = Int32(number.text), n >= 0, n <= 255 else {
                throw error("expected an exit code from 0 to 255, found '\(number.text)'", at: number)
            }
            kind = .exitCode(n)
        case "findings":
            let number = try tokens.word("how many findings")
            guard let n = Int(number.text), n >= 0 else {
                throw error("expected a whole number of findings, found '\(number.text)'", at: number)
            }
            kind = .findingCount(n)
        default:
            throw error("unknown expectation '\(what.text)': expected conclusion, failure, status, severity, exit, steps, findings, finding or confirm", at: what)
        }
        return Expectation(kind: kind, offset: keyword.offset)
    }

    /// `"exact text"` or `~ "regex"`.
    private func textMatch(_ tokens: inout TokenCursor) throws -> TextMatch {
        if tokens.peek()?.isSymbol("~") == true {
            tokens.skip()
            let regex = try tokens.string("a regular expression")
            try checkRegex(regex)
            return .regex(regex.text)
        }
        return .exact(try tokens.string("the text (or ~ \"regex\")").text)
    }
}

/// Walks the tokens of one line, with errors that say what was expected.
private struct TokenCursor {
    let tokens: [ScenarioToken]
    let lineEnd: Int
    let lexer: ScenarioLexer
    private var pos = 0

    init(tokens: [ScenarioToken], lineEnd: Int, lexer: ScenarioLexer) {
        self.tokens = tokens
        self.lineEnd = lineEnd
        self.lexer = lexer
    }

    func peek() -> ScenarioToken? { pos < tokens.count ? tokens[pos] : nil }
    mutating func skip() { pos += 1 }
    mutating func back() { pos -= 1 }

    mutating func next() -> ScenarioToken? {
        defer { pos += 1 }
        return peek()
    }

    private func found() -> String {
        guard let t = peek() else { return "end of line" }
        switch t.kind {
        case .string: return "a string"
        case .command: return "a command"
        case .text: return "a '|' line"
        default: return "'\(t.text)'"
        }
    }

    private func fail(_ expected: String) -> Diagnostic {
        lexer.error("expected \(expected), found \(found())", at: peek()?.offset ?? lineEnd, length: peek()?.length ?? 1)
    }

    mutating func word(_ what: String) throws -> ScenarioToken {
        guard let t = peek(), t.kind == .word else { throw fail(what) }
        pos += 1
        return t
    }

    mutating func string(_ what: String) throws -> ScenarioToken {
        guard let t = peek(), t.kind == .string else { throw fail("\(what) in double quotes") }
        pos += 1
        return t
    }

    /// A quoted string or a bare word (`param port = 8080`).
    mutating func value(_ what: String) throws -> ScenarioToken {
        guard let t = peek(), t.kind == .string || t.kind == .word else { throw fail(what) }
        pos += 1
        return t
    }

    mutating func symbol(_ s: String, _ context: String) throws {
        guard peek()?.isSymbol(s) == true else { throw fail("'\(s)' \(context)") }
        pos += 1
    }

    func end() throws {
        guard let t = peek() else { return }
        throw lexer.error("unexpected \(found()) at the end of the line", at: t.offset, length: t.length)
    }
}
