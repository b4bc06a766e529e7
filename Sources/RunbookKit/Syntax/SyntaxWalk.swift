/// Visiting every statement or expression of a runbook in source order, for code that only
/// needs to see each one: collecting names, `goto` targets or questions, checking expressions.
/// Code that needs the shape of the tree (the formatter's layout, the flowchart's paths, the
/// checker's scopes) switches over statements itself and uses `nestedBlocks` to descend.
extension Runbook {
    /// Calls `body` with every statement of every step, nested ones included, in source order.
    public func forEachStatement(_ body: (Stmt) throws -> Void) rethrows {
        for step in steps { try step.body.forEachStatement(body) }
    }
}

extension Sequence where Element == Stmt {
    /// Calls `body` with each statement, then with the statements nested in it, depth first.
    public func forEachStatement(_ body: (Stmt) throws -> Void) rethrows {
        for stmt in self {
            try body(stmt)
            for block in stmt.nestedBlocks { try block.forEachStatement(body) }
        }
    }
}

extension Stmt {
    /// The blocks directly inside the statement, in source order: an `if`'s branches and its
    /// `else`, a loop's or a `retry`'s body, each choice of an `ask`.
    public var nestedBlocks: [[Stmt]] {
        switch kind {
        case .ifElse(let branches, let elseBody): return branches.map(\.body) + (elseBody.map { [$0] } ?? [])
        case .foreach(_, _, _, let body), .retry(_, _, _, _, _, let body): return [body]
        case .ask(_, _, let choices): return choices.map(\.body)
        case .command, .assign, .export, .call, .expect, .require, .goto, .conclude, .fail, .print, .confirm: return []
        }
    }

    /// The expressions written in the statement itself, not in its blocks, in source order.
    /// Messages count as string expressions, so their `{…}` holes are reached too.
    public var expressions: [Expr] {
        func string(_ t: Template) -> Expr { Expr(kind: .string(t), span: t.span) }
        switch kind {
        case .command(_, let command):
            return [command.host, command.confirm.map(string)].compactMap { $0 }
        case .assign(_, let value), .export(_, let value): return [value]
        case .call(_, let call): return [call.host].compactMap { $0 } + call.arguments.map(\.value)
        case .expect(let condition, let message, _), .require(let condition, let message): return [condition, string(message)]
        case .ifElse(let branches, _): return branches.map(\.condition)
        case .foreach(_, let list, _, _): return [list]
        case .retry(_, _, _, let until, let elseMessage, _): return [until] + [elseMessage.map(string)].compactMap { $0 }
        case .ask(_, let question, _): return [string(question)]
        case .conclude(let t, _), .fail(let t), .print(let t), .confirm(let t): return [string(t)]
        case .goto: return []
        }
    }
}

extension Expr {
    /// The expressions directly inside this one, in source order, `{…}` holes of a string
    /// included.
    public var children: [Expr] {
        switch kind {
        case .string(let t):
            return t.parts.compactMap { if case .expr(let e) = $0 { return e } else { return nil } }
        case .list(let items): return items
        case .member(let base, _): return [base]
        case .index(let base, let index): return [base, index]
        case .call(_, let args): return args
        case .unary(_, let operand): return [operand]
        case .binary(_, let lhs, let rhs): return [lhs, rhs]
        case .conditional(let condition, let then, let otherwise): return [condition, then, otherwise]
        case .number, .duration, .bool, .null, .name: return []
        }
    }

    /// Calls `body` with this expression and, depth first, every expression inside it.
    public func forEachNested(_ body: (Expr) throws -> Void) rethrows {
        try body(self)
        for child in children { try child.forEachNested(body) }
    }
}
