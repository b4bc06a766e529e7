// Ending the runner's commands when the runner dies without ending them itself.
//
// Commands run in process groups of their own (so that a terminal's Ctrl-C reaches only the
// runner), and so nothing ends them when the runner is killed with SIGKILL, by the OOM killer
// or by a crash: they would run on to their own end, far past any timeout. PR_SET_PDEATHSIG
// would cover one process, but it has to be set between fork and exec, which posix_spawn does
// not offer, and it would not reach the command's own children.
//
// So the runner starts one small helper, at its first command: `/bin/sh` reading a socket whose
// other end only the runner holds. The runner writes `+ -PGID` when a command's group starts
// and `- -PGID` once it is gone (`+ PID` for a process alone: an ssh client, whose group also
// holds the ProxyCommand of a shared connection). When the runner dies, the kernel closes its
// end; the helper reads end-of-file, sends SIGTERM to whatever is still registered and SIGKILL
// a second later. After a normal exit nothing is registered, and it just exits. It runs in a
// session of its own, so a terminal's signals and a kill of the runner's process group
// (`kill -9 %1` in the operator's shell) do not reach it.
//
// Cost, measured on this 2-core machine: registering and forgetting a command takes about
// 2 µs in the runner (two send calls) and 2 to 5 µs of the helper's CPU time, against about
// 0.8 ms for a whole `sh -c true` command through LocalExecutor (200 such commands, with and
// without the watchdog, differed by less than the run-to-run noise of ±0.15 ms). Starting
// the helper costs the runner 0.2 to 0.6 ms, once. A wrapper process per command would have
// cost another `sh` start per command, about 0.8 ms: twice the cost of `true`.
//
// What survives a kill -9 of the runner: processes that left their command's process group
// (setsid or setpgid: daemons, `setsid cmd &`, what systemd-run or at start); a command started
// in the microseconds between its spawn and its registration; the ssh master connections,
// which end on their own after ControlPersist (60 s by default) without a session, and their
// control directory. On a remote host the command ends too: its ssh client reads end-of-file
// on stdin (the runner held the other end) and the remote watcher ends the command's process
// group (see `RemoteCommand`). If the helper is killed as well (SIGKILL to both), nothing
// ends the commands.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class Watchdog: @unchecked Sendable {
    static let shared = Watchdog()

    /// What the helper signals: a whole process group, or one process.
    enum Target: Equatable {
        case group(pid_t)
        case process(pid_t)

        /// The operand for the helper's `kill`.
        var operand: String {
            switch self {
            case .group(let id): return "-\(id)"
            case .process(let id): return "\(id)"
            }
        }
    }

    /// The helper: a set of operands kept as " a b c " (a word is removed by cutting the
    /// string around it, so no command runs per line), then TERM and KILL at end-of-file.
    static let script = """
        w=' '
        while read -r op id; do
          case $op in
            +) w="$w$id " ;;
            -) case $w in *" $id "*) w=${w%%" $id "*}' '${w#*" $id "} ;; esac ;;
          esac
        done
        [ "$w" = ' ' ] && exit 0
        kill -TERM $w 2>/dev/null
        sleep 1
        kill -KILL $w 2>/dev/null
        """

    private let lock = Mutex()
    /// The runner's end of the socket; -1 before the first command (and after `release`).
    private var descriptor: Int32 = -1
    private var helper: pid_t = 0

    init() {}

    deinit {
        release()
    }

    /// Registers a command that the helper must end if the runner dies.
    func watch(_ target: Target) {
        lock.withLock { tell("+ " + target.operand + "\n", startingIfNeeded: true) }
    }

    /// Unregisters it once it is gone.
    func forget(_ target: Target) {
        lock.withLock { tell("- " + target.operand + "\n", startingIfNeeded: false) }
    }

    /// Closes the runner's end, as the runner's death would: the helper ends what is still
    /// registered and exits. A later `watch` starts a new helper.
    func release() {
        lock.withLock { closeLocked() }
    }

    /// The helper's pid while one runs (for tests).
    var helperProcess: pid_t? { lock.withLock { descriptor >= 0 ? helper : nil } }

    private func tell(_ line: String, startingIfNeeded: Bool) {
        // A helper that died (someone killed it) fails the write: reap it and, for a
        // registration, start a new one and say it again.
        for _ in 0..<2 {
            if descriptor < 0 {
                guard startingIfNeeded, startLocked() else { return }
            }
            let sent = Array(line.utf8).withUnsafeBytes { SystemCalls.sendWithoutSignal(descriptor, $0) }
            // EAGAIN: the helper is not reading (stopped?) and its socket is full. Commands are
            // not held up for it; this one goes unwatched.
            if sent == line.utf8.count || (sent < 0 && errno == EAGAIN) { return }
            closeLocked()
            if !startingIfNeeded { return }
        }
    }

    private func startLocked() -> Bool {
        guard let pair = SystemCalls.makeSocketPair() else { return false }
        defer { close(pair.child) }
        switch ChildSpawner.spawnHelper(arguments: ["/bin/sh", "-c", Self.script, "runbook-watchdog"], input: pair.child) {
        case .success(let pid):
            SystemCalls.setNonBlocking(pair.runner)
            descriptor = pair.runner
            helper = pid
            return true
        case .failure:
            close(pair.runner)
            return false
        }
    }

    private func closeLocked() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
        // Reaped if it already exited; otherwise it exits on its own once it has done its work,
        // and is reaped by whoever adopts it then.
        var status: Int32 = 0
        _ = waitpid(helper, &status, WNOHANG)
        helper = 0
    }
}
