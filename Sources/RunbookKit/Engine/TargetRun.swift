import Foundation

/// One target of a run — this machine, the single host, or one host of a fan-out — and where
/// it stands: the step it goes on with, the steps it went back from, and how it ended. The
/// only place that moves through a runbook's steps: `runToEnd()` for `run`, `resume` and
/// `test`, one step at a time for the REPL.
///
/// Single owner: one thread drives a target (the REPL's, or the fan-out worker for its host).
public final class TargetRun {
    /// nil for the single target of a run.
    public let target: String?
    public let interpreter: Interpreter
    let channel: TargetChannel
    /// The index of the step to run next; nil at the end of the runbook.
    public private(set) var position: Int?
    /// Set once the target ended for good (a conclusion, the end, a failure in a run).
    public private(set) var status: RunOutcome.Status?
    private var previous: [Int] = []
    private let started = Date()

    init(target: String?, interpreter: Interpreter, channel: TargetChannel) {
        self.target = target
        self.interpreter = interpreter
        self.channel = channel
        let steps = interpreter.checked.runbook.steps
        if let from = interpreter.options.fromStep {
            position = steps.firstIndex { $0.id == from }
            if position == nil { status = .usageError("no step '\(from)' to start from") }
        } else {
            position = steps.isEmpty ? nil : 0
        }
    }

    var steps: [Step] { interpreter.checked.runbook.steps }

    /// The id of the step to run next.
    public var currentStep: String? { position.map { steps[$0].id } }

    public func index(of id: String) -> Int? { steps.firstIndex { $0.id == id } }

    // MARK: A whole run

    /// Runs from the current step until a conclusion, a failure, an interruption or the end.
    public func runToEnd() -> RunOutcome {
        var last: RunOutcome.Status = .completed
        while let index = position, status == nil {
            let result = interpreter.runStep(at: index)
            if case .finished(let s) = result { last = s }
            position = interpreter.successor(of: index, result)
            if case .finished = result { break }
        }
        if status == nil { status = last }
        return outcome()
    }

    /// The outcome so far; an interruption makes it "aborted" in every mode.
    public func outcome() -> RunOutcome {
        var status = self.status ?? .completed
        if interpreter.cancellation.isCancelled {
            if case .aborted = status {} else { status = .aborted(interpreter.interruption) }
        }
        return interpreter.outcome(status, since: started)
    }

    // MARK: Step by step (the REPL)

    /// What happened to a step run by hand.
    public enum StepReport: Equatable {
        /// The step ran; the target moved on (to its successor, or the end).
        case moved
        /// The step failed or was interrupted: the target stays on it, to be retried.
        case stayed(RunOutcome.Status)
        /// The runbook concluded or completed.
        case ended(RunOutcome.Status)
    }

    /// Runs the step at `index` (the current one, or another the operator names) and moves
    /// the target as a run would. A step that fails or is interrupted keeps the target on
    /// it, so that `run` retries it.
    public func runStep(at index: Int) -> StepReport {
        let result = interpreter.runStep(at: index)
        if interpreter.cancellation.isCancelled {
            position = index
            return .stayed(.aborted(interpreter.interruption))
        }
        switch result {
        case .next, .goto:
            move(to: interpreter.successor(of: index, result))
            return .moved
        case .finished(let s):
            switch s {
            case .concluded, .completed:
                status = s
                move(to: nil)
                return .ended(s)
            default:
                position = index
                return .stayed(s)
            }
        }
    }

    /// The operator goes to another step (`goto`); recorded so a resume starts there.
    public func jump(to index: Int) {
        interpreter.emit(.branch(BranchTaken(path: interpreter.path(steps[index].id), description: "operator: goto \(steps[index].id)")))
        move(to: index)
        recordCursor("goto")
    }

    /// The operator skips the current step.
    public func skip() {
        guard let i = position else { return }
        interpreter.emit(.stepEnded(StepEnd(path: interpreter.path(steps[i].id), outcome: .skipped, duration: 0,
                                            next: i + 1 < steps.count ? steps[i + 1].id : nil)))
        move(to: i + 1 < steps.count ? i + 1 : nil)
    }

    /// Back to the step before the last move; false when there is none.
    public func back() -> Bool {
        guard let last = previous.popLast() else { return false }
        position = last
        recordCursor("back")
        return true
    }

    /// Continues where a resumed journal left off.
    func resume(at index: Int?) {
        position = index
    }

    /// The target had already ended for good before this process took over.
    func markFinished(_ status: RunOutcome.Status) {
        self.status = status
        position = nil
    }

    /// The target could not run at all (no thread for it).
    func markFailed(_ reason: String) {
        status = .failed(reason)
        position = nil
    }

    private func move(to index: Int?) {
        if let c = position, c != index { previous.append(c) }
        position = index
    }

    private func recordCursor(_ reason: String) {
        interpreter.emit(.cursor(CursorMove(target: target, step: currentStep, reason: reason)))
    }
}
