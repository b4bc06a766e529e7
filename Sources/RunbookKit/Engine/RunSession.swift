import Foundation

/// One run of a runbook, for every client: `run` on one target or fanned out over hosts,
/// `repl`, `resume` and `test` all drive this same object. It owns what a run is beyond its
/// steps: the targets and their interpreters, the event stream and its observers, the
/// journal and the policy that a run stops rather than go on without a record, cancellation,
/// the secrets every event is masked for, the header, and how the run ended.
///
/// Lifecycle: `init` (binds parameters: a usage error throws) → `start()` (the header, or a
/// `resumed` record) → the client drives the targets (`runAll()`, or a target step by step)
/// → `finish()` (each target's end, the run's end, the journal closed). It reads no
/// environment variables and writes to no terminal: clients pass what they read and observe
/// what happens.
public final class RunSession {
    /// Everything a run needs from its client.
    public struct Setup {
        public var checked: CheckedRunbook
        /// Parameters, answers, `--yes`, timeouts, `--from`.
        public var options: RunOptions
        public var targets: RunTargets
        public var mode: RunMode
        public var identity: RunIdentity
        public var executor: CommandExecutor
        public var operatorIO: OperatorIO
        public var cancellation: Cancellation
        /// nil: no journal (`--no-journal`, scenarios).
        public var journal: JournalWriter?
        /// Observers of the whole run (the terminal, a scenario's recorder, the REPL's tracker).
        public var observers: [RunObserver]
        /// Extra observers for one target, served before the run's observers (a fan-out host's
        /// buffered output).
        public var targetObservers: (String?) -> [RunObserver]

        public init(checked: CheckedRunbook, options: RunOptions, targets: RunTargets = RunTargets(),
                    mode: RunMode, identity: RunIdentity, executor: CommandExecutor, operatorIO: OperatorIO,
                    cancellation: Cancellation, journal: JournalWriter? = nil, observers: [RunObserver] = [],
                    targetObservers: @escaping (String?) -> [RunObserver] = { _ in [] }) {
            self.checked = checked
            self.options = options
            self.targets = targets
            self.mode = mode
            self.identity = identity
            self.executor = executor
            self.operatorIO = operatorIO
            self.cancellation = cancellation
            self.journal = journal
            self.observers = observers
            self.targetObservers = targetObservers
        }
    }

    /// How one target ended.
    public struct TargetOutcome {
        public var target: String?
        public var status: RunStatus
        public var outcome: RunOutcome
        /// Why it failed or was aborted; ssh's reason when its host was unreachable.
        public var reason: String?
        public var exitCode: Int32 { outcome.exitCode }
    }

    /// How the whole run ended.
    public struct Outcome {
        public var status: RunStatus
        public var exitCode: Int32
        public var duration: Double
        public var targets: [TargetOutcome]
        /// What the run found out over every target: a problem anywhere, else could not tell anywhere.
        public var severity: Severity { RunOutcome.combinedSeverity(targets.map(\.outcome.severity)) }
    }

    /// Secrets shorter than this are refused: masking them would mangle ordinary words.
    public static let minimumSecretLength = 4

    public let checked: CheckedRunbook
    public let targets: [TargetRun]
    public let mode: RunMode
    public let cancellation: Cancellation
    public private(set) var header: RunHeader
    private let setup: Setup
    private let hub: EventHub
    private let journal: JournalWriter?
    private let started = Date()
    private var finished: Outcome?

