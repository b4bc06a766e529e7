import Foundation
// Runs commands on remote hosts through the system's OpenSSH client, so that ~/.ssh/config,
// keys, agents and jump hosts work as they do for the operator. Connections are shared per
// host (ControlMaster/ControlPersist): only the first command to a host pays for the
// handshake.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs `request.script` on `request.host` as `ssh [options] -T -- HOST 'remote command'`.
///
/// Thread-safe: the little shared state (the control directory, the connections opened) is
/// behind a lock; each `run` supervises its own ssh client on the calling thread.
/// Call `closeConnections()` when the run is over, so no master connection outlives it.
public final class SSHExecutor: CommandExecutor, @unchecked Sendable {
    public let configuration: SSHConfiguration
    public let cancellation: Cancellation

    private let lock = Mutex()
    private var directory: String?
    private var directoryIsOurs = false
    /// Destinations (with the per-request options that shape their ControlPath) used so far.
    private var connections: Set<Connection> = []
    /// Groups of ssh clients that left processes behind (a ProxyCommand of a new master).
    private var leftoverGroups: Set<pid_t> = []

    struct Connection: Hashable {
        let destination: String
        let options: [String]
    }

    public init(configuration: SSHConfiguration = SSHConfiguration(), cancellation: Cancellation = .shared) {
        self.configuration = configuration
        self.cancellation = cancellation
        _ = ProcessGroupTerminator.adoptsOrphans
    }

    deinit {
        closeConnections()
    }

    /// The control directory in use, nil before the first remote command (or after
    /// `closeConnections()`).
    var controlDirectoryInUse: String? { lock.withLock { directory } }

    /// Whether `host` can be passed to ssh as a destination: not empty, no whitespace or
    /// control characters, and not starting with `-` (it would be read as an option).
    public static func isValidDestination(_ host: String) -> Bool {
        guard let first = host.unicodeScalars.first, first != "-" else { return false }
        return !host.unicodeScalars.contains { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7f }
    }

    /// The command line the remote login shell runs for `request` (shown in dry runs, tested
    /// through a local `sh -c`).
    public func remoteCommand(for request: CommandRequest) -> String {
        RemoteCommand.build(script: request.script, shell: request.shell, environment: request.environment,
                            timeout: configuration.remoteTimeout ? request.timeout : nil,
                            killGrace: request.killGrace)
    }
    /// What ssh sends on the command's stdin: the runbook values as shell assignments and an
    /// end mark. The runner keeps stdin open after that, while the command runs (see
    /// `RemoteCommand`).
    public func remoteInput(for request: CommandRequest) -> String {
        RemoteCommand.input(request.environment)
    }


    public func run(_ request: CommandRequest,
                    onLine: @escaping @Sendable (OutputStream, String) -> Void) -> CommandResult {
        let destination = request.host ?? ""
        guard Self.isValidDestination(destination) else {
            return failure("runbook: invalid host name '\(destination)'", onLine: onLine)
        }
        let controlDirectory: String
        switch ensureDirectory() {
        case .success(let path): controlDirectory = path
        case .failure(let error):
            return failure("runbook: ssh control directory: \(error.message)", onLine: onLine)
        }
        lock.withLock { _ = connections.insert(Connection(destination: destination, options: request.sshOptions)) }

        let arguments = sshArguments(controlDirectory: controlDirectory, options: request.sshOptions)
            + ["-T", "--", destination, remoteCommand(for: request)]
        // ssh's stdin is always the runner's socket, also without values: its end-of-file is
        // what ends the remote command when the runner cancels, times out or dies.
        let (outcome, group) = CommandSupervisor.runReportingGroup(
            arguments: arguments, environment: [:],
            limits: SupervisionLimits(request), policy: .signalChildOnly,
            cancellation: cancellation, newSession: true, input: Array(remoteInput(for: request).utf8),
            onLine: onLine)
        if let group, ProcessGroupTerminator.exists(group: group) {
            lock.withLock { _ = leftoverGroups.insert(group) }
        }
        var result = outcome
        if !result.timedOut && !result.cancelled
            && SSHFailure.isUnreachable(exitCode: result.exitCode, stderr: result.stderr) {
            result.unreachable = true
        }
        return result
    }

