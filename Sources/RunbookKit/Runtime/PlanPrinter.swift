/// The plan a dry run prints: every step with its commands and decisions, as written.
/// Nothing is evaluated and nothing runs.
public enum PlanPrinter {
    public static func plan(_ runbook: Runbook, from: String? = nil) -> String {
        var out = "Plan for \"\(runbook.title)\" (\(runbook.file.path)) — dry run, nothing is executed\n"
        var steps = runbook.steps[...]
        if let from, let i = runbook.steps.firstIndex(where: { $0.id == from }) { steps = runbook.steps[i...] }
        for step in steps {
            out += "\n\(step.id): \(step.title)"
            if let host = step.host { out += "  [on \(SourceText.of(host, in: runbook.file))]" }
            out += "\n"
            block(step.body, depth: 1, runbook: runbook, into: &out)
        }
        return out
    }

    private static func block(_ stmts: [Stmt], depth: Int, runbook: Runbook, into out: inout String) {
        let pad = String(repeating: "  ", count: depth)
        func src(_ e: Expr) -> String { SourceText.of(e, in: runbook.file) }
        for stmt in stmts {
            switch stmt.kind {
            case .command(let capture, let c):
                var tags: [String] = []
                if let h = c.host { tags.append("on \(src(h))") }
                if let t = c.timeout { tags.append("timeout \(Value.format(t))s") }
                if c.confirm != nil { tags.append("asks for confirmation") }
                if c.allowFail { tags.append("may fail") }
                if c.allowUnreachable { tags.append("allows an unreachable host") }
                let lead = capture.map { "\($0) = " } ?? ""
                let lines = c.script.split(separator: "\n", omittingEmptySubsequences: false)
                out += "\(pad)\(lead)$ \(lines.first ?? "")\(tags.isEmpty ? "" : "   [\(tags.joined(separator: ", "))]")\n"
                for line in lines.dropFirst() { out += "\(pad)  \(line)\n" }
            case .assign(let name, let value): out += "\(pad)\(name) = \(src(value))\n"
            case .export(let name, let value): out += "\(pad)export \(name) = \(src(value))\n"
            case .call(let capture, let call):
                let args = call.arguments.map { "\($0.name)=\(src($0.value))" }.joined(separator: " ")
                out += "\(pad)\(capture.map { "\($0) = " } ?? "")run \(call.path)\(call.host.map { " on \(src($0))" } ?? "") \(args)\n"
            case .expect(let c, let m, let s): out += "\(pad)expect \(src(c)) — else \(s == .warning ? "warning" : "finding"): \(m.raw)\n"
            case .require(let c, let m): out += "\(pad)require \(src(c)) — else stop: \(m.raw)\n"
            case .ifElse(let branches, let elseBody):
                for (n, b) in branches.enumerated() {
                    out += "\(pad)\(n == 0 ? "if" : "else if") \(src(b.condition))\n"
                    block(b.body, depth: depth + 1, runbook: runbook, into: &out)
                }
                if let elseBody {
                    out += "\(pad)else\n"
                    block(elseBody, depth: depth + 1, runbook: runbook, into: &out)
                }
            case .foreach(let v, let list, let parallel, let body):
                out += "\(pad)foreach \(v) in \(src(list))\(parallel.map { " (\($0) at a time)" } ?? "")\n"
                block(body, depth: depth + 1, runbook: runbook, into: &out)
            case .retry(let count, let every, let backoff, let until, _, let body):
                out += "\(pad)retry up to \(count) times\(every.map { " every \(Value.format($0))s" } ?? "")\(backoff ? " with backoff" : "") until \(src(until))\n"
                block(body, depth: depth + 1, runbook: runbook, into: &out)
            case .ask(let id, let q, let choices):
                out += "\(pad)ask [\(id)] \"\(q.raw)\"\n"
                for choice in choices {
                    out += "\(pad)  \(choice.label):\n"
                    block(choice.body, depth: depth + 2, runbook: runbook, into: &out)
                }
            case .goto(let t): out += "\(pad)goto \(t)\n"
            case .conclude(let m, let s): out += "\(pad)\(s.statement) \"\(m.raw)\"\n"
            case .fail(let m): out += "\(pad)fail \"\(m.raw)\"\n"
            case .print(let m): out += "\(pad)print \"\(m.raw)\"\n"
            case .confirm(let m): out += "\(pad)confirm \"\(m.raw)\"\n"
            }
        }
    }
}
