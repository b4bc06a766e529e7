/// Compares two parsed runbooks by meaning: everything the interpreter uses, no positions.
/// `runbook fmt` refuses to write a file when formatting would change it.
enum RunbookMeaning {
    /// The first difference, in words, or nil when both mean the same.
    static func difference(_ a: Runbook, _ b: Runbook) -> String? {
        if a.isLibrary != b.isLibrary { return "whether it is a library" }
        if a.title != b.title { return "the title" }
        if a.uses.map(\.path) != b.uses.map(\.path) { return "the libraries it uses" }
        if a.environment.map(\.name) != b.environment.map(\.name) || zip(a.environment, b.environment).contains(where: { $0.value != $1.value }) {
            return "an env setting"
        }
        if a.preludes.map(\.script) != b.preludes.map(\.script) { return "a prelude" }
        if a.description != b.description { return "the description" }
        if a.shell != b.shell { return "the shell" }
        if a.timeout != b.timeout { return "the timeout" }
        if a.sshOptions != b.sshOptions { return "the ssh options" }
        if a.params.count != b.params.count { return "the number of parameters" }
        for (p, q) in zip(a.params, b.params)
            where p.name != q.name || p.defaultValue != q.defaultValue || p.help != q.help || p.secret != q.secret {
            return "parameter '\(p.name)'"
        }
        if a.steps.map(\.id) != b.steps.map(\.id) { return "the steps" }
        for (s, t) in zip(a.steps, b.steps) {
            if s.title != t.title || s.host != t.host { return "the line of step '\(s.id)'" }
            if s.body.count != t.body.count { return "the number of statements in step '\(s.id)'" }
            for (n, (x, y)) in zip(s.body, t.body).enumerated() where x != y {
                return "statement \(n + 1) of step '\(s.id)' (line \(a.file.line(of: x.offset)))"
            }
        }
        return nil
    }

    /// The comment texts of a runbook, trailing spaces removed, sorted: formatting may move
    /// a comment but never drop or change one.
    static func comments(_ runbook: Runbook) -> [String] {
        runbook.comments.map { comment in
            var text = Substring(comment.text)
            while let c = text.last, c == " " || c == "\t" { text.removeLast() }
            return String(text)
        }.sorted()
    }
}
