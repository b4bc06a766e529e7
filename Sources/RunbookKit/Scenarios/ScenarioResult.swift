/// How one scenario went.
public struct ScenarioResult: Sendable {
    public var scenarioPath: String
    public var title: String
    /// A malformed scenario, or a runbook with errors: the scenario could not be run at all.
    public var errors: [Diagnostic] = []
    /// Ways the run differed from the scenario, most telling first: commands and questions
    /// without an answer, then the `expect` lines in file order, then unused answers.
    public var differences: [String] = []
    /// Steps of the runbook visited, in order.
    public var steps: [String] = []
    public var status: String?
    public var conclusion: String?
    public var failure: String?
    public var findings: [String] = []
    public var severity: Severity?
    public var exitCode: Int32?
    public var confirmations: [String] = []
    public var duration: Double = 0
    /// The runbook tested and the cluster served, as resolved paths (nil: no cluster).
    public var runbookPath: String?
    public var clusterPath: String?
    /// Where the run concluded: the step of every conclusion in the order they were reached,
    /// called runbooks' first (`pod-crashloop/classify`), the runbook's own last (`few`).
    public var conclusionSteps: [String] = []
    /// A `known-wrong` scenario: the reason given, and the expectations that did not hold
    /// (the runbook's wrong diagnosis). Such a scenario passes while `wrong` is not empty.
    public var knownWrong: String?
    public var wrong: [String] = []

    public init(scenarioPath: String, title: String) {
        self.scenarioPath = scenarioPath
        self.title = title
    }

    public var passed: Bool { errors.isEmpty && differences.isEmpty }
    public var isMalformed: Bool { !errors.isEmpty }
    /// Passed because the runbook still gives the wrong diagnosis the scenario records.
    public var isKnownWrong: Bool { passed && knownWrong != nil && !wrong.isEmpty }

    /// "concluded \"…\"", "failed: …" or "completed": how the run ended, in a few words.
    public var endDescription: String {
        switch status {
        case "concluded": return "concluded \(ScenarioText.quoted(conclusion ?? ""))"
        case "failed", "aborted": return "\(status!): \(failure ?? "")"
        case let other?: return other
        case nil: return "did not run"
        }
    }
}
