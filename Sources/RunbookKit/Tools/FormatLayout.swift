/// Lays a parsed runbook out canonically: header lines in a fixed order, one blank line
/// before each step, two spaces per block level, expressions and strings reprinted,
/// command text copied byte for byte. Comments go where `CommentPlacement` says.
struct FormatLayout {
    private let runbook: Runbook
    private let tokens: SourceTokens
    private let expressions: ExprPrinter
    private var out: FormatOutput
    private var lastIndent = 0

    init(runbook: Runbook, tokens: SourceTokens) {
        self.runbook = runbook
        self.tokens = tokens
        expressions = ExprPrinter(file: runbook.file)
        out = FormatOutput(file: runbook.file,
                           comments: CommentPlacement(comments: runbook.comments, tokens: tokens))
    }

    mutating func text() -> String {
        header()
        for step in runbook.steps { self.step(step) }
        out.finish(lastIndent: lastIndent)
        return out.text
    }

    private func e(_ expr: Expr) -> String { expressions.print(expr) }
    private func line(_ offset: Int) -> Int { tokens.line(offset) }

    private mutating func emit(_ text: String, _ indent: Int, _ sourceLines: [Int], _ blank: FormatOutput.Blank) {
        out.emit(text, indent: indent, sourceLines: sourceLines, blank: blank)
        lastIndent = indent
    }

    // MARK: Header

    /// Source lines of the header keywords the AST keeps no position for.
    private func headerLines() -> [String: [Int]] {
        let end = runbook.steps.first?.offset ?? runbook.file.bytes.count
        var result: [String: [Int]] = [:]
        for token in tokens.lineStarts(from: 0, to: end) where token.kind == .identifier {
            result[token.text, default: []].append(line(token.offset))
        }
        return result
    }

    private mutating func header() {
        let lines = headerLines()
        emit((runbook.isLibrary ? "library " : "runbook ") + ExprPrinter.quote(runbook.title), 0, [line(runbook.titleSpan.start)], .never)
        let descriptionLines = lines["description"] ?? []
        for (i, description) in runbook.description.enumerated() {
            let source = runbook.description.count == descriptionLines.count ? [descriptionLines[i]] : []
            emit("description " + ExprPrinter.quote(description), 0, source, .never)
        }
        for use in runbook.uses {
            emit("use " + ExprPrinter.quote(use.path), 0, [line(use.span.start)], .never)
        }
        for param in runbook.params {
            var text = (param.secret ? "secret " : "") + "param " + param.name
            if let value = param.defaultValue { text += " = " + e(value) }
            if let help = param.help { text += " " + ExprPrinter.quote(help) }
            emit(text, 0, [line(param.offset)], .never)
        }
        if let shell = runbook.shell {
            emit("shell " + ExprPrinter.quote(shell), 0, lines["shell"] ?? [], .never)
        }
        if let timeout = runbook.timeout {
            let source = lines["timeout"] ?? []
            let written = source.last.flatMap { l -> String? in
                let start = runbook.file.lineStarts[l - 1]
                return tokens.duration(after: "timeout", from: start, to: start + runbook.file.lineText(l).utf8.count)
            }
            emit("timeout " + (written ?? FormatLayout.duration(timeout)), 0, source, .never)
        }
        let optionLines = lines["ssh-option"] ?? []
        for (i, option) in runbook.sshOptions.enumerated() {
            let source = runbook.sshOptions.count == optionLines.count ? [optionLines[i]] : []
            emit("ssh-option " + ExprPrinter.quote(option), 0, source, .never)
        }
        for setting in runbook.environment {
            emit("env " + setting.name + " = " + e(setting.value), 0, [line(setting.span.start)], .never)
        }
        for prelude in runbook.preludes {
            emit("prelude |", 0, [line(prelude.span.start)], .preserve)
            out.script(prelude.script.split(separator: "\n", omittingEmptySubsequences: false).map(String.init), indent: 2)
        }
    }

    /// Seconds as the shortest exact duration: 90 → 90s, 120 → 2m, 0.5 → 500ms.
    static func duration(_ seconds: Double) -> String {
        if seconds >= 3600, seconds.truncatingRemainder(dividingBy: 3600) == 0 { return Value.format(seconds / 3600) + "h" }
        if seconds >= 60, seconds.truncatingRemainder(dividingBy: 60) == 0 { return Value.format(seconds / 60) + "m" }
        if seconds == seconds.rounded() { return Value.format(seconds) + "s" }
        let ms = seconds * 1000
        if ms == ms.rounded() { return Value.format(ms) + "ms" }
        return Value.format(seconds) + "s"
    }

    // MARK: Steps and blocks

    private mutating func step(_ step: Step) {
        var text = "step \(step.id) " + ExprPrinter.quote(step.title)
        if let host = step.host { text += " on " + e(host) }
        emit(text, 0, [line(step.offset)], .always)
        block(step.body, indent: 2)
    }

    private mutating func block(_ body: [Stmt], indent: Int) {
        for (i, stmt) in body.enumerated() {
            statement(stmt, indent: indent, blank: i == 0 ? .never : .preserve)
        }
    }

