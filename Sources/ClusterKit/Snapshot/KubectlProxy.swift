import Foundation
import RunbookKit

/// `kubectl proxy --unix-socket=DIR/sock`: kubectl does every kind of authentication the
/// kubeconfig asks for (certificates, tokens, exec plugins, OIDC), and the collector speaks
/// plain HTTP to the socket. The proxy runs in its own process group, so a terminal's Ctrl-C
/// reaches only the runner, which stops the proxy itself (`stop()`, also on the way out of
/// an interrupted snapshot).
public final class KubectlProxy: @unchecked Sendable {
    public let socketPath: String
    private let directory: String
    private let pid: pid_t
    private let mutex = Mutex()
    private var stopped = false

    public struct StartError: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// Starts the proxy and waits (up to `timeout` seconds) until its socket accepts.
    /// `kubectl` is a path or a name looked up in PATH; `environment` is added to ours.
    public init(kubectl: String = "kubectl", arguments extra: [String] = [], environment: [String: String] = [:],
                timeout: Double = 20, cancellation: Cancellation = .shared) throws {
        do {
            directory = try PrivateDirectory.make(prefix: "runbook-proxy")
        } catch {
            throw StartError(message: "\(error)")
        }
        socketPath = directory + "/sock"
        let logPath = directory + "/proxy.log"
        // --reject-paths stays at kubectl's default (no exec, attach); only GETs are sent.
        let arguments = [kubectl, "proxy", "--unix-socket=\(socketPath)"] + extra
        var environmentList = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0)=\($1)" }
        environmentList.sort()
        do {
            pid = try ProcessLauncher.spawn(arguments, environment: environmentList, outputPath: logPath)
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        let deadline = Date().timeIntervalSince1970 + timeout
        while true {
            if let status = ProcessLauncher.reap(pid) {
                let log = (try? String(contentsOfFile: logPath, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                stopped = true
                try? FileManager.default.removeItem(atPath: directory)
                throw StartError(message: "kubectl proxy ended at once (exit \(status))\(log.isEmpty ? "" : ": \(log)"); check that `kubectl get --raw /version` works with this kubeconfig")
            }
            if FileManager.default.fileExists(atPath: socketPath), let probe = try? UnixHTTPClient(socketPath: socketPath, cancellation: cancellation).get("/version", timeout: 2), probe.status > 0 {
                break
            }
            if cancellation.isCancelled || Date().timeIntervalSince1970 > deadline {
                stop()
                throw StartError(message: cancellation.isCancelled ? "cancelled while kubectl proxy started"
                                     : "kubectl proxy did not listen within \(Int(timeout))s")
            }
            usleep(20_000)
        }
    }

    deinit { stop() }

    /// Ends the proxy (TERM, then KILL after a second), reaps it and removes its directory.
    /// Safe to call more than once and from any thread.
    public func stop() {
        let first = mutex.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        kill(-pid, SIGTERM)
        kill(pid, SIGTERM)
        for _ in 0 ..< 100 {
            if ProcessLauncher.reap(pid) != nil { break }
            usleep(10_000)
        }
        if ProcessLauncher.reap(pid) == nil {
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// posix_spawn with a process group of its own, stdin from /dev/null and stdout + stderr into
/// a file. (Foundation's Process cannot put a child in a new process group.)
enum ProcessLauncher {
    static func spawn(_ arguments: [String], environment: [String], outputPath: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var argv = arguments.map { strdup($0) } + [nil]
        var envp = environment.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var pid: pid_t = 0
        let code = posix_spawnp(&pid, arguments[0], &actions, &attributes, &argv, &envp)
        guard code == 0 else {
            throw KubectlProxy.StartError(message: "cannot run \(arguments[0]): \(String(cString: strerror(code)))\(code == ENOENT ? " (is kubectl installed and on PATH?)" : "")")
        }
        return pid
    }

    /// The exit status when the child has ended (and is now reaped), nil while it runs.
    static func reap(_ pid: pid_t) -> Int32? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid { return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f) }
        if result < 0 { return -1 }
        return nil
    }
}