    public init(_ setup: Setup) throws {
        self.setup = setup
        checked = setup.checked
        mode = setup.mode
        cancellation = setup.cancellation
        journal = setup.journal
        hub = EventHub(observers: setup.observers + (setup.journal.map { [$0] } ?? []), secrets: [])
        var runs: [TargetRun] = []
        for target in setup.targets.laneTargets {
            var options = setup.options
            options.scope = StepScope(target: target)
            options.defaultHost = target ?? setup.targets.singleHost ?? setup.options.defaultHost
            let channel = TargetChannel(hub: hub, own: setup.targetObservers(target))
            let interpreter = try Interpreter(checked: setup.checked, executor: setup.executor, observer: channel,
                                              io: setup.operatorIO, options: options, cancellation: setup.cancellation)
            runs.append(TargetRun(target: target, interpreter: interpreter, channel: channel))
        }
        targets = runs
        let first = runs[0].interpreter
        let secrets = first.secretValues
        if let short = setup.checked.runbook.params.first(where: { param in
            param.secret && (first.value(of: param.name)?.text).map { !$0.isEmpty && $0.utf8.count < RunSession.minimumSecretLength } == true
        }) {
            throw RuntimeError("the secret parameter '\(short.name)' is shorter than \(RunSession.minimumSecretLength) characters: masking it would hide ordinary text and reveal where it stands; use a real secret")
        }
        hub.addSecrets(secrets)
        journal?.addSecrets(secrets)
        let given = setup.options.parameters.keys.filter { first.secretParameterNames.contains($0) }.sorted()
        header = RunHeader.make(for: setup.checked, parameters: first.displayedParameters, secretParameters: given,
                                identity: setup.identity, mode: setup.mode,
                                plan: RunPlan(targets: setup.targets, answers: setup.options.answers,
                                              assumeYes: setup.options.assumeYes,
                                              defaultTimeout: setup.options.defaultTimeoutGiven,
                                              fromStep: setup.options.fromStep,
                                              capturedOutputLimit: setup.options.capturedOutputLimit == RunOptions().capturedOutputLimit
                                                  ? nil : setup.options.capturedOutputLimit,
                                              snapshot: setup.options.snapshot),
                                startTime: started)
        for run in runs { run.interpreter.healthCheck = { [weak self] in self?.healthProblem } }
    }

    /// The journal's path, when there is one.
    public var journalPath: String? { journal?.path }

    /// Why the run must not go on: its record can no longer be written.
    public var healthProblem: String? {
        journal?.writeError.map { "the journal cannot be written (\($0)); stopped rather than run without a record" }
    }

    /// Masks secret values the way every event is masked (for what a client prints itself).
    public var redactor: SecretRedactor { hub.currentRedactor }

    public var isFanOut: Bool { targets.count > 1 }

    /// Adds an observer of the whole run (before `start()`).
    public func add(_ observer: RunObserver) { hub.add(observer) }

    // MARK: Lifecycle

    /// Begins the record: the header, or, when `resuming`, a `resumed` record in the journal
    /// the run was started with (one incident, one file). Observers see the header either way.
    public func start(resuming: Resumption? = nil) {
        if let resuming {
            // The journal has its header: the resumed part begins with a record of its own.
            journal?.handle(.resumed(resuming))
            hub.deliver(.runStarted(header), skipping: journal)
        } else {
            hub.deliver(.runStarted(header))
        }
    }

    /// Every target to its end, `targets.parallel` hosts at once for a fan-out; then
    /// `finish()`. `onTargetEnd` is called as each target ends (from its worker thread, one
    /// at a time).
    public func runAll(onTargetEnd: ((TargetOutcome) -> Void)? = nil) -> Outcome {
        let lock = Mutex()
        let pending = targets.filter { $0.status == nil }
        let stackSize = 8 << 20
        // A host no thread could be started for is recorded as failed, never waited for.
        ConcurrentWork.forEach(count: pending.count, limit: max(1, setup.targets.parallel), stackSize: stackSize,
                               unstarted: { i, error in
            let run = pending[i]
            run.interpreter.emit(.failed(Failure(path: nil, message: "not run: \(error)")))
            run.markFailed("not run: \(error)")
            let ended = self.endTarget(run)
            lock.withLock { onTargetEnd?(ended) }
        }) { i in
            let run = pending[i]
            _ = run.runToEnd()
            let ended = self.endTarget(run)
            lock.withLock { onTargetEnd?(ended) }
        }
        return finish()
    }

    /// The REPL operator sets a value: a secret parameter's new value is masked from now on.
    public func set(_ name: String, _ value: Value, on run: TargetRun) {
        if run.interpreter.secretParameterNames.contains(name) {
            let text = value.text
            hub.addSecrets([text])
            journal?.addSecrets([text])
        }
        run.interpreter.setVariable(name, value)
    }

