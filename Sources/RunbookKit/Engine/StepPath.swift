/// Where an event happened: which target of the run (a host of `--hosts`), which chain of
/// called runbooks, which step. One structure instead of a "/"-joined string, so that a host
/// name and a callee's name can never be mistaken for each other.
public struct StepPath: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The fan-out host this part of the run belongs to; nil when the run has one target.
    public var target: String?
    /// Runbooks called on the way, outermost first (file names without `.runbook`).
    public var calls: [String]
    /// The step's id in the innermost runbook.
    public var step: String

    public init(target: String? = nil, calls: [String] = [], step: String) {
        self.target = target
        self.calls = calls
        self.step = step
    }

    /// A step of the top-level runbook (not of a called one).
    public var isTopLevel: Bool { calls.isEmpty }

    /// "logs", "pod-crashloop/logs": the step as the runbook author sees it, without the target.
    public var stepDescription: String { (calls + [step]).joined(separator: "/") }

    /// "rblab2: pod-crashloop/logs" with a target, otherwise `stepDescription`.
    public var description: String { target.map { "\($0): \(stepDescription)" } ?? stepDescription }
}

/// The part of a `StepPath` shared by every step of one runbook in one place of a run: its
/// target and the calls that led to it.
public struct StepScope: Sendable, Hashable {
    public var target: String?
    public var calls: [String]

    public init(target: String? = nil, calls: [String] = []) {
        self.target = target
        self.calls = calls
    }

    public func path(_ step: String) -> StepPath { StepPath(target: target, calls: calls, step: step) }

    /// The scope of a runbook called from this one.
    public func calling(_ name: String) -> StepScope { StepScope(target: target, calls: calls + [name]) }
}
