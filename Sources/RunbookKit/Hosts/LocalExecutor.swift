// Runs commands on this machine: `shell -c script` as a child process.

/// Runs each request as `request.shell -c request.script` in a new process group, with the
/// runner's environment plus `request.environment`, stdin from /dev/null.
///
/// Thread-safe: it holds no mutable state, and each `run` supervises its own child on the
/// calling thread (`onLine` is called on that thread). When the child exits, the rest of its
/// process group is ended (see `ProcessGroupTerminator`).
///
/// Creating one makes the runner a child subreaper (Linux `PR_SET_CHILD_SUBREAPER`), so that
/// it can reap the leftovers of commands itself and know that they are gone.
public final class LocalExecutor: CommandExecutor, @unchecked Sendable {
    public let cancellation: Cancellation

    public init(cancellation: Cancellation = .shared) {
        self.cancellation = cancellation
        _ = ProcessGroupTerminator.adoptsOrphans
    }

    public func run(_ request: CommandRequest,
                    onLine: @escaping @Sendable (OutputStream, String) -> Void) -> CommandResult {
        CommandSupervisor.run(arguments: [request.shell, "-c", request.script],
                              environment: request.environment,
                              limits: SupervisionLimits(request), cancellation: cancellation,
                              onLine: onLine)
    }
}
