// Starting a command as a child process with posix_spawn: its own process group, default
// signal handling, stdin from /dev/null (or a socket the runner writes to), stdout and stderr
// into pipes.
// (Foundation's Process is slower to start and cannot put a child in a new process group.)

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A started child. The caller owns the descriptors and must reap `pid`.
struct SpawnedChild {
    let pid: pid_t
    /// The child leads its own process group, so its group id is its pid.
    var processGroup: pid_t { pid }
    let stdoutDescriptor: Int32
    let stderrDescriptor: Int32
    /// Readable once the child has exited; -1 when the kernel offers no such descriptor.
    let exitDescriptor: Int32
    /// The runner's end of the child's stdin (non-blocking), or -1 when stdin is /dev/null.
    let inputDescriptor: Int32
}

struct SpawnError: Error {
    let executable: String
    let code: Int32
    var message: String { "runbook: cannot run \(executable): \(SystemCalls.errorDescription(code))" }
}

enum ChildSpawner {
    /// glibc's POSIX_SPAWN_SETSID (0x80, since 2.26), hidden from Swift behind _GNU_SOURCE.
    static let setSessionFlag: Int32 = 0x80

    /// Starts `arguments[0]` (a path, or a name looked up in PATH) with `arguments` and the
    /// runner's environment plus `environment`.
    /// With `newSession`, the child leads a new session (and so a new process group). The
    /// kernel schedules each session as its own group (sched_autogroup): ssh clients to many
    /// hosts, each in its own session, then get their fair share of a busy machine, as they do
    /// with parallel-ssh and pdsh.
    /// With `inputChannel`, the child's stdin is a socket whose other end the runner keeps
    /// (`inputDescriptor`): what the runner writes there reaches the child, and the child reads
    /// end-of-file only when the runner closes its end, or dies. An ssh client forwards that
    /// end-of-file to the remote command, which ends itself on it (see `RemoteCommand`).
    /// Otherwise stdin is /dev/null.
    static func spawn(arguments: [String], environment: [String: String],
                      newSession: Bool = false, inputChannel: Bool = false) -> Result<SpawnedChild, SpawnError> {
        let executable = arguments[0]
        guard let stdoutPipe = SystemCalls.makePipe() else {
            return .failure(SpawnError(executable: executable, code: errno))
        }
        guard let stderrPipe = SystemCalls.makePipe() else {
            let code = errno
            close(stdoutPipe.read); close(stdoutPipe.write)
            return .failure(SpawnError(executable: executable, code: code))
        }
        var input: (runner: Int32, child: Int32)?
        if inputChannel {
            guard let made = SystemCalls.makeSocketPair() else {
                let code = errno
                close(stdoutPipe.read); close(stdoutPipe.write); close(stderrPipe.read); close(stderrPipe.write)
                return .failure(SpawnError(executable: executable, code: code))
            }
            input = made
        }

        var actions = FileActions()
        defer { actions.destroy() }
        if let input {
            posix_spawn_file_actions_adddup2(&actions.value, input.child, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions.value, 0, "/dev/null", O_RDONLY, 0)
        }
        // dup2 clears close-on-exec on the copies; the originals close at exec.
        posix_spawn_file_actions_adddup2(&actions.value, stdoutPipe.write, 1)
        posix_spawn_file_actions_adddup2(&actions.value, stderrPipe.write, 2)
        // Whatever else the runner has open (journal files, sockets) stays out of commands.
        SystemCalls.addCloseFrom(3, to: &actions.value)

        var pid: pid_t = 0
        let status = launch(&pid, arguments: arguments, environment: environment, actions: &actions, newSession: newSession)
        close(stdoutPipe.write)
        close(stderrPipe.write)
        if let input {
            close(input.child)
            if status == 0 { SystemCalls.setNonBlocking(input.runner) } else { close(input.runner) }
        }
        guard status == 0 else {
            close(stdoutPipe.read)
            close(stderrPipe.read)
            return .failure(SpawnError(executable: executable, code: status))
        }
        return .success(SpawnedChild(pid: pid, stdoutDescriptor: stdoutPipe.read,
                                     stderrDescriptor: stderrPipe.read,
                                     exitDescriptor: SystemCalls.exitDescriptor(for: pid),
                                     inputDescriptor: input?.runner ?? -1))
    }

    /// Starts a helper in a session of its own, stdin from `input`, stdout and stderr to
    /// /dev/null, nothing else open. The caller must reap it.
    static func spawnHelper(arguments: [String], input: Int32) -> Result<pid_t, SpawnError> {
        var actions = FileActions()
        defer { actions.destroy() }
        posix_spawn_file_actions_adddup2(&actions.value, input, 0)
        posix_spawn_file_actions_addopen(&actions.value, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions.value, 1, 2)
        SystemCalls.addCloseFrom(3, to: &actions.value)
        var pid: pid_t = 0
        let status = launch(&pid, arguments: arguments, environment: [:], actions: &actions, newSession: true)
        return status == 0 ? .success(pid) : .failure(SpawnError(executable: arguments[0], code: status))
    }

    /// posix_spawn with what every child gets: default signal handling and an empty signal
    /// mask (undoing what the runner ignores or blocks), and a new process group or session.
    private static func launch(_ pid: inout pid_t, arguments: [String], environment: [String: String],
                               actions: inout FileActions, newSession: Bool) -> Int32 {
        #if os(Linux)
        var attributes = posix_spawnattr_t()
        #else
        var attributes: posix_spawnattr_t? = nil
        #endif
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)  // undo SIG_IGN inherited from the runner
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setpgroup(&attributes, 0)  // a new group, led by the child
        // SETSID already makes a new group; adding SETPGROUP would fail on the session leader.
        let grouping = newSession ? ChildSpawner.setSessionFlag : Int32(POSIX_SPAWN_SETPGROUP)
        let flags = grouping | Int32(POSIX_SPAWN_SETSIGDEF) | Int32(POSIX_SPAWN_SETSIGMASK)
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let executable = arguments[0]
        return withCStringArray(arguments) { argv in
            ProcessEnvironment.withEnvironment(adding: environment) { envp in
                executable.contains("/")
                    ? posix_spawn(&pid, executable, &actions.value, &attributes, argv, envp)
                    : posix_spawnp(&pid, executable, &actions.value, &attributes, argv, envp)
            }
        }
    }

    /// posix_spawn_file_actions_t, which is a struct on Linux and an optional pointer on Darwin.
    private struct FileActions {
        #if os(Linux)
        var value = posix_spawn_file_actions_t()
        #else
        var value: posix_spawn_file_actions_t? = nil
        #endif
        init() { posix_spawn_file_actions_init(&value) }
        mutating func destroy() { posix_spawn_file_actions_destroy(&value) }
    }

    /// A NULL-terminated `char *[]` that lives for the duration of `body`.
    private static func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0.cutAtNUL) }
        pointers.append(nil)
        defer { for pointer in pointers { free(pointer) } }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
