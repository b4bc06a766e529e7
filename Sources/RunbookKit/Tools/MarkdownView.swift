/// `runbook show --markdown`: a runbook as a page for a wiki. Title, description, a
/// parameter table, then one section per step: commands in ```sh blocks, decisions and
/// checks as (nested) bullet lists, `goto` as links to the step's section.
public enum MarkdownView {
    public static func render(_ runbook: Runbook) -> String {
        var page = MarkdownPage(runbook: runbook)
        return page.render()
    }

    /// Parses a runbook file and renders it; syntax errors are thrown as a `DiagnosticList`.
    public static func render(file: SourceFile) throws -> String {
        try LargeStack.run {
            let (parsed, diagnostics) = Parser.parse(file)
            guard let runbook = parsed else { throw DiagnosticList(diagnostics) }
            return render(runbook)
        }
    }
}

private struct MarkdownPage {
    let runbook: Runbook
    var out = ""

    init(runbook: Runbook) { self.runbook = runbook }

    mutating func render() -> String {
        out += "# " + Markdown.text(runbook.title) + "\n\n"
        if !runbook.description.isEmpty {
            out += runbook.description.map(Markdown.text).joined(separator: "\n") + "\n\n"
        }
        parameters()
        settings()
        reuse()
        for (n, step) in runbook.steps.enumerated() { self.step(step, number: n + 1) }
        return out
    }

    /// An expression in canonical form (the source text of an expression that starts with
    /// `(` would miss that parenthesis).
    private func src(_ expr: Expr) -> String {
        ExprPrinter(file: runbook.file).print(expr)
    }

    private func text(_ template: Template) -> String {
        Markdown.text(TemplateText.display(template, in: runbook.file))
    }

    private mutating func parameters() {
        guard !runbook.params.isEmpty else { return }
        out += "## Parameters\n\n| Name | Default | Description |\n|---|---|---|\n"
        for param in runbook.params {
            var value: String
            if param.isRequired {
                value = "*required*"
            } else if param.secret {
                value = "*set*"
            } else {
                value = Markdown.code(RunbookListing.displayValue(param.defaultValue!), inTable: true)
            }
            if param.secret { value += ", secret" }
            let help = param.help.map { Markdown.text($0) } ?? ""
            out += "| \(Markdown.code(param.name, inTable: true)) | \(value) | \(help) |\n"
        }
        out += "\n"
    }

    private mutating func settings() {
        var items: [String] = []
        if let shell = runbook.shell { items.append("shell " + Markdown.code(shell)) }
        if let timeout = runbook.timeout { items.append("command timeout " + FormatLayout.duration(timeout)) }
        if !runbook.sshOptions.isEmpty {
            items.append("ssh options " + runbook.sshOptions.map { Markdown.code("-o " + $0) }.joined(separator: " "))
        }
        if !items.isEmpty { out += "Settings: " + items.joined(separator: " · ") + "\n\n" }
    }

    /// The libraries it uses, its `env` settings and its preludes.
    private mutating func reuse() {
        if !runbook.uses.isEmpty {
            out += "Uses: " + runbook.uses.map { Markdown.code($0.path) }.joined(separator: " · ") + "\n\n"
        }
        if !runbook.environment.isEmpty {
            out += "Every command's environment:\n\n"
            for setting in runbook.environment { out += "- " + Markdown.code(setting.name + " = " + src(setting.value)) + "\n" }
            out += "\n"
        }
        for prelude in runbook.preludes {
            let fence = Markdown.fence(for: prelude.script)
            out += "Before every command (prelude):\n\n" + fence + "sh\n" + prelude.script + "\n" + fence + "\n\n"
        }
    }

    private mutating func step(_ step: Step, number: Int) {
        blankLine()
        out += "<a id=\"\(Markdown.anchor(step.id))\"></a>\n\n"
        out += "## \(number). \(Markdown.text(step.title)) (\(Markdown.code(step.id)))\n\n"
        if let host = step.host { out += "Runs on " + Markdown.code(src(host)) + ".\n\n" }
        block(step.body, indent: "")
    }

    // MARK: Statements

    /// A block at a list depth; `indent` is the text that puts content under the parent item.
    private mutating func block(_ body: [Stmt], indent: String) {
        for stmt in body { statement(stmt, indent: indent) }
    }

    /// Ends the paragraph or list before: a blank line unless there is one already.
    private mutating func blankLine() {
        if !out.hasSuffix("\n\n") { out += out.hasSuffix("\n") ? "\n" : "\n\n" }
    }

    private mutating func item(_ text: String, _ indent: String) {
        out += indent + "- " + text + "\n"
    }

