import Foundation

/// Runs a scenario against its runbook with the real interpreter, commands answered by a
/// `ScenarioExecutor` (nothing real runs), and compares the run with the expectations.
public final class ScenarioRunner {
    private let library: RunbookLibrary
    private let cancellation: Cancellation

    /// `library` caches checked runbooks, so many scenarios of one runbook check it once.
    /// `cancellation` stops a scenario's run (canned commands never block, but retries wait).
    public init(library: RunbookLibrary = RunbookLibrary(), cancellation: Cancellation = Cancellation()) {
        self.library = library
        self.cancellation = cancellation
    }

    /// Reads and runs a scenario file; a malformed file gives a result with `errors`.
    public func run(path: String) -> ScenarioResult {
        do {
            return run(try ScenarioParser.parse(path: path))
        } catch let diagnostic as Diagnostic {
            var result = ScenarioResult(scenarioPath: path, title: "")
            result.errors = [diagnostic]
            return result
        } catch {
            var result = ScenarioResult(scenarioPath: path, title: "")
            result.errors = [Diagnostic(.error, "\(path): \(error)", at: nil)]
            return result
        }
    }

    public func run(_ scenario: Scenario) -> ScenarioResult {
        let started = Date()
        var result = runTimed(scenario)
        result.duration = Date().timeIntervalSince(started)
        return result
    }

    private func runTimed(_ scenario: Scenario) -> ScenarioResult {
        var result = ScenarioResult(scenarioPath: scenario.path, title: scenario.title)
        let (loaded, diagnostics) = library.load(path: scenario.resolvedRunbookPath)
        guard let checked = loaded else {
            let count = diagnostics.filter { $0.severity == .error }.count
            result.errors = [Diagnostic(.error, "the runbook \(scenario.resolvedRunbookPath) cannot be run (\(count) error\(count == 1 ? "" : "s"))",
                                        at: scenario.runbookSpan, in: scenario.file)]
                + diagnostics.filter { $0.severity == .error }
            return result
        }
        result.errors = ScenarioValidation.problems(scenario, runbook: checked)
        guard result.errors.isEmpty else { return result }

        var options = scenario.applying(to: RunOptions())
        // Confirmations go to the scenario's operator, which accepts and records them.
        options.assumeYes = false
        let executor = ScenarioExecutor(scenario: scenario)
        let observer = ScenarioObserver()
        let io = ScenarioOperator()
        let session: RunSession
        do {
            session = try RunSession(.init(
                checked: checked, options: options, mode: .scenario,
                identity: RunIdentity(user: "scenario", host: "scenario", pid: 0, toolVersion: RunHeader.toolVersion),
                executor: executor, operatorIO: io, cancellation: cancellation, observers: [observer]))
        } catch {
            let message = (error as? RuntimeError)?.message ?? "\(error)"
            result.errors = [Diagnostic(.error, message, at: scenario.file.location(0))]
            return result
        }
        session.start()
        let outcome = session.runAll().targets[0].outcome
        result.status = outcome.statusName
        result.conclusion = outcome.conclusion
        result.severity = outcome.severity
        result.exitCode = outcome.exitCode
        result.failure = failureMessage(outcome.status) ?? observer.failure
        result.steps = observer.steps
        result.findings = observer.findings
        result.confirmations = io.confirmations
        result.differences = problems(scenario, executor: executor, io: io)
            + ScenarioExpectations.differences(scenario, result)
            + executor.unusedAnswers.map { answer in
                "unused answer at \(scenario.path):\(scenario.file.line(of: answer.offset)) (when \(answer.summary))"
            }
        return result
    }

    /// Commands and questions the scenario had no answer for: they fail it whatever happened next.
    private func problems(_ scenario: Scenario, executor: ScenarioExecutor, io: ScenarioOperator) -> [String] {
        executor.misses.map { "\($0.description) (add a 'when $ …' block for it)" }
            + io.unanswered.map { q in
                "question '\(q.id)' has no answer in the scenario (\(q.question)): add  answer \(q.id) = \(q.choices.first ?? "…")  (choices: \(q.choices.joined(separator: ", ")))"
            }
    }

    private func failureMessage(_ status: RunOutcome.Status) -> String? {
        switch status {
        case .failed(let m), .usageError(let m), .aborted(let m): return m
        case .concluded, .completed: return nil
        }
    }
}
