// Chooses, per node, how its commands go (the destination's own transport, see
// `NodeDestination`, or the run's): `node/NAME` destinations go to the node's sshd
// (transport ssh: the destination NAME), to a debug pod (kubectl), or, with auto, to ssh when
// a probe (`true` over ssh, bounded by `sshProbeTimeout`) succeeds and to kubectl otherwise.
// The probe's connection stays open (ControlMaster) for the node's commands. Every other
// destination is an ssh host as before.

/// Thread-safe: the per-node choice is behind a lock (taken per node, so one slow probe does
/// not hold up the others); the executors it routes to are thread-safe.
public final class KubernetesNodeRouter: CommandExecutor, ConnectionOwner, @unchecked Sendable {
    public let ssh: CommandExecutor
    public let kubernetes: KubernetesExecutor
    public let transport: NodeTransport

    private let lock = Mutex()
    private var choices: [String: Choice] = [:]

    final class Choice: @unchecked Sendable {
        let lock = Mutex()
        var viaSSH: Bool?
    }

    public init(ssh: CommandExecutor, kubernetes: KubernetesExecutor, transport: NodeTransport) {
        self.ssh = ssh
        self.kubernetes = kubernetes
        self.transport = transport
    }

    public func run(_ request: CommandRequest,
                    onLine: @escaping @Sendable (OutputStream, String) -> Void) -> CommandResult {
        guard let node = NodeDestination(host: request.host) else { return ssh.run(request, onLine: onLine) }
        guard usesSSH(node, request: request) else { return kubernetes.run(request, onLine: onLine) }
        var direct = request
        direct.host = node.name
        return ssh.run(direct, onLine: onLine)
    }

    private func usesSSH(_ node: NodeDestination, request: CommandRequest) -> Bool {
        switch node.transport ?? transport {
        case .ssh: return true
        case .kubectl: return false
        case .auto:
            let choice = lock.withLock { () -> Choice in
                if let choice = choices[node.name] { return choice }
                let choice = Choice()
                choices[node.name] = choice
                return choice
            }
            return choice.lock.withLock {
                if let decided = choice.viaSSH { return decided }
                let probe = CommandRequest(script: "true", host: node.name,
                                           timeout: Double(kubernetes.configuration.sshProbeTimeout), killGrace: 1,
                                           captureLimit: 4096,
                                           sshOptions: request.sshOptions + ["ConnectTimeout=\(kubernetes.configuration.sshProbeTimeout)"])
                let result = ssh.run(probe, onLine: { _, _ in })
                if result.cancelled { return false }
                choice.viaSSH = result.exitCode == 0
                return result.exitCode == 0
            }
        }
    }

    /// Ends the ssh connections and deletes this run's debug pods.
    public func closeConnections() {
        (ssh as? ConnectionOwner)?.closeConnections()
        kubernetes.deletePods()
    }
}

/// An executor that keeps something open across commands (shared ssh connections, debug pods)
/// until `closeConnections()`, which the run calls at its end. Must be safe to call twice.
public protocol ConnectionOwner: AnyObject {
    func closeConnections()
}

extension SSHExecutor: ConnectionOwner {}