    private mutating func statement(_ stmt: Stmt, indent: String) {
        let nested = indent + "  "
        switch stmt.kind {
        case .command(let capture, let command):
            commandBlock(command, capture: capture, indent: indent)
        case .ifElse(let branches, let elseBody):
            for (n, branch) in branches.enumerated() {
                item("**\(n == 0 ? "If" : "Else if")** \(Markdown.code(src(branch.condition))):", indent)
                block(branch.body, indent: nested)
            }
            if let elseBody {
                item("**Otherwise:**", indent)
                block(elseBody, indent: nested)
            }
        case .foreach(let variable, let list, let parallel, let body):
            let atOnce = parallel.map { " (\($0) at a time)" } ?? ""
            item("**For each** \(Markdown.code(variable)) in \(Markdown.code(src(list)))\(atOnce):", indent)
            block(body, indent: nested)
        case .retry(let count, let every, let backoff, let until, let elseMessage, let body):
            var line = "**Retry** up to \(count) times"
            if let every { line += ", every \(FormatLayout.duration(every))\(backoff ? " with backoff" : "")" }
            line += ", until \(Markdown.code(src(until)))"
            line += elseMessage.map { " — if it never holds, a finding: “\(text($0))”" } ?? " — if it never holds, the run fails"
            item(line + ":", indent)
            block(body, indent: nested)
        case .ask(let id, let question, let choices):
            item("**Ask** (\(Markdown.code(id))): *\(text(question))*", indent)
            for choice in choices {
                let label = "**\(Markdown.text(choice.label))**"
                if choice.body.count == 1, let one = simple(choice.body[0]) {
                    item("\(label): \(one)", nested)
                } else {
                    item("\(label):", nested)
                    block(choice.body, indent: nested + "  ")
                }
            }
        default:
            if let line = simple(stmt) { item(line, indent) }
        }
    }

    /// A one-line description of a statement that has no block; nil for commands and blocks.
    private func simple(_ stmt: Stmt) -> String? {
        switch stmt.kind {
        case .assign(let name, let value): return "Set \(Markdown.code(name)) to \(Markdown.code(src(value)))"
        case .export(let name, let value): return "Give the caller \(Markdown.code(name)) = \(Markdown.code(src(value)))"
        case .call(let capture, let call):
            var line = "**Run the runbook** \(Markdown.code(call.path))"
            if let host = call.host { line += " on \(Markdown.code(src(host)))" }
            if !call.arguments.isEmpty {
                line += " with " + call.arguments.map { Markdown.code("\($0.name)=\(src($0.value))") }.joined(separator: ", ")
            }
            return line + (capture.map { " → \(Markdown.code($0))" } ?? "")
        case .expect(let condition, let message, let severity):
            let finding = severity == .warning ? "a warning" : "a finding"
            return "**Expect** \(Markdown.code(src(condition))) — otherwise \(finding): “\(text(message))”"
        case .require(let condition, let message):
            return "**Require** \(Markdown.code(src(condition))) — otherwise the run fails: “\(text(message))”"
        case .goto(let target): return "**Go to** [\(Markdown.code(target))](#\(Markdown.anchor(target)))"
        case .conclude(let message, let severity): return "**\(severity.label):** \(text(message))"
        case .fail(let message): return "**Fail:** \(text(message))"
        case .print(let message): return "Show: \(text(message))"
        case .confirm(let message): return "**Confirm:** \(text(message))"
        case .command, .ifElse, .foreach, .retry, .ask: return nil
        }
    }

    /// A command as a fenced ```sh block, after a line saying how it runs when that matters.
    private mutating func commandBlock(_ command: Command, capture: String?, indent: String) {
        var notes: [String] = []
        if let host = command.host { notes.append("on \(Markdown.code(src(host)))") }
        if let timeout = command.timeout { notes.append("timeout \(FormatLayout.duration(timeout))") }
        if let confirm = command.confirm {
            notes.append(confirm.parts.isEmpty ? "after confirmation" : "after confirming “\(text(confirm))”")
        }
        if command.allowFail { notes.append("may fail") }
        if command.allowUnreachable { notes.append("even on a host found unreachable") }
        if command.quiet { notes.append("output not shown") }
        var lead = "Run"
        if !notes.isEmpty { lead += " (" + notes.joined(separator: ", ") + ")" }
        if let capture { lead += ", output in \(Markdown.code(capture))" }
        let fence = Markdown.fence(for: command.script)
        // In a list the command is an item with the block under it; at the top it stands
        // on its own (after a blank line, or it would continue the list above).
        let body = indent.isEmpty ? "" : indent + "  "
        if indent.isEmpty {
            blankLine()
            if lead != "Run" { out += lead + ":\n\n" }
        } else {
            out += indent + "- " + lead + ":\n\n"
        }
        out += body + fence + "sh\n"
        for line in command.script.split(separator: "\n", omittingEmptySubsequences: false) {
            out += (line.isEmpty ? "" : body) + line + "\n"
        }
        out += body + fence + "\n\n"
    }
}

/// Markdown escaping and small builders.
enum Markdown {
    /// Text with the characters Markdown would read as formatting escaped.
    static func text(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "\\", "*", "_", "`", "[", "]", "<", ">", "#", "|": out += "\\" + String(c)
            case "\n", "\r": out += " "
            default: out.append(c)
            }
        }
        return out
    }

    /// Inline code; backticks inside get a longer fence, `|` is escaped in tables.
    static func code(_ s: String, inTable: Bool = false) -> String {
        var content = s.split(whereSeparator: \.isNewline).joined(separator: " ")
        if inTable { content = content.replacingOccurrences(of: "|", with: "\\|") }
        let ticks = String(repeating: "`", count: longestRun(of: "`", in: content) + 1)
        let pad = content.hasPrefix("`") || content.hasSuffix("`") ? " " : ""
        return ticks + pad + content + pad + ticks
    }

    /// A code fence longer than any run of backticks in the text.
    static func fence(for text: String) -> String {
        String(repeating: "`", count: max(3, longestRun(of: "`", in: text) + 1))
    }

    static func anchor(_ stepID: String) -> String { "step-" + stepID }

    private static func longestRun(of character: Character, in text: String) -> Int {
        var best = 0, current = 0
        for c in text {
            current = c == character ? current + 1 : 0
            best = max(best, current)
        }
        return best
    }
}

import Foundation
