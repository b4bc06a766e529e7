extension Parser {
    static let modifierWords: Set<String> = ["on", "timeout", "confirm", "quiet", "allow-fail", "allow-unreachable"]

    mutating func parseStatement() throws -> Stmt {
        // Statements with a block of their own; everything else fits on one line.
        if current.kind == .identifier && !peek().is("=") {
            switch current.text {
            case "if": return try parseIf()
            case "foreach": return try parseForeach()
            case "retry": return try parseRetry()
            case "ask": return try parseAsk()
            default: break
            }
        }
        let stmt = try parseSimpleStatement()
        try expectNewline()
        return stmt
    }

    /// A statement that fits on one line; the caller consumes the end of line.
    mutating func parseSimpleStatement() throws -> Stmt {
        let t = current
        if t.kind == .command {
            let command = try parseCommand()
            return Stmt(kind: .command(capture: nil, command), span: command.span)
        }
        guard t.kind == .identifier else {
            error("expected a statement, found \(describe(t))")
            throw Abandon()
        }
        if peek().is("=") { return try parseAssignment() }
        switch t.text {
        case "export":
            advance()
            let name = try expectIdentifier("the name of the exported value")
            try checkVariableName(name)
            guard current.is("=") else {
                error("expected '=' after 'export \(name.text)': export NAME = VALUE")
                throw Abandon()
            }
            advance()
            return Stmt(kind: .export(name: name.text, value: try parseExpression()), span: span(from: t.offset), nameSpan: name.span)
        case "goto":
            advance()
            let target = try expectIdentifier("the id of the step to go to")
            return Stmt(kind: .goto(target.text), span: span(from: t.offset), nameSpan: target.span)
        case "conclude":
            advance()
            var severity = ConclusionSeverity.unstated
            if current.kind == .identifier && (current.text == "ok" || current.text == "unknown") {
                severity = current.text == "ok" ? .ok : .unknown
                advance()
            } else if current.kind == .identifier {
                error("expected 'ok', 'unknown' or the conclusion in quotes after 'conclude', found \(describe(current)) (write `diagnose \"…\"` for a problem)")
                throw Abandon()
            }
            let message = try parseTemplate("the conclusion")
            return Stmt(kind: .conclude(message, severity: severity), span: span(from: t.offset))
        case "diagnose":
            advance()
            let message = try parseTemplate("the diagnosis")
            return Stmt(kind: .conclude(message, severity: .problem), span: span(from: t.offset))
        case "fail":
            advance()
            let message = try parseTemplate("the failure message")
            return Stmt(kind: .fail(message), span: span(from: t.offset))
        case "print":
            advance()
            let message = try parseTemplate("the message")
            return Stmt(kind: .print(message), span: span(from: t.offset))
        case "expect", "require":
            advance()
            let condition = try parseCondition()
            try expectWord("else", "after the condition (\(t.text) CONDITION else \"what it means\")")
            var severity = FindingSeverity.failing
            if t.text == "expect" && current.kind == .identifier && current.text == "warn" {
                severity = .warning
                advance()
            }
            let message = try parseTemplate("what it means when the condition does not hold")
            return Stmt(kind: t.text == "expect" ? .expect(condition, message: message, severity: severity) : .require(condition, message: message),
                        span: span(from: t.offset))
        case "run":
            let call = try parseCall()
            return Stmt(kind: .call(capture: nil, call), span: call.span)
        case "confirm" where peek().kind == .string && peek(2).kind == .newline:
            advance()
            let question = try parseTemplate("the question")
            return Stmt(kind: .confirm(question), span: span(from: t.offset))
        case _ where Parser.modifierWords.contains(t.text):
            let command = try parseCommand()
            return Stmt(kind: .command(capture: nil, command), span: command.span)
        case "if", "foreach", "retry", "ask":
            error("'\(t.text)' needs its own line and block")
            throw Abandon()
        case "elif", "elsif", "elseif":
            error("'\(t.text)' is not a keyword: write 'else if'", at: t)
            throw Abandon()
        default:
            error("unknown statement '\(t.text)'")
            throw Abandon()
        }
    }

    mutating func parseAssignment() throws -> Stmt {
        let name = advance()
        try checkVariableName(name)
        advance()  // '='
        let kind: Stmt.Kind
        if current.kind == .command || (current.kind == .identifier && Parser.modifierWords.contains(current.text)
                                         && !isExpressionStart(after: current)) {
            kind = .command(capture: name.text, try parseCommand())
        } else if current.isWord("run") && peek().kind == .string {
            kind = .call(capture: name.text, try parseCall())
        } else {
            kind = .assign(name: name.text, value: try parseExpression())
        }
        return Stmt(kind: kind, span: span(from: name.offset), nameSpan: name.span)
    }

    /// `on`, `timeout` … are modifiers only when a command follows; `x = timeout` would be
    /// a variable. A modifier word is followed by something other than an operator or line end.
    func isExpressionStart(after token: Token) -> Bool {
        let next = peek()
        return next.kind == .newline || next.kind == .eof || (next.kind == .symbol && next.text != "(" && next.text != "[" && next.text != "-")
    }

    mutating func parseCommand() throws -> Command {
        let start = current.offset
        var host: Expr?
        var timeout: Double?
        var timeoutSpan: Span?
        var confirm: Template?
        var confirmSpan: Span?
        var quiet = false
        var allowFail = false
        var allowUnreachable = false
        while current.kind == .identifier {
            let word = advance()
            switch word.text {
            case "on": host = try parseExpression()
            case "timeout":
                timeoutSpan = current.span
                timeout = try parseDurationToken()
            case "confirm":
                confirm = current.kind == .string ? try parseTemplate("the question")
                                                  : Template(parts: [], raw: "", span: word.span)
                confirmSpan = span(from: word.offset)
            case "quiet": quiet = true
            case "allow-fail": allowFail = true
            case "allow-unreachable": allowUnreachable = true
            default:
                error("expected a command modifier (on, timeout, confirm, quiet, allow-fail, allow-unreachable) or '$ ', found '\(word.text)'", at: word)
                throw Abandon()
            }
        }
        guard current.kind == .command else {
            error("expected a command ('$ ' followed by shell text), found \(describe(current))")
            throw Abandon()
        }
        let script = advance().text
        return Command(script: script, host: host, timeout: timeout, confirm: confirm, quiet: quiet,
                       allowFail: allowFail, allowUnreachable: allowUnreachable, span: span(from: start), timeoutSpan: timeoutSpan, confirmSpan: confirmSpan)
    }

    mutating func parseCall() throws -> Call {
        let start = advance().offset   // 'run'
        let path = try expectString("the path of the runbook to run")
        var host: Expr?
        if current.isWord("on") {
            advance()
            host = try parseExpression()
        }
        var arguments: [Call.Argument] = []
        while current.kind == .identifier {
            let name = advance()
            try expectSymbol("=", "after the argument name '\(name.text)' (name=value)")
            arguments.append(Call.Argument(name: name.text, value: try parseExpression(), nameSpan: name.span))
        }
        return Call(path: unescape(path), host: host, arguments: arguments, span: span(from: start), pathSpan: path.span)
    }

    mutating func parseIf() throws -> Stmt {
        let start = advance().offset
        var branches = [Branch(condition: try parseCondition(), body: try parseIndentedBlock("'if'"))]
        var elseBody: [Stmt]?
        while current.isWord("else") {
            advance()
            if current.isWord("if") {
                advance()
                branches.append(Branch(condition: try parseCondition(), body: try parseIndentedBlock("'else if'")))
            } else {
                elseBody = try parseIndentedBlock("'else'")
                break
            }
        }
        return Stmt(kind: .ifElse(branches: branches, elseBody: elseBody), span: span(from: start))
    }

    /// A condition; `if n = 1` is a comparison written with one '='.
    mutating func parseCondition() throws -> Expr {
        let condition = try parseExpression()
        if current.is("=") {
            error("'=' sets a variable; to compare, write '=='", at: current)
            throw Abandon()
        }
        return condition
    }

    mutating func parseForeach() throws -> Stmt {
        let start = advance().offset
        let variable = try expectIdentifier("the loop variable's name")
        try checkVariableName(variable)
        try expectWord("in", "after the loop variable (foreach NAME in LIST)")
        let list = try parseExpression()
        var parallel: Int?
        if current.isWord("parallel") {
            advance()
            parallel = try parseCount("how many iterations may run at once")
        }
        let body = try parseIndentedBlock("'foreach'")
        return Stmt(kind: .foreach(variable: variable.text, list: list, parallel: parallel, body: body),
                    span: span(from: start), nameSpan: variable.span)
    }

    mutating func parseCount(_ what: String) throws -> Int {
        guard current.kind == .number, let n = Int(current.text), n >= 1 else {
            error("expected a whole number of at least 1 for \(what), found \(describe(current))")
            throw Abandon()
        }
        advance()
        return n
    }

    mutating func parseRetry() throws -> Stmt {
        let start = advance().offset
        let count = try parseCount("the number of attempts")
        var every: Double?
        var backoff = false
        if current.isWord("every") {
            advance()
            every = try parseDurationToken()
            if current.isWord("backoff") {
                advance()
                backoff = true
            }
        }
        try expectWord("until", "(retry N every DURATION until CONDITION)")
        let condition = try parseCondition()
        var elseMessage: Template?
        if current.isWord("else") {
            advance()
            elseMessage = try parseTemplate("what it means when the condition never holds")
        }
        let body = try parseIndentedBlock("'retry'")
        return Stmt(kind: .retry(count: count, every: every, backoff: backoff, until: condition,
                                 elseMessage: elseMessage, body: body), span: span(from: start))
    }

    mutating func parseAsk() throws -> Stmt {
        let start = advance().offset
        var id: String
        var idSpan: Span?
        if current.kind == .identifier {
            let t = advance()
            id = t.text
            idSpan = t.span
        } else {
            askCount += 1
            id = askCount == 1 ? currentStepID : "\(currentStepID)-\(askCount)"
        }
        let question = try parseTemplate("the question")
        let line = span(from: start)
        try expectNewline()
        guard current.kind == .indent else {
            error("'ask' needs its choices on the following lines, e.g.  yes: goto next-step")
            throw Abandon()
        }
        advance()
        var choices: [Choice] = []
        while !atEnd && current.kind != .dedent {
            if current.kind == .newline { advance(); continue }
            let before = pos
            do {
                choices.append(try parseChoice())
            } catch {
                synchronize()
            }
            if pos == before { advance() }
        }
        if current.kind == .dedent { advance() }
        if choices.isEmpty {
            diagnostics.append(Diagnostic(.error, "'ask' has no choices", at: line, in: file))
        }
        return Stmt(kind: .ask(id: id, question: question, choices: choices), span: span(from: start), nameSpan: idSpan)
    }

    mutating func parseChoice() throws -> Choice {
        let t = current
        guard t.kind == .identifier || t.kind == .string || t.kind == .number else {
            error("expected a choice such as  yes: …, found \(describe(t))")
            throw Abandon()
        }
        advance()
        let label = t.kind == .string ? unescape(t) : t.text
        try expectSymbol(":", "after the choice '\(label)'")
        if current.kind == .newline {
            return Choice(label: label, body: try parseIndentedBlock("the choice '\(label)'"), labelSpan: t.span)
        }
        let stmt = try parseSimpleStatement()
        try expectNewline()
        return Choice(label: label, body: [stmt], labelSpan: t.span)
    }
}
