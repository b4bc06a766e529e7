/// Visits every statement of a runbook, nested ones included, in source order.
enum StatementWalk {
    static func forEach(in runbook: Runbook, _ body: (Stmt) -> Void) {
        for step in runbook.steps { forEach(in: step.body, body) }
    }

    static func forEach(in block: [Stmt], _ body: (Stmt) -> Void) {
        for stmt in block {
            body(stmt)
            switch stmt.kind {
            case .ifElse(let branches, let elseBody):
                branches.forEach { forEach(in: $0.body, body) }
                forEach(in: elseBody ?? [], body)
            case .foreach(_, _, _, let inner), .retry(_, _, _, _, _, let inner):
                forEach(in: inner, body)
            case .ask(_, _, let choices):
                choices.forEach { forEach(in: $0.body, body) }
            default:
                break
            }
        }
    }
}