    /// Ends the shared connections this executor opened (`ssh -O exit`), reaps their
    /// processes and removes the control directory if the executor made it. Safe to call
    /// more than once; the executor can still be used afterwards (it reconnects).
    public func closeConnections() {
        let (opened, groups, path, ours) = lock.withLock { () -> (Set<Connection>, Set<pid_t>, String?, Bool) in
            defer { connections = []; leftoverGroups = []; directory = nil; directoryIsOurs = false }
            return (connections, leftoverGroups, directory, directoryIsOurs)
        }
        guard let path else { return }
        // Masters that are our children are ended with a signal (they remove their sockets
        // as they exit); any other connection is asked to exit through its socket, all hosts
        // at once rather than one round trip after another.
        for master in ControlMasters.find(directory: path) {
            kill(master, SIGTERM)
            Self.reap(pid: master)
        }
        let remaining = Array(opened).filter { connection in
            let list = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            return !list.isEmpty && connection.destination != ""
        }
        ConcurrentWork.forEach(count: remaining.count, limit: 64, stackSize: 512 << 10) { [self] i in
            let master = control("check", remaining[i], directory: path).masterPID
            _ = control("exit", remaining[i], directory: path)
            if let master { Self.reap(pid: master) }
        }
        for group in groups { ProcessGroupTerminator.end(group: group, graceDeadline: SystemCalls.now() + 1) }
        if ours { rmdir(path) }
    }

    // MARK: - Pieces

    /// Options shared by commands and control requests. ssh keeps the first value it sees
    /// for an option, so BatchMode comes first (never prompt: there is no one to answer),
    /// then the request's and the configuration's options, then the defaults they may override.
    private func sshArguments(controlDirectory: String, options: [String]) -> [String] {
        var arguments = [configuration.sshCommand]
        if let file = configuration.configFile { arguments += ["-F", file] }
        arguments += ["-o", "BatchMode=yes"]
        for option in options + configuration.extraOptions { arguments += ["-o", option] }
        arguments += [
            "-o", "ConnectTimeout=\(configuration.connectTimeout)",
            "-o", "ControlMaster=auto",
            "-o", "ControlPath=\(Self.controlPathOption(directory: controlDirectory))",
            "-o", "ControlPersist=\(configuration.controlPersist)",
        ]
        return arguments
    }

    /// `DIR/%C` for ssh's option parser: `%` in DIR is literal, and a DIR with spaces is quoted.
    static func controlPathOption(directory: String) -> String {
        let path = directory.split(separator: "%", omittingEmptySubsequences: false).joined(separator: "%%") + "/%C"
        return path.contains(" ") ? "\"" + path + "\"" : path
    }

    private func control(_ command: String, _ connection: Connection, directory: String) -> CommandResult {
        let arguments = sshArguments(controlDirectory: directory, options: connection.options)
            + ["-O", command, "--", connection.destination]
        return CommandSupervisor.run(arguments: arguments, environment: [:],
                                     limits: SupervisionLimits(timeout: 10, killGrace: 1, captureLimit: 4096),
                                     policy: .signalChildOnly, cancellation: Self.housekeeping,
                                     onLine: { _, _ in })
    }

    /// Never cancelled: cleanup must run even after the operator pressed Ctrl-C.
    private static let housekeeping = Cancellation()

    private func ensureDirectory() -> Result<String, ControlDirectory.Failure> {
        lock.withLock {
            if let directory { return .success(directory) }
            let made: Result<String, ControlDirectory.Failure>
            if let configured = configuration.controlDirectory {
                made = ControlDirectory.prepare(configured)
            } else {
                made = ControlDirectory.makeFresh(under: configuration.runtimeDirectory)
                directoryIsOurs = true
            }
            if case .success(let path) = made { directory = path } else { directoryIsOurs = false }
            return made
        }
    }

    private func failure(_ message: String, onLine: (OutputStream, String) -> Void) -> CommandResult {
        onLine(.stderr, message)
        return CommandResult(stderr: message + "\n", exitCode: ExitCodes.sshFailed, unreachable: true)
    }

    /// A master that daemonized was orphaned to this process (a child subreaper): reap it.
    private static func reap(pid: pid_t) {
        let deadline = SystemCalls.now() + 2
        var status: Int32 = 0
        while SystemCalls.now() < deadline {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid || (reaped == -1 && errno == ECHILD) { return }
            SystemCalls.sleep(seconds: 0.005)
        }
    }
}

private extension CommandResult {
    /// From `ssh -O check`: "Master running (pid=1234)".
    var masterPID: pid_t? {
        guard let range = stderr.firstRange(of: "(pid=") else { return nil }
        return pid_t(stderr[range.upperBound...].prefix(while: { $0.isNumber }))
    }
}
