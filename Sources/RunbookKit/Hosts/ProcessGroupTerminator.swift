// Ending what is left of a command's process group, and reaping it.
//
// A command's background processes must not outlive it: `journalctl -f &` or a daemon-like
// helper started by a step would otherwise keep running (and keep writing to the terminal)
// long after the runbook moved on. So when a command ends (exit, timeout or cancellation)
// its whole group gets SIGTERM, a grace period, then SIGKILL. A process that really must
// outlive the step has to leave the group itself (setsid), as daemons do.
//
// The group is signalled after its leader (the command) was reaped. That is safe: the kernel
// keeps a group id in use while any member lives, and once none does, kill() fails with ESRCH.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum ProcessGroupTerminator {
    /// Makes the runner adopt its orphaned descendants, once per process. Without it, the
    /// leftovers of a group become zombies of init, and a group whose members are zombies
    /// still "exists" for kill() until init gets around to reaping them (seconds in some
    /// containers). With it, the runner reaps them itself and knows when the group is gone.
    static let adoptsOrphans: Bool = SystemCalls.becomeChildSubreaper()

    /// Sends SIGTERM to the group; if anything is left by `graceDeadline` (monotonic seconds),
    /// SIGKILL. Returns when no member remains (or after a few seconds more, if processes
    /// killed with SIGKILL are not gone by then: only possible when orphans are not ours to reap).
    static func end(group: pid_t, graceDeadline: Double) {
        guard send(SIGTERM, toGroup: group) else { return }
        if waitUntilGone(group: group, deadline: graceDeadline) { return }
        _ = send(SIGKILL, toGroup: group)
        _ = waitUntilGone(group: group, deadline: SystemCalls.now() + 3)
    }

    /// Signals every process of the group; false when the group no longer exists.
    @discardableResult
    static func send(_ signal: Int32, toGroup group: pid_t) -> Bool {
        guard group > 1 else { return false }  // never kill(-1) or kill(0)
        return kill(-group, signal) == 0 || errno != ESRCH
    }

    static func exists(group: pid_t) -> Bool { send(0, toGroup: group) }

    /// Reaps members of `group` that were orphaned to the runner.
    static func reapAdopted(group: pid_t) {
        guard group > 1 else { return }
        var status: Int32 = 0
        while waitpid(-group, &status, WNOHANG) > 0 {}
    }

    private static func waitUntilGone(group: pid_t, deadline: Double) -> Bool {
        var pause = 0.000_5
        while true {
            reapAdopted(group: group)
            if !exists(group: group) { return true }
            let now = SystemCalls.now()
            if now >= deadline { return false }
            SystemCalls.sleep(seconds: min(pause, deadline - now))
            pause = min(pause * 2, 0.02)
        }
    }
}
