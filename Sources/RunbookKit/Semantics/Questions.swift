/// A question a runbook asks the operator: its id (what `--answer ID=…` and a scenario's
/// `answer` name) and the labels of its choices, as written.
public struct Question: Sendable, Equatable {
    public let id: String
    public let choices: [String]
}

extension Runbook {
    /// Every `ask` of the runbook, in source order.
    public var questions: [Question] {
        var result: [Question] = []
        forEachStatement { stmt in
            if case .ask(let id, _, let choices) = stmt.kind { result.append(Question(id: id, choices: choices.map(\.label))) }
        }
        return result
    }
}

extension CheckedRunbook {
    /// Every question the runbook asks, in source order; with `includingCallees`, then those
    /// of the runbooks it calls (each file once, an id only the first time it occurs).
    public func questions(includingCallees: Bool = false) -> [Question] {
        guard includingCallees else { return runbook.questions }
        var result: [Question] = []
        var ids: Set<String> = []
        var files: Set<String> = []
        func visit(_ checked: CheckedRunbook) {
            guard files.insert(checked.path).inserted else { return }
            for question in checked.runbook.questions where ids.insert(question.id).inserted { result.append(question) }
            for path in checked.callees.keys.sorted() { visit(checked.callees[path]!) }
        }
        visit(self)
        return result
    }
}
