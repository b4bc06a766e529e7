// Which way a run's node commands reach their debug pods: a WebSocket through the run's
// `kubectl proxy` (see `KubernetesExecProxy`, `WebSocketExec`), or one `kubectl exec` per
// command when the proxy cannot start or the API server refuses the upgrade. The fallback
// is said once on stderr, and holds for the rest of the run.

/// Thread-safe: the state is behind a lock; the proxy starts at most once, on the first
/// command that asks (other threads wait for it), and `stop()` may come from any thread.
final class KubernetesExecRoute: @unchecked Sendable {
    private enum State {
        case untried
        case proxy(KubernetesExecProxy)
        case kubectlExec
    }

    private let lock = Mutex()
    private var state: State
    private let configuration: KubernetesConfiguration
    /// Where the one notice of a fallback goes (the runner's stderr; tests collect it).
    private let notify: @Sendable (String) -> Void

    init(configuration: KubernetesConfiguration, notify: @escaping @Sendable (String) -> Void) {
        self.configuration = configuration
        self.notify = notify
        state = configuration.execStream ? .untried : .kubectlExec
    }

    /// The proxy's socket, started now if this is the first command; nil: use `kubectl exec`.
    func socketPath(cancellation: Cancellation) -> String? {
        lock.withLock {
            switch state {
            case .proxy(let proxy): return proxy.socketPath
            case .kubectlExec: return nil
            case .untried:
                do {
                    let proxy = try KubernetesExecProxy(configuration: configuration, cancellation: cancellation)
                    state = .proxy(proxy)
                    return proxy.socketPath
                } catch let error as KubernetesExecProxy.StartError {
                    // Cancelled during the start: try again on a later (resumed) command.
                    if cancellation.isCancelled { return nil }
                    fallBackLocked("kubectl proxy did not start (\(error.message))")
                    return nil
                } catch {
                    fallBackLocked("kubectl proxy did not start (\(error))")
                    return nil
                }
            }
        }
    }

    /// The exec stream was refused: the run's later commands use `kubectl exec`.
    func fallBack(_ why: String) {
        lock.withLock {
            guard case .proxy(let proxy) = state else { return }
            proxy.stop()
            fallBackLocked("the exec stream through kubectl proxy was refused (\(why))")
        }
    }

    /// Stops the proxy (the run ended, was cancelled or failed). A later command starts a new one.
    func stop() {
        lock.withLock {
            if case .proxy(let proxy) = state {
                proxy.stop()
                state = .untried
            }
        }
    }

    private func fallBackLocked(_ why: String) {
        state = .kubectlExec
        notify("runbook: \(why); node commands run through kubectl exec, one kubectl per command (slower)")
    }
}