    /// Ends the run: each target that has not yet said how it ended does, then the run; the
    /// journal is closed. Calling it again returns the same outcome.
    @discardableResult
    public func finish() -> Outcome {
        if let finished { return finished }
        let ends = targets.map { endTarget($0) }
        let worst = RunOutcome.combinedExitCode(ends.map(\.exitCode))
        let status: RunStatus
        if ends.count == 1 {
            status = ends[0].status
        } else if ends.contains(where: { $0.status == .aborted }) {
            status = .aborted
        } else if ends.contains(where: { $0.status == .failed || $0.status == .unreachable }) {
            status = .failed
        } else if ends.allSatisfy({ $0.status == .concluded }) {
            status = .concluded   // every host reached a conclusion of its own
        } else {
            status = .completed
        }
        let outcome = Outcome(status: status, exitCode: worst, duration: Date().timeIntervalSince(started), targets: ends)
        hub.deliver(.runEnded(RunEnd(status: status, exitCode: worst, severity: outcome.severity, duration: outcome.duration)))
        journal?.close()
        finished = outcome
        return outcome
    }

    private var ended: [ObjectIdentifier: TargetOutcome] = [:]
    private let endLock = Mutex()

    /// A target's end record, emitted once.
    @discardableResult
    func endTarget(_ run: TargetRun) -> TargetOutcome {
        if let done = endLock.withLock({ ended[ObjectIdentifier(run)] }) { return done }
        let outcome = run.outcome()
        let reachability = run.channel.unreachableReason
        var status: RunStatus
        var reason: String?
        switch outcome.status {
        case .concluded: status = .concluded; reason = nil
        case .completed: status = .completed
        case .failed(let m), .usageError(let m):
            status = reachability != nil ? .unreachable : .failed
            reason = reachability ?? m
        case .aborted(let m): status = .aborted; reason = m
        }
        // A REPL session that stopped before the runbook said how it ended.
        if run.status == nil && mode == .repl && !run.interpreter.cancellation.isCancelled { status = .ended }
        let result = TargetOutcome(target: run.target, status: status, outcome: outcome, reason: reason)
        endLock.withLock { ended[ObjectIdentifier(run)] = result }
        run.interpreter.emit(.targetEnded(TargetEnd(target: run.target, status: status, exitCode: outcome.exitCode,
                                                    severity: outcome.severity, conclusion: outcome.conclusion, reason: reason)))
        return result
    }

    // MARK: Resuming

    /// Puts each target where the journal says it was, with its values. A value the journal
    /// masked (it held a secret) or cut cannot be passed on: the target goes back to the
    /// step that set it, to gather it again. Returns what was not restored and why.
    public func restore(from point: ResumePoint) -> [String] {
        var notes: [String] = []
        for run in targets {
            guard let state = point.targets.first(where: { $0.target == run.target }) else { continue }
            var position: Int?
            switch state.position {
            case .finished(let status):
                run.markFinished(status == .concluded ? point.concludedStatus(of: run.target) : .completed)
                continue
            case .beginning: position = run.position
            case .at(let step): position = run.index(of: step)
            case .end: position = nil
            }
            var values: [String: Value] = [:]
            for (name, set) in state.variables.sorted(by: { $0.key < $1.key }) {
                guard set.redacted || set.cut else {
                    values[name] = set.value
                    continue
                }
                let why = set.redacted ? "it held a secret" : "the journal kept only its first \(RunEvent.journaledValueLimit / 1024) KiB"
                let step = set.path?.step
                let origin = step.flatMap { run.index(of: $0) }
                if let origin, position.map({ origin < $0 }) ?? true {
                    position = origin
                }
                notes.append("\(name) (\(why); set in step \(step ?? "?"), which runs again to gather it)")
            }
            run.resume(at: position)
            run.interpreter.restore(variables: values)
        }
        return notes
    }
}

extension ResumePoint {
    /// The conclusion a finished target reached, from its end record.
    func concludedStatus(of target: String?) -> RunOutcome.Status {
        let c = conclusions[target ?? ""]
        return .concluded(c?.message ?? "", severity: c?.severity ?? .unstated)
    }
}
