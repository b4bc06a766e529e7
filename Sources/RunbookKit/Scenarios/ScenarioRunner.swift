import Foundation

/// Runs a scenario against its runbook with the real interpreter, commands answered by a
/// `ScenarioExecutor` (only the kubectl commands of a scenario with a `cluster` run for real,
/// against that cluster), and compares the run with the expectations.
public final class ScenarioRunner {
    private let checkedRunbooks: RunbookLibrary
    private let cancellation: Cancellation
    private let clusters: ScenarioClusters?

    /// `library` caches checked runbooks, so many scenarios of one runbook check it once.
    /// `cancellation` stops a scenario's run (canned commands never block, but retries wait).
    /// `clusters` serves the scenarios that name a `cluster`; without it they are errors.
    public init(library: RunbookLibrary = RunbookLibrary(), cancellation: Cancellation = Cancellation(),
                clusters: ScenarioClusters? = nil) {
        checkedRunbooks = library
        self.cancellation = cancellation
        self.clusters = clusters
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
        result.runbookPath = scenario.resolvedRunbookPath
        result.clusterPath = scenario.cluster?.resolvedPath
        result.knownWrong = scenario.knownWrong?.reason
        let (loaded, diagnostics) = checkedRunbooks.load(path: scenario.resolvedRunbookPath)
        guard let checked = loaded else {
            let count = diagnostics.filter { $0.severity == .error }.count
            result.errors = [Diagnostic(.error, "the runbook \(scenario.resolvedRunbookPath) cannot be run (\(count) error\(count == 1 ? "" : "s"))",
                                        at: scenario.runbookSpan, in: scenario.file)]
                + diagnostics.filter { $0.severity == .error }
            return result
        }
        result.errors = ScenarioValidation.problems(scenario, runbook: checked)
        guard result.errors.isEmpty else { return result }
        var live: LiveKubectl?
        if let cluster = scenario.cluster {
            switch connection(to: cluster, in: scenario.file) {
            case .failure(let diagnostic):
                result.errors = [diagnostic]
                return result
            case .success(let connection):
                live = LiveKubectl(connection: connection, cancellation: cancellation)
            }
        }

        var options = scenario.applying(to: RunOptions())
        // Confirmations go to the scenario's operator, which accepts and records them.
        options.assumeYes = false
        let executor = ScenarioExecutor(scenario: scenario, live: live)
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
        result.conclusionSteps = observer.conclusionSteps
        let expectations = ScenarioExpectations.differences(scenario, result)
        let unused = executor.unusedAnswers.map { answer in
            "unused answer at \(scenario.path):\(scenario.file.line(of: answer.offset)) (when \(answer.summary))"
        }
        result.differences = problems(scenario, executor: executor, io: io)
        if let knownWrong = scenario.knownWrong {
            // The wrong path may leave canned answers unused; they are for the right one.
            result.wrong = expectations
            if expectations.isEmpty {
                result.differences.append("line \(scenario.file.line(of: knownWrong.offset)): every expectation holds, so the runbook now gives the right diagnosis: remove the known-wrong line")
            }
        } else {
            result.differences += expectations + unused
        }
        return result
    }

    /// The running server for the scenario's cluster, or an error at the `cluster` line.
    private func connection(to cluster: Scenario.ClusterReference, in file: SourceFile) -> Result<ClusterConnection, Diagnostic> {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: cluster.resolvedPath, isDirectory: &isDirectory), isDirectory.boolValue else {
            return .failure(Diagnostic(.error, "no cluster directory at \(cluster.resolvedPath) (the path is relative to the scenario file; a cluster directory holds cluster.json and objects/, see docs/SNAPSHOTS.md)",
                                       at: cluster.span, in: file))
        }
        guard let clusters else {
            return .failure(Diagnostic(.error, "this runner serves no clusters: run the scenario with `runbook test`", at: cluster.span, in: file))
        }
        do {
            return .success(try clusters.connection(to: cluster.resolvedPath))
        } catch {
            return .failure(Diagnostic(.error, "cannot serve the cluster \(cluster.resolvedPath): \(error)", at: cluster.span, in: file))
        }
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
