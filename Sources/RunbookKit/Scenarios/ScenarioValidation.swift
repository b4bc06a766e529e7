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
                                       at: param.nameSpan, in: file))
        }
        let given = Set(scenario.params.map(\.name))
        for param in runbook.params where param.isRequired && !given.contains(param.name) {
            problems.append(Diagnostic(.error, "the runbook needs the parameter '\(param.name)': add  param \(param.name) = \"…\"",
                                       at: file.location(0)))
        }
        let questions = Dictionary(checked.questions(includingCallees: true).map { ($0.id, $0.choices) },
                                   uniquingKeysWith: { first, _ in first })
        for answer in scenario.answers {
            let id = questions[answer.name] != nil ? answer.name : answer.name.replacingOccurrences(of: "_", with: "-")
            guard let choices = questions[id] else {
                let list = questions.keys.sorted().joined(separator: ", ")
                problems.append(Diagnostic(.error, "the runbook asks no question '\(answer.name)' (its questions: \(list.isEmpty ? "none" : list))",
                                           at: answer.nameSpan, in: file))
                continue
            }
            if !choices.contains(where: { $0.lowercased() == answer.value.lowercased() }) {
                problems.append(Diagnostic(.error, "'\(answer.value)' is not a choice of '\(id)' (choices: \(choices.joined(separator: ", ")))",
                                           at: answer.nameSpan, in: file))
            }
        }
        return problems
    }
}
