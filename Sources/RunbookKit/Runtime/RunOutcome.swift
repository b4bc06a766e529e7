/// What a run found out, for cron, CI and alerts.
public enum Severity: String, Sendable, Codable, Equatable, CaseIterable {
    /// Healthy: an ok conclusion, or the runbook found nothing wrong.
    case ok
    /// A problem was diagnosed, or an `expect` failed.
    case problem
    /// The runbook could not tell: `conclude unknown`, or it stopped on an error first.
    case unknown
}

/// How a run ended. Exit codes:
///
/// | code | when |
/// |---|---|
/// | 0 | healthy: `conclude ok`, a plain `conclude` or the end of the runbook, with no failing finding |
/// | 1 | a problem: `diagnose`, or a failing finding (whatever the conclusion) |
/// | 2 | a usage or runbook error (such as a question with no answer) |
/// | 3 | aborted |
/// | 4 | could not tell: `conclude unknown`, or the run failed (`fail`, `require`, a command error) |
public struct RunOutcome: Sendable {
    public enum Status: Sendable, Equatable {
        case concluded(String, severity: ConclusionSeverity)
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

    /// Whether a finding that counts as a problem was recorded (warnings do not).
    public var hasFailingFindings: Bool { findings.contains { $0.severity == .failing } }

    /// What the run found out. A failing finding or a diagnosis is a problem, whatever else
    /// happened; a run that stopped before it could tell (failed, aborted, a usage error) or
    /// concluded `unknown` could not tell; otherwise it is healthy.
    public var severity: Severity {
        switch status {
        case .concluded(_, .problem): return .problem
        case _ where hasFailingFindings: return .problem
        case .concluded(_, .unknown), .failed, .usageError, .aborted: return .unknown
        case .concluded(_, .ok), .concluded(_, .unstated), .completed: return .ok
        }
    }

    public var exitCode: Int32 {
        switch status {
        case .usageError: return 2
        case .aborted: return 3
        default: return RunOutcome.exitCode(for: severity)
        }
    }

    public static func exitCode(for severity: Severity) -> Int32 {
        switch severity {
        case .ok: return 0
        case .problem: return 1
        case .unknown: return 4
        }
    }

    /// The exit code of several targets: the one that says most. Aborted, then a usage
    /// error, then a problem, then could not tell, then healthy.
    public static func combinedExitCode(_ codes: [Int32]) -> Int32 {
        let order: [Int32] = [3, 2, 1, 4, 0]
        return codes.min { (order.firstIndex(of: $0) ?? 0) < (order.firstIndex(of: $1) ?? 0) } ?? 0
    }

    /// The severity of several targets: a problem anywhere, else could not tell anywhere, else ok.
    public static func combinedSeverity(_ severities: [Severity]) -> Severity {
        if severities.contains(.problem) { return .problem }
        if severities.contains(.unknown) { return .unknown }
        return .ok
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
        if case .concluded(let c, _) = status { return c }
        return nil
    }

    public var conclusionSeverity: ConclusionSeverity? {
        if case .concluded(_, let s) = status { return s }
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
