// Runs one child process to completion: reads its output with poll() on the calling thread,
// writes its input, enforces the timeout, reacts to cancellation, and leaves no process of its
// group behind. Shared by the local executor (`sh -c script`) and the ssh executor
// (`ssh … host command`).
//
// While it runs, the child is registered with the `Watchdog`, which ends it if the runner
// dies without doing so itself (kill -9, the OOM killer, a crash).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which processes the supervisor signals on timeout or cancellation, and cleans up at exit.
enum ProcessGroupPolicy {
    /// The child's whole process group, also after a normal exit (a local command's leftovers).
    case endWholeGroup
    /// The child alone. For ssh: what it leaves in its group (a ProxyCommand serving a
    /// ControlPersist master) belongs to a shared connection and must survive it.
    case signalChildOnly
}

struct SupervisionLimits {
    /// Seconds until the group is ended; zero, negative or infinite means no limit.
    var timeout: Double
    var killGrace: Double
    var captureLimit: Int
    var spill: SpillPolicy?

    init(timeout: Double, killGrace: Double, captureLimit: Int, spill: SpillPolicy? = nil) {
        self.timeout = timeout
        self.killGrace = killGrace
        self.captureLimit = captureLimit
        self.spill = spill
    }

    init(_ request: CommandRequest) {
        self.init(timeout: request.timeout, killGrace: request.killGrace, captureLimit: request.captureLimit,
                  spill: request.spill)
    }
}

enum CommandSupervisor {
    /// How long output is still read after the child exited, when something it left in the
    /// background keeps the pipes open. The command has ended when the child exits; this only
    /// catches output already on its way.
    static let drainPeriod = 0.1
    static let readSize = 64 * 1024

    static func run(arguments: [String], environment: [String: String], limits: SupervisionLimits,
                    policy: ProcessGroupPolicy = .endWholeGroup, cancellation: Cancellation,
                    onLine: (OutputStream, String) -> Void) -> CommandResult {
        runReportingGroup(arguments: arguments, environment: environment, limits: limits,
                          policy: policy, cancellation: cancellation, onLine: onLine).result
    }

    /// Like `run`, and also tells the child's process group id (nil when it did not start).
    /// With `input`, the child's stdin receives those bytes and then stays open, without
    /// end-of-file, until the child exits or is ended (see `ChildSpawner.spawn`).
    static func runReportingGroup(arguments: [String], environment: [String: String], limits: SupervisionLimits,
                                  policy: ProcessGroupPolicy, cancellation: Cancellation,
                                  newSession: Bool = false, input: [UInt8]? = nil,
                                  onLine: (OutputStream, String) -> Void) -> (result: CommandResult, group: pid_t?) {
        let start = SystemCalls.now()
        if cancellation.isCancelled {
            // Cancellation holds until reset(): nothing new starts in the meantime.
            return (CommandResult(exitCode: ExitCodes.cancelled, cancelled: true), nil)
        }
        let child: SpawnedChild
        switch ChildSpawner.spawn(arguments: arguments, environment: environment, newSession: newSession,
                                  inputChannel: input != nil) {
        case .success(let spawned): child = spawned
        case .failure(let error):
            let result = CommandResult(stderr: error.message + "\n", exitCode: ExitCodes.cannotRun,
                                       duration: SystemCalls.now() - start)
            return (result, nil)
        }
        // What the watchdog would end is what the supervisor ends: the group, or the child alone.
        let watched: Watchdog.Target = policy == .endWholeGroup ? .group(child.processGroup) : .process(child.pid)
        var supervision = Supervision(child: child, limits: limits, policy: policy, start: start,
                                      cancellation: cancellation, input: input ?? [], watched: watched)
        return (supervision.run(onLine: onLine), child.processGroup)
    }
}

enum ExitCodes {
    static let timedOut: Int32 = 124
    static let cannotRun: Int32 = 127
    static let cancelled: Int32 = 130
    static let sshFailed: Int32 = 255
    /// The child was reaped by someone else (a stray waitpid(-1)): its status is lost.
    static let unknown: Int32 = 255
}

/// The state of one running child; lives for one `CommandSupervisor.run`.
private struct Supervision {
    enum Ending { case exited, timedOut, cancelled }

    let child: SpawnedChild
    let limits: SupervisionLimits
    let policy: ProcessGroupPolicy
    let start: Double
    let cancellation: Cancellation
    let deadline: Double

    var stdout: StreamReader
    var stderr: StreamReader
    var input: InputWriter
    var waitStatus: Int32?
    var exitTime = 0.0
    var ending = Ending.exited
    var graceDeadline = Double.infinity
    var killed = false
    var drainDeadline = Double.infinity
    /// What the watchdog ends if the runner dies; registered only once the command has run
    /// `Supervision.watchdogDelay`. Registering costs two messages and a wake-up of the
    /// watchdog process per command — measured at about 25 µs of a 0.8 ms `$ true` step on
    /// this 2-core machine — and most commands of a runbook end within milliseconds. The
    /// price: a kill -9 of the runner in a command's first 20 ms leaves that command to its
    /// own timeout (it was still in its first 20 ms, so usually short-lived).
    let watched: Watchdog.Target
    var registeredAt = Double.infinity
    static let watchdogDelay = 0.02

