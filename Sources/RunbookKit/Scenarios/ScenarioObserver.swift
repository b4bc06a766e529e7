/// Collects what a scenario's expectations are checked against: the steps visited, the
/// findings, how the run ended. The interpreter serialises calls, so no lock is needed.
final class ScenarioObserver: RunObserver {
    /// Steps of the runbook under test, in the order they started (called runbooks' steps,
    /// whose ids carry a `callee/` prefix, are left out).
    private(set) var steps: [String] = []
    private(set) var findings: [String] = []
    private(set) var conclusion: String?
    private(set) var conclusionSteps: [String] = []
    private(set) var failure: String?

    func handle(_ event: RunEvent) {
        switch event {
        case .stepStarted(let start) where start.path.isTopLevel:
            steps.append(start.path.step)
        case .finding(let finding):
            findings.append(finding.message)
        case .concluded(let c):
            conclusion = c.message
            conclusionSteps.append(c.path.stepDescription)
        case .failed(let f):
            failure = f.message
        default:
            break
        }
    }
}

/// The operator during a scenario: every confirmation is accepted and recorded; a question
/// reaches here only when the scenario has no `answer` for it, which fails the scenario.
final class ScenarioOperator: OperatorIO {
    struct Question {
        var id: String
        var question: String
        var choices: [String]
    }

    private(set) var confirmations: [String] = []
    private(set) var unanswered: [Question] = []

    func ask(id: String, question: String, choices: [String]) -> String? {
        unanswered.append(Question(id: id, question: question, choices: choices))
        return nil
    }

    func confirm(_ message: String) -> Bool? {
        confirmations.append(message)
        return true
    }
}
