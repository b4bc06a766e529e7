// Starting an exec'd command for the test bed: posix_spawn in a new session (so the process
// group can be ended as a whole), stdin, stdout and stderr on pipes the exec session polls.

import Foundation
import RunbookKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct SpawnFailure: Error { let message: String }

struct TestBedProcess {
    let pid: pid_t
    /// Non-blocking: the session polls them.
    var stdin: Int32
    var stdout: Int32
    var stderr: Int32

    static let containerEnvironment = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root"]

    /// glibc's POSIX_SPAWN_SETSID (hidden behind _GNU_SOURCE).
    static let setSessionFlag: Int32 = 0x80

    static func start(_ arguments: [String]) -> Result<TestBedProcess, SpawnFailure> {
        guard !arguments.isEmpty else { return .failure(SpawnFailure(message: "no command")) }
        var pipes: [[Int32]] = []
        for _ in 0..<3 {
            // Close-on-exec from the start: sessions spawn concurrently, and a sibling that
            // inherited this stdin's write end would keep the command from reading its end.
            guard let made = CloseOnExecPipe.make() else {
                for p in pipes { close(p[0]); close(p[1]) }
                return .failure(SpawnFailure(message: String(cString: strerror(errno))))
            }
            pipes.append([made.read, made.write])
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipes[0][0], 0)
        posix_spawn_file_actions_adddup2(&actions, pipes[1][1], 1)
        posix_spawn_file_actions_adddup2(&actions, pipes[2][1], 2)
        for p in pipes { posix_spawn_file_actions_addclose(&actions, p[0]); posix_spawn_file_actions_addclose(&actions, p[1]) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(setSessionFlag | Int32(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)))
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        var pid: pid_t = 0
        // A container's environment, not the test bed's: what an exec'd command sees in a pod.
        let environment: [UnsafeMutablePointer<CChar>?] = containerEnvironment.map { strdup($0) } + [nil]
        defer { for e in environment { free(e) } }
        let code = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, environment)
        close(pipes[0][0]); close(pipes[1][1]); close(pipes[2][1])
        guard code == 0 else {
            close(pipes[0][1]); close(pipes[1][0]); close(pipes[2][0])
            return .failure(SpawnFailure(message: "cannot run \(arguments[0]): \(String(cString: strerror(code)))"))
        }
        for fd in [pipes[0][1], pipes[1][0], pipes[2][0]] {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        return .success(TestBedProcess(pid: pid, stdin: pipes[0][1], stdout: pipes[1][0], stderr: pipes[2][0]))
    }

    /// The exit status as a shell reports it (128+N for signal N); nil while it runs.
    func poll() -> Int32? {
        var status: Int32 = 0
        let reaped = waitpid(pid, &status, WNOHANG)
        guard reaped == pid else { return reaped == -1 ? 255 : nil }
        if status & 0x7f == 0 { return (status >> 8) & 0xff }
        return 128 + (status & 0x7f)
    }

    /// Ends the process group the command leads: TERM, then KILL after `grace` seconds.
    func endGroup(grace: Double) {
        kill(-pid, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while Date() < deadline {
            _ = poll()
            if kill(-pid, 0) != 0 { return }
            usleep(20_000)
        }
        kill(-pid, SIGKILL)
        _ = poll()
    }
}