    init(child: SpawnedChild, limits: SupervisionLimits, policy: ProcessGroupPolicy, start: Double,
         cancellation: Cancellation, input: [UInt8], watched: Watchdog.Target) {
        self.watched = watched
        self.child = child
        self.limits = limits
        self.policy = policy
        self.start = start
        self.cancellation = cancellation
        let hasLimit = limits.timeout > 0 && limits.timeout.isFinite
        deadline = hasLimit ? start + limits.timeout : .infinity
        stdout = StreamReader(stream: .stdout, descriptor: child.stdoutDescriptor, limits: limits)
        stderr = StreamReader(stream: .stderr, descriptor: child.stderrDescriptor, limits: limits)
        self.input = InputWriter(descriptor: child.inputDescriptor, bytes: input)
    }

    mutating func run(onLine: (OutputStream, String) -> Void) -> CommandResult {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: CommandSupervisor.readSize, alignment: 16)
        defer { buffer.deallocate() }
        var entries: [pollfd] = []
        entries.reserveCapacity(5)

        while true {
            if waitStatus != nil {
                if stdout.isClosed && stderr.isClosed { break }
                if drainDeadline == .infinity { drainDeadline = SystemCalls.now() + CommandSupervisor.drainPeriod }
                if SystemCalls.now() >= drainDeadline { break }
            }
            entries.removeAll(keepingCapacity: true)
            let watchesExit = waitStatus == nil && child.exitDescriptor >= 0
            let watchesCancel = waitStatus == nil && ending == .exited
            if !stdout.isClosed { entries.append(pollfd(fd: stdout.descriptor, events: Int16(POLLIN), revents: 0)) }
            if !stderr.isClosed { entries.append(pollfd(fd: stderr.descriptor, events: Int16(POLLIN), revents: 0)) }
            if watchesExit { entries.append(pollfd(fd: child.exitDescriptor, events: Int16(POLLIN), revents: 0)) }
            if watchesCancel { entries.append(pollfd(fd: cancellation.wakeDescriptor, events: Int16(POLLIN), revents: 0)) }
            if waitStatus == nil && input.isPending { entries.append(pollfd(fd: input.descriptor, events: Int16(POLLOUT), revents: 0)) }

            let ready = poll(&entries, nfds_t(entries.count), pollTimeout())
            if ready > 0 {
                for entry in entries where entry.revents != 0 {
                    switch entry.fd {
                    case stdout.descriptor: stdout.readOnce(into: buffer, onLine: onLine)
                    case stderr.descriptor: stderr.readOnce(into: buffer, onLine: onLine)
                    case child.exitDescriptor: collectExit()
                    case cancellation.wakeDescriptor: beginEnding(.cancelled)
                    case input.descriptor: input.writeOnce()
                    default: break
                    }
                }
            }
            if waitStatus == nil && child.exitDescriptor < 0 { collectExit() }
            checkDeadlines()
            registerIfLong()
        }
        // Forgotten once it has ended (a pid or group id the watchdog still held after that
        // could be reused; the window is the few microseconds to the next line).
        if registeredAt.isFinite { Watchdog.shared.forget(watched) }

