/// Where an interrupted or failed run can pick up again, derived from its journal: the step
/// to run next, and the values the run had gathered by then.
public struct ResumePoint: Sendable, Equatable {
    public enum Position: Sendable, Equatable {
        /// No step ever started: run from the beginning.
        case beginning
        /// This step started but did not finish (the run was killed or aborted in it), or it
        /// ended as "failed"/"aborted": run it again.
        case restart(step: String)
        /// This step finished; resume at the step that follows it in the runbook.
        case after(step: String)
    }

    public var runbookPath: String
    /// The runbook's content hash at the time: resume should refuse or warn when it changed.
    public var contentHash: String
    public var parameters: [String: String]
    public var position: Position
    /// `variable` events, the last value of each name winning.
    public var variables: [String: String]
    /// Names whose journaled value is the redaction mask: secrets, to be asked for again.
    public var redactedVariables: Set<String>
    /// Answers given, by question id (the last answer to a question wins).
    public var answers: [String: String]
    /// Steps that ended "ok", "finding" or "skipped", in order.
    public var completedSteps: [String]
    /// The `run_end` status when the run ended ("concluded", "completed", "failed", "aborted").
    public var runStatus: String?

    public init(journal: Journal) {
        runbookPath = journal.header.runbookPath
        contentHash = journal.header.contentHash
        parameters = journal.header.parameters
        variables = [:]
        redactedVariables = []
        answers = [:]
        completedSteps = []
        runStatus = nil

        // Steps nest when a step runs another runbook; the outermost open step is the one the
        // top-level runbook can restart.
        var openSteps: [String] = []
        var lastEnded: (step: String, outcome: String)?
        for event in journal.events {
            switch event.kind {
            case .stepStarted(let step, _, _):
                openSteps.append(step)
            case .stepEnded(let step, let outcome, _):
                if let index = openSteps.lastIndex(of: step) { openSteps.remove(at: index) }
                lastEnded = (step, outcome)
                if ["ok", "finding", "skipped"].contains(outcome) { completedSteps.append(step) }
            case .variable(let name, let value):
                variables[name] = value
                if value == SecretRedactor.mask { redactedVariables.insert(name) } else { redactedVariables.remove(name) }
            case .answer(_, _, let questionID, let choice, _):
                answers[questionID] = choice
            case .runEnded(let status, _, _):
                runStatus = status
            default:
                break
            }
        }

        if let open = openSteps.first {
            position = .restart(step: open)
        } else if let last = lastEnded {
            position = ["failed", "aborted"].contains(last.outcome) ? .restart(step: last.step) : .after(step: last.step)
        } else {
            position = .beginning
        }
    }
}
