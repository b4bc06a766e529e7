/// Delivers a run's events to its observers: one at a time (one lock for the whole run, so
/// observers need none, and the journal's lines of several hosts never interleave), every
/// event masked once for secrets before anyone sees it.
final class EventHub: @unchecked Sendable {
    private let lock = Mutex()
    private var observers: [RunObserver]
    private var secrets: [String]
    private var redactor: SecretRedactor

    init(observers: [RunObserver], secrets: [String]) {
        self.observers = observers
        self.secrets = secrets
        self.redactor = SecretRedactor(secrets: secrets)
    }

    var currentRedactor: SecretRedactor { lock.withLock { redactor } }

    func add(_ observer: RunObserver) { lock.withLock { observers.append(observer) } }

    /// Masks `more` from the next event on.
    func addSecrets(_ more: [String]) {
        lock.withLock {
            secrets += more.filter { !$0.isEmpty && !secrets.contains($0) }
            redactor = SecretRedactor(secrets: secrets)
        }
    }

    /// Sends `event` to `first` (a target's own observers), then to the run's observers
    /// (but `skipping`).
    func deliver(_ event: RunEvent, first: [RunObserver] = [], skipping: RunObserver? = nil) {
        lock.withLock {
            let masked = event.masked(by: redactor)
            for observer in first { observer.handle(masked) }
            for observer in observers where observer !== skipping { observer.handle(masked) }
        }
    }
}

/// The observer an interpreter of one target emits into: the target's own observers first
/// (a fan-out host's buffered output), then the run's. It also keeps the reason the
/// target's host could not be reached, for the host table and the target's end record.
final class TargetChannel: RunObserver, @unchecked Sendable {
    private let hub: EventHub
    private let own: [RunObserver]
    private let state = Mutex()
    private var unreachable: String?

    init(hub: EventHub, own: [RunObserver]) {
        self.hub = hub
        self.own = own
    }

    /// ssh's reason when a command could not reach its host ("Connection refused").
    var unreachableReason: String? { state.withLock { unreachable } }

    func handle(_ event: RunEvent) {
        if case .commandEnded(let end) = event, end.result.unreachable {
            // ssh's line, or the last line another transport (kubectl) gave as its reason.
            let reason = SSHFailure.reason(inStderr: end.result.stderr)
                ?? end.result.stderr.split(separator: "\n").last.map(String.init) ?? "unreachable"
            state.withLock { if unreachable == nil { unreachable = reason } }
        }
        hub.deliver(event, first: own)
    }
}
