// One `kubectl proxy --unix-socket` per run, for the exec streams the runner opens itself
// (see `WebSocketExec`). A `kubectl exec` costs a kubectl start-up per command (3.9x an ssh
// command on a shared connection, docs/PERFORMANCE.md); through the proxy a command costs one
// WebSocket handshake on a local socket. kubectl still does every kind of authentication the
// kubeconfig asks for (certificates, tokens, exec plugins) and TLS, and passes the upgrade on.
//
// --reject-paths='^$': kubectl proxy refuses exec and attach by default, as a guard for a
// proxy listening on TCP that anything on the machine could use. This one listens on a socket
// in a directory only this user can enter (mkdtemp, 0700), so only the runner reaches it.
// The proxy runs in a session of its own (a terminal's Ctrl-C reaches only the runner, which
// stops it) and is registered with the `Watchdog`, so a runner killed with SIGKILL leaves no
// proxy behind.

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thread contract: created by one thread; `stop()` may be called from any thread, more than once.
final class KubernetesExecProxy: @unchecked Sendable {
    let socketPath: String
    private let directory: String
    private let pid: pid_t
    private let lock = Mutex()
    private var stopped = false

    struct StartError: Error { let message: String }

    /// Starts the proxy and waits (up to `timeout` seconds) until its socket accepts.
    init(configuration: KubernetesConfiguration, timeout: Double = 20, cancellation: Cancellation) throws {
        Self.removeLeftovers()
        var template = Array((Self.temporaryRoot + "/runbook-exec-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw StartError(message: "cannot make a directory for kubectl proxy's socket: \(SystemCalls.errorDescription(errno))")
        }
        directory = String(cString: made)
        socketPath = directory + "/sock"
        let log = directory + "/proxy.log"
        // The shell only sends the proxy's output to a file (a pipe nobody reads would fill and
        // stop it); the words after $0 are arguments, never shell text.
        let arguments = ["/bin/sh", "-c", "exec \"$@\" >\"$0\" 2>&1", log]
            + configuration.command(["proxy", "--unix-socket=" + socketPath, "--reject-paths=^$", "--keepalive=30s"])
        let child: SpawnedChild
        switch ChildSpawner.spawn(arguments: arguments, environment: [:], newSession: true) {
        case .success(let spawned): child = spawned
        case .failure(let error):
            Self.remove(directory)
            throw StartError(message: error.message)
        }
        close(child.stdoutDescriptor)
        close(child.stderrDescriptor)
        if child.exitDescriptor >= 0 { close(child.exitDescriptor) }
        pid = child.pid
        Watchdog.shared.watch(.group(pid))
        let deadline = SystemCalls.now() + timeout
        while true {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                let text = Self.read(log)
                lock.withLock { stopped = true }
                Watchdog.shared.forget(.group(pid))
                Self.remove(directory)
                throw StartError(message: "kubectl proxy ended at once"
                                 + (text.isEmpty ? "" : ": " + text))
            }
            if let probe = UnixSocket.connect(socketPath) { close(probe); break }
            if cancellation.isCancelled || SystemCalls.now() > deadline {
                stop()
                throw StartError(message: cancellation.isCancelled ? "cancelled while kubectl proxy started"
                                 : "kubectl proxy did not listen within \(Int(timeout)) s")
            }
            SystemCalls.sleep(seconds: 0.01)
        }
    }

    deinit { stop() }

    /// Ends the proxy (TERM, KILL after a second), reaps it and removes its directory.
    func stop() {
        let first = lock.withLock { () -> Bool in defer { stopped = true }; return !stopped }
        guard first else { return }
        kill(-pid, SIGTERM)
        var status: Int32 = 0
        var reaped = false
        for _ in 0..<100 {
            if waitpid(pid, &status, WNOHANG) == pid { reaped = true; break }
            SystemCalls.sleep(seconds: 0.01)
        }
        if !reaped {
            kill(-pid, SIGKILL)
            waitpid(pid, &status, 0)
        }
        Watchdog.shared.forget(.group(pid))
        Self.remove(directory)
    }

    private static var temporaryRoot: String {
        if let value = getenv("TMPDIR").map({ String(cString: $0) }), !value.isEmpty { return value }
        return "/tmp"
    }

    /// Removes the directories of proxies whose runner was killed with SIGKILL: the watchdog
    /// ends such a proxy, but nothing removes its directory. Only this user's, and only those
    /// whose socket exists and refuses (a proxy still starting has no socket yet).
    static func removeLeftovers() {
        guard let listing = opendir(temporaryRoot) else { return }
        defer { closedir(listing) }
        while let entry = readdir(listing) {
            let name = SystemCalls.entryName(entry)
            guard name.hasPrefix("runbook-exec-") else { continue }
            let directory = temporaryRoot + "/" + name
            var info = stat()
            guard lstat(directory + "/sock", &info) == 0, info.st_uid == getuid(),
                  (info.st_mode & S_IFMT) == S_IFSOCK, UnixSocket.connect(directory + "/sock").map({ close($0) }) == nil
            else { continue }
            remove(directory)
        }
    }

    private static func read(_ path: String) -> String {
        guard let file = fopen(path, "r") else { return "" }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 4096 {
            let n = fread(&buffer, 1, buffer.count, file)
            if n <= 0 { break }
            bytes += buffer[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func remove(_ directory: String) {
        unlink(directory + "/sock")
        unlink(directory + "/proxy.log")
        rmdir(directory)
    }
}

/// Connecting to a unix stream socket.
enum UnixSocket {
    /// A connected, non-blocking, close-on-exec descriptor; nil when nothing accepts there.
    static func connect(_ path: String) -> Int32? {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { close(fd); return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, byte) in bytes.enumerated() { raw[i] = byte } }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else { close(fd); return nil }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        SystemCalls.setNonBlocking(fd)
        return fd
    }
}
