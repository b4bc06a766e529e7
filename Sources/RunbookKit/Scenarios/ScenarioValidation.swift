/// Checks a scenario against its runbook before running: parameter names, required
/// parameters, question ids and choices. Problems are errors at the scenario's line.
enum ScenarioValidation {
    static func problems(_ scenario: Scenario, runbook checked: CheckedRunbook) -> [Diagnostic] {
        let file = scenario.file
        var problems: [Diagnostic] = []
        let runbook = checked.runbook
        let known = runbook.params.map(\.name)
        for param in scenario.params where !known.contains(param.name) {
            let list = known.isEmpty ? "none" : known.joined(separator: ", ")
            problems.append(Diagnostic(.error, "the runbook has no parameter '\(param.name)' (its parameters: \(list))",
                                       at: file.location(param.offset), length: param.name.utf8.count))
        }
        let given = Set(scenario.params.map(\.name))
        for param in runbook.params where param.isRequired && !given.contains(param.name) {
            problems.append(Diagnostic(.error, "the runbook needs the parameter '\(param.name)': add  param \(param.name) = \"…\"",
                                       at: file.location(0)))
        }
        let questions = askChoices(checked)
        for answer in scenario.answers {
            let id = questions[answer.name] != nil ? answer.name : answer.name.replacingOccurrences(of: "_", with: "-")
            guard let choices = questions[id] else {
                let list = questions.keys.sorted().joined(separator: ", ")
                problems.append(Diagnostic(.error, "the runbook asks no question '\(answer.name)' (its questions: \(list.isEmpty ? "none" : list))",
                                           at: file.location(answer.offset), length: answer.name.utf8.count))
                continue
            }
            if !choices.contains(where: { $0.lowercased() == answer.value.lowercased() }) {
                problems.append(Diagnostic(.error, "'\(answer.value)' is not a choice of '\(id)' (choices: \(choices.joined(separator: ", ")))",
                                           at: file.location(answer.offset), length: answer.name.utf8.count))
            }
        }
        return problems
    }

    /// Every question of the runbook and the runbooks it calls: id → choice labels.
    static func askChoices(_ checked: CheckedRunbook) -> [String: [String]] {
        var result: [String: [String]] = [:]
        var seen: Set<String> = []
        func visit(_ checked: CheckedRunbook) {
            guard seen.insert(checked.path).inserted else { return }
            StatementWalk.forEach(in: checked.runbook) { stmt in
                if case .ask(let id, _, let choices) = stmt.kind, result[id] == nil {
                    result[id] = choices.map(\.label)
                }
            }
            checked.callees.values.forEach(visit)
        }
        visit(checked)
        return result
    }
}
