import Foundation

/// Where an interrupted run can pick up again, worked out from its journal: for each target,
/// the step to go on with and the values it had gathered by then; the answers already given.
public struct ResumePoint: Sendable, Equatable {
    public enum Position: Sendable, Equatable {
        /// No step of this target ever started.
        case beginning
        /// Go on at this top-level step: it was interrupted, failed, or comes next.
        case at(String)
        /// The runbook ran to its last step (the run was stopped before it said so).
        case end
        /// The target ended for good (concluded or completed): leave it alone.
        case finished(RunStatus)
    }

    /// What one target (the single target, or one host of a fan-out) had reached.
    public struct Target: Sendable, Equatable {
        /// nil for a single-target run.
        public var target: String?
        public var position: Position
        /// Top-level values, the last of each name winning, typed as journaled.
        public var variables: [String: VariableSet]
        /// Top-level steps that did their work, in order.
        public var completedSteps: [String]
    }

    public var header: RunHeader
    public var targets: [Target]
    /// Answers to `ask` questions, by question id (the last answer to a question wins).
    public var answers: [String: String]
    /// How the run ended, if it did (nil when it was interrupted, or resumed since).
    public var runStatus: RunStatus?
    /// Conclusions of targets that ended, by target ("" for a single-target run).
    public var conclusions: [String: Concluded]

    /// A finished target's conclusion and what kind it was.
    public struct Concluded: Sendable, Equatable {
        public var message: String
        public var severity: ConclusionSeverity
    }

    public init(journal: Journal) {
        header = journal.header
        answers = [:]
        conclusions = [:]
        runStatus = journal.runEnd?.status
        targets = journal.header.plan.targets.laneTargets.map { target in
            ResumePoint.state(of: target, in: journal.entries)
        }
        var lastConclusion: [String: ConclusionSeverity] = [:]
        for entry in journal.entries {
            if case .decision(let d) = entry.event, d.kind == .ask, let id = d.id, let answer = d.answer {
                answers[id] = answer
            }
            if case .targetEnded(let t) = entry.event, let c = t.conclusion {
                conclusions[t.target ?? ""] = Concluded(message: c, severity: lastConclusion[t.target ?? ""] ?? .unstated)
            }
            if case .concluded(let c) = entry.event { lastConclusion[c.path.target ?? ""] = c.severity }
        }
    }

    /// Targets with work left, in the run's order.
    public var unfinished: [Target] {
        targets.filter {
            if case .finished = $0.position { return false }
            return true
        }
    }

    private static func state(of target: String?, in entries: [JournalEntry]) -> Target {
        var variables: [String: VariableSet] = [:]
        var completed: [String] = []
        var openSteps: [String] = []
        var position: Position = .beginning
        for entry in entries {
            switch entry.event {
            case .stepStarted(let s) where s.path.target == target && s.path.isTopLevel:
                openSteps.append(s.path.step)
                position = .at(s.path.step)
            case .stepEnded(let e) where e.path.target == target && e.path.isTopLevel:
                if let i = openSteps.lastIndex(of: e.path.step) { openSteps.remove(at: i) }
                if e.outcome.isDone {
                    completed.append(e.path.step)
                    position = e.next.map { .at($0) } ?? .end
                } else {
                    position = .at(e.path.step)   // failed or aborted: run it again
                }
            case .cursor(let c) where c.target == target:
                position = c.step.map { .at($0) } ?? .end
            case .variable(let v) where v.path?.target == target && (v.path?.isTopLevel ?? true):
                variables[v.name] = v
            case .targetEnded(let t) where t.target == target:
                if t.status.isFinal { position = .finished(t.status) }
            case .resumed:
                openSteps = []
            default:
                break
            }
        }
        if let open = openSteps.first { position = .at(open) }
        return Target(target: target, position: position, variables: variables, completedSteps: completed)
    }
}
