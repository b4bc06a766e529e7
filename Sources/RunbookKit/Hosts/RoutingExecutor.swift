// Sends each command to the executor for its host: this machine, or ssh.

/// Local requests (`request.isLocal`) go to `local`, the others to `remote`.
/// Thread-safe when both executors are.
public final class RoutingExecutor: CommandExecutor, @unchecked Sendable {
    public let local: CommandExecutor
    public let remote: CommandExecutor

    public init(local: CommandExecutor, remote: CommandExecutor) {
        self.local = local
        self.remote = remote
    }

    /// A LocalExecutor and an SSHExecutor sharing one cancellation.
    public convenience init(ssh configuration: SSHConfiguration = SSHConfiguration(),
                            cancellation: Cancellation = .shared) {
        self.init(local: LocalExecutor(cancellation: cancellation),
                  remote: SSHExecutor(configuration: configuration, cancellation: cancellation))
    }

    public func run(_ request: CommandRequest,
                    onLine: @escaping @Sendable (OutputStream, String) -> Void) -> CommandResult {
        (request.isLocal ? local : remote).run(request, onLine: onLine)
    }

    /// Ends shared ssh connections (and debug pods), if the remote executor keeps any. Call at the end of a run.
    public func closeConnections() {
        (remote as? ConnectionOwner)?.closeConnections()
    }
}
