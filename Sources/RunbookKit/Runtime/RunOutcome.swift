/// How a run ended. Exit codes: 0 concluded or completed with no findings; 1 findings or a
/// failure; 2 a usage or runbook error (such as a question with no answer); 3 aborted.
public struct RunOutcome: Sendable {
    public enum Status: Sendable, Equatable {
        case concluded(String)
        case completed
        case failed(String)
        /// The run needed something the invocation did not give (an answer, a parameter).
        case usageError(String)
        case aborted(String)
    }

    public var status: Status
    public var findings: [Finding]
    public var stepsRun: [String]
    public var duration: Double

    public var exitCode: Int32 {
        switch status {
        case .concluded, .completed: return findings.isEmpty ? 0 : 1
        case .failed: return 1
        case .usageError: return 2
        case .aborted: return 3
        }
    }

    public var statusName: String {
        switch status {
        case .concluded: return "concluded"
        case .completed: return "completed"
        case .failed: return "failed"
        case .usageError: return "failed"
        case .aborted: return "aborted"
        }
    }

    public var conclusion: String? {
        if case .concluded(let c) = status { return c }
        return nil
    }
}

/// The operator, as the interpreter sees them: someone who can answer questions.
public protocol OperatorIO: AnyObject {
    /// Asks a question with choices; nil when nobody can answer (no terminal).
    func ask(id: String, question: String, choices: [String]) -> String?
    /// Asks for confirmation before something destructive; nil when nobody can answer.
    func confirm(_ message: String) -> Bool?
}

/// An operator who is not there: every question goes unanswered.
public final class AbsentOperator: OperatorIO {
    public init() {}
    public func ask(id: String, question: String, choices: [String]) -> String? { nil }
    public func confirm(_ message: String) -> Bool? { nil }
}