        // Whatever is still open belongs to leftovers; their partial lines are delivered as is.
        stdout.finish(onLine: onLine)
        stderr.finish(onLine: onLine)
        input.end()
        if child.exitDescriptor >= 0 { close(child.exitDescriptor) }
        if policy == .endWholeGroup {
            let grace = ending == .exited ? SystemCalls.now() + limits.killGrace : graceDeadline
            ProcessGroupTerminator.end(group: child.processGroup, graceDeadline: grace)
        }
        return result()
    }

    private var registrationDue: Double {
        waitStatus == nil && !registeredAt.isFinite ? start + Supervision.watchdogDelay : .infinity
    }

    private mutating func registerIfLong() {
        guard SystemCalls.now() >= registrationDue else { return }
        Watchdog.shared.watch(watched)
        registeredAt = SystemCalls.now()
    }

    /// Milliseconds until the next deadline that matters now; -1 for none.
    private func pollTimeout() -> Int32 {
        var wakeAt = min(drainDeadline, registrationDue)
        if waitStatus == nil {
            wakeAt = min(wakeAt, ending == .exited ? deadline : (killed ? .infinity : graceDeadline))
        }
        var milliseconds: Int32 = -1
        if wakeAt.isFinite {
            let remaining = max(0, wakeAt - SystemCalls.now())
            milliseconds = Int32(min(remaining * 1000, 86_400_000).rounded(.up))
        }
        if waitStatus == nil && child.exitDescriptor < 0 {
            // No exit descriptor: look at waitpid on a short timer instead.
            milliseconds = milliseconds < 0 ? 10 : min(milliseconds, 10)
        }
        return milliseconds
    }

    private mutating func collectExit() {
        var status: Int32 = 0
        let reaped = waitpid(child.pid, &status, WNOHANG)
        if reaped == child.pid {
            waitStatus = status
        } else if reaped == -1 && errno == ECHILD {
            waitStatus = ExitCodes.unknown << 8
        } else {
            return
        }
        exitTime = SystemCalls.now()
    }

    private mutating func checkDeadlines() {
        guard waitStatus == nil else { return }
        let now = SystemCalls.now()
        if ending == .exited && now >= deadline {
            beginEnding(.timedOut)
        } else if ending != .exited && !killed && now >= graceDeadline {
            sendToTargets(SIGKILL)
            killed = true
        }
    }

    private mutating func beginEnding(_ reason: Ending) {
        guard ending == .exited, waitStatus == nil else { return }
        ending = reason
        graceDeadline = SystemCalls.now() + max(0, limits.killGrace)
        // End-of-file first: for an ssh client it is what ends the remote command (the remote
        // side's watcher, see `RemoteCommand`), and it gets there even through a shared
        // connection whose master outlives the client.
        input.end()
        sendToTargets(SIGTERM)
    }

    private func sendToTargets(_ signal: Int32) {
        switch policy {
        case .endWholeGroup: ProcessGroupTerminator.send(signal, toGroup: child.processGroup)
        case .signalChildOnly: _ = kill(child.pid, signal)  // not yet reaped: the pid is still ours
        }
    }

    private mutating func result() -> CommandResult {
        let stdoutText = stdout.capture.finish()
        let stderrText = stderr.capture.finish()
        let exitCode: Int32
        switch ending {
        case .timedOut: exitCode = ExitCodes.timedOut
        case .cancelled: exitCode = ExitCodes.cancelled
        case .exited: exitCode = SystemCalls.exitCode(fromWaitStatus: waitStatus ?? 0)
        }
        return CommandResult(stdoutText: stdoutText, stderrText: stderrText,
                             exitCode: exitCode, timedOut: ending == .timedOut,
                             cancelled: ending == .cancelled, duration: exitTime - start,
                             stdoutBytes: stdout.capture.totalBytes, stderrBytes: stderr.capture.totalBytes,
                             spillFailure: BoundedCapture.failure(stdout.capture, stderr.capture))
    }
}

/// The child's stdin: the bytes still to write, then the open descriptor until `end()`.
private struct InputWriter {
    private(set) var descriptor: Int32
    let bytes: [UInt8]
    var offset = 0

    init(descriptor: Int32, bytes: [UInt8]) {
        self.descriptor = descriptor
        self.bytes = bytes
    }

    var isPending: Bool { descriptor >= 0 && offset < bytes.count }

    /// Writes what the socket takes without blocking. A child that closed its stdin gets
    /// nothing more (EPIPE, without SIGPIPE).
    mutating func writeOnce() {
        let sent = bytes.withUnsafeBytes { all in
            SystemCalls.sendWithoutSignal(descriptor, UnsafeRawBufferPointer(rebasing: all[offset...]))
        }
        if sent > 0 {
            offset += sent
        } else if sent == 0 || errno != EAGAIN {
            offset = bytes.count
        }
    }

    /// Closes the runner's end: the child reads end-of-file.
    mutating func end() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
    }
}

/// One of the child's output pipes: lines for the live view, a bounded copy for the result.
private struct StreamReader {
    let stream: OutputStream
    private(set) var descriptor: Int32
    var lines = LineSplitter()
    var capture: BoundedCapture

    init(stream: OutputStream, descriptor: Int32, limits: SupervisionLimits) {
        self.stream = stream
        self.descriptor = descriptor
        capture = BoundedCapture(limit: limits.captureLimit, spill: limits.spill)
    }

    var isClosed: Bool { descriptor < 0 }

    mutating func readOnce(into buffer: UnsafeMutableRawBufferPointer, onLine: (OutputStream, String) -> Void) {
        let count = read(descriptor, buffer.baseAddress, buffer.count)
        if count > 0 {
            let chunk = UnsafeRawBufferPointer(start: buffer.baseAddress, count: count)
            capture.append(chunk)
            let stream = self.stream
            lines.append(chunk) { onLine(stream, $0) }
        } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
            finish(onLine: onLine)
        }
    }

    /// Closes the pipe and delivers a last partial line.
    mutating func finish(onLine: (OutputStream, String) -> Void) {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
        let stream = self.stream
        lines.finish { onLine(stream, $0) }
    }
}