    private mutating func statement(_ stmt: Stmt, indent: Int, blank: FormatOutput.Blank) {
        let source = [line(stmt.offset)]
        switch stmt.kind {
        case .ifElse(let branches, let elseBody):
            emit("if " + e(branches[0].condition), indent, source, blank)
            block(branches[0].body, indent: indent + 2)
            for branch in branches.dropFirst() {
                emit("else if " + e(branch.condition), indent, [line(branch.condition.offset)], .never)
                block(branch.body, indent: indent + 2)
            }
            if let elseBody {
                emit("else", indent, elseLine(after: stmt.offset, before: elseBody.first?.offset), .never)
                block(elseBody, indent: indent + 2)
            }
        case .foreach(let variable, let list, let parallel, let body):
            emit("foreach \(variable) in " + e(list) + (parallel.map { " parallel \($0)" } ?? ""), indent, source, blank)
            block(body, indent: indent + 2)
        case .retry(let count, let every, let backoff, let until, let elseMessage, let body):
            var text = "retry \(count)"
            if let every {
                let end = body.first?.offset ?? stmt.offset
                text += " every " + (tokens.duration(after: "every", from: stmt.offset, to: end) ?? FormatLayout.duration(every))
                if backoff { text += " backoff" }
            }
            text += " until " + e(until)
            if let elseMessage { text += " else " + expressions.string(elseMessage) }
            emit(text, indent, source, blank)
            block(body, indent: indent + 2)
        case .ask(let id, let question, let choices):
            // An id the parser made up (the step's id) is left implicit, as it was written.
            let explicit = stmt.nameSpan != nil
            emit("ask " + (explicit ? id + " " : "") + expressions.string(question), indent, source, blank)
            for choice in choices { self.choice(choice, indent: indent + 2) }
        default:
            let (text, script) = simple(stmt)
            emit(text, indent, source, blank)
            if let script { out.script(script, indent: indent + 2) }
        }
    }

    /// The line of the `else` that opens an else block: the last line-initial `else`
    /// before the block's first statement.
    private func elseLine(after start: Int, before end: Int?) -> [Int] {
        guard let end else { return [] }
        let candidates = tokens.lineStarts(from: start, to: end).filter { $0.isWord("else") }
        return candidates.last.map { [line($0.offset)] } ?? []
    }

    private mutating func choice(_ choice: Choice, indent: Int) {
        let label = FormatLayout.label(choice.label)
        let source = [line(choice.offset)]
        // A choice written on one line (`yes: goto next`) stays on one line.
        if choice.body.count == 1, line(choice.body[0].offset) == source[0], FormatLayout.isSimple(choice.body[0]) {
            let (text, script) = simple(choice.body[0])
            emit(label + ": " + text, indent, source, .never)
            if let script { out.script(script, indent: indent + 2) }
            return
        }
        emit(label + ":", indent, source, .never)
        block(choice.body, indent: indent + 2)
    }

    /// A bare word when it lexes as one identifier or number; otherwise a string.
    static func label(_ text: String) -> String {
        if text.range(of: #"^[A-Za-z_]([A-Za-z0-9_]|-(?=[A-Za-z_]))*$"#, options: .regularExpression) != nil
            || text.range(of: #"^[0-9]+(\.[0-9]+)?$"#, options: .regularExpression) != nil {
            return text
        }
        return ExprPrinter.quote(text)
    }

    static func isSimple(_ stmt: Stmt) -> Bool {
        switch stmt.kind {
        case .ifElse, .foreach, .retry, .ask: return false
        default: return true
        }
    }

    // MARK: One-line statements

    /// The statement's line, and the script lines when it is a `$ |` block command.
    private func simple(_ stmt: Stmt) -> (String, [String]?) {
        switch stmt.kind {
        case .command(let capture, let command):
            let (text, script) = self.command(command)
            return ((capture.map { $0 + " = " } ?? "") + text, script)
        case .assign(let name, let value): return (name + " = " + e(value), nil)
        case .export(let name, let value): return ("export " + name + " = " + e(value), nil)
        case .call(let capture, let call): return ((capture.map { $0 + " = " } ?? "") + self.call(call), nil)
        case .expect(let condition, let message, let severity):
            return ("expect " + e(condition) + " else " + (severity == .warning ? "warn " : "") + expressions.string(message), nil)
        case .require(let condition, let message): return ("require " + e(condition) + " else " + expressions.string(message), nil)
        case .goto(let target): return ("goto " + target, nil)
        case .conclude(let message, let severity): return (severity.statement + " " + expressions.string(message), nil)
        case .fail(let message): return ("fail " + expressions.string(message), nil)
        case .print(let message): return ("print " + expressions.string(message), nil)
        case .confirm(let message): return ("confirm " + expressions.string(message), nil)
        case .ifElse, .foreach, .retry, .ask: return ("", nil)   // laid out by `statement`
        }
    }

    private func command(_ command: Command) -> (String, [String]?) {
        var words: [String] = []
        if let host = command.host { words.append("on " + e(host)) }
        if let timeout = command.timeout {
            let written = tokens.duration(after: "timeout", from: command.offset, to: commandTokenOffset(command))
            words.append("timeout " + (written ?? FormatLayout.duration(timeout)))
        }
        if let confirm = command.confirm {
            words.append(confirm.parts.isEmpty ? "confirm" : "confirm " + expressions.string(confirm))
        }
        if command.quiet { words.append("quiet") }
        if command.allowFail { words.append("allow-fail") }
        if command.allowUnreachable { words.append("allow-unreachable") }
        if tokens.isBlockCommand(at: command.offset) {
            words.append("$ |")
            return (words.joined(separator: " "), command.script.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
        }
        words.append("$ " + command.script)
        return (words.joined(separator: " "), nil)
    }

    private func commandTokenOffset(_ command: Command) -> Int {
        tokens.tokens[tokens.index(atOrAfter: command.offset)...].first { $0.kind == .command }?.offset ?? command.offset
    }

    private func call(_ call: Call) -> String {
        var text = "run " + ExprPrinter.quote(call.path)
        if let host = call.host { text += " on " + e(host) }
        for argument in call.arguments { text += " \(argument.name)=" + e(argument.value) }
        return text
    }
}

import Foundation
