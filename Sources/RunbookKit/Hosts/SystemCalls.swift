// Thin wrappers over the few system calls the executors need and Swift does not import
// directly (macros, variadic or Linux-only functions). Everything else is used from Glibc.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

#if os(Linux)
// Not in Swift's Glibc module (sys/pidfd.h), and `prctl` is variadic in C. Both take plain
// integer arguments, so a fixed-arity declaration has the same calling convention.
@_silgen_name("pidfd_open")
private func c_pidfd_open(_ pid: pid_t, _ flags: UInt32) -> Int32

@_silgen_name("prctl")
private func c_prctl(_ option: Int32, _ arg2: UInt, _ arg3: UInt, _ arg4: UInt, _ arg5: UInt) -> Int32

// Declared by glibc only under _GNU_SOURCE, which Swift's Glibc module does not define.
@_silgen_name("pipe2")
private func c_pipe2(_ fds: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32

@_silgen_name("posix_spawn_file_actions_addclosefrom_np")
private func c_posix_spawn_file_actions_addclosefrom_np(
    _ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ from: Int32) -> Int32

private let PR_SET_CHILD_SUBREAPER_VALUE: Int32 = 36
#endif

enum SystemCalls {
    /// The name of a directory entry, read where it lies. A `dirent` from readdir is only as
    /// long as its name: copying the whole fixed-size `d_name` field (256 bytes) reads past the
    /// record, and past the end of a mapped page when the record is the last one there.
    static func entryName(_ entry: UnsafeMutablePointer<dirent>) -> String {
        withUnsafeMutablePointer(to: &entry.pointee.d_name) { field in
            UnsafeRawPointer(field).withMemoryRebound(to: CChar.self, capacity: 1) { String(cString: $0) }
        }
    }

    /// A descriptor that polls readable once `pid` has exited, or -1 when the kernel has none
    /// (callers then fall back to polling `waitpid` on a short timer).
    static func exitDescriptor(for pid: pid_t) -> Int32 {
        #if os(Linux)
        return c_pidfd_open(pid, 0)
        #else
        return -1
        #endif
    }

    /// Makes this process the reaper of its orphaned descendants (Linux only).
    static func becomeChildSubreaper() -> Bool {
        #if os(Linux)
        return c_prctl(PR_SET_CHILD_SUBREAPER_VALUE, 1, 0, 0, 0) == 0
        #else
        return false
        #endif
    }

    /// A pipe whose two ends are close-on-exec, so that commands running in parallel never
    /// inherit each other's pipes (an inherited write end would delay the other's EOF).
    static func makePipe() -> (read: Int32, write: Int32)? {
        var fds: [Int32] = [-1, -1]
        #if os(Linux)
        guard c_pipe2(&fds, O_CLOEXEC) == 0 else { return nil }
        #else
        guard pipe(&fds) == 0 else { return nil }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        #endif
        return (fds[0], fds[1])
    }

    /// A connected pair of stream sockets, both close-on-exec. Used where the runner writes to
    /// a child that may have gone away: `send` with `sendWithoutSignal` then fails with EPIPE
    /// instead of raising SIGPIPE (a pipe has no such per-call option on Linux).
    static func makeSocketPair() -> (runner: Int32, child: Int32)? {
        var fds: [Int32] = [-1, -1]
        #if os(Linux)
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else { return nil }
        #else
        guard socketpair(AF_UNIX, SOCK_STREAM, 0, &fds) == 0 else { return nil }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        var on: Int32 = 1
        _ = setsockopt(fds[0], SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
        #endif
        return (fds[0], fds[1])
    }

    /// `send` that never raises SIGPIPE (the runner may be a library in a process that does not
    /// ignore it). Returns the bytes sent, or -1 with errno (EAGAIN on a full non-blocking socket).
    static func sendWithoutSignal(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Int {
        #if os(Linux)
        let flags = Int32(MSG_NOSIGNAL)
        #else
        let flags: Int32 = 0  // SO_NOSIGPIPE is set on the socket instead
        #endif
        while true {
            let sent = send(descriptor, bytes.baseAddress, bytes.count, flags)
            if sent < 0 && errno == EINTR { continue }
            return sent
        }
    }

    /// Makes the spawned child close every descriptor from `lowest` up (glibc 2.34+).
    #if os(Linux)
    static func addCloseFrom(_ lowest: Int32, to actions: inout posix_spawn_file_actions_t) {
        _ = c_posix_spawn_file_actions_addclosefrom_np(&actions, lowest)
    }
    #else
    static func addCloseFrom(_ lowest: Int32, to actions: inout posix_spawn_file_actions_t?) {
        // Darwin: POSIX_SPAWN_CLOEXEC_DEFAULT would do this; the pipes are close-on-exec anyway.
    }
    #endif

    static func setNonBlocking(_ fd: Int32) {
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0 { _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK) }
    }

    /// Seconds on the monotonic clock.
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1_000_000_000
    }

    static func sleep(seconds: Double) {
        guard seconds > 0 else { return }
        let seconds = min(seconds, 1e9)   // Int(x) traps on infinity
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) == -1 && errno == EINTR { request = remaining }
    }

    /// The exit code of a `waitpid` status: the exit status, or 128+N when killed by signal N.
    static func exitCode(fromWaitStatus status: Int32) -> Int32 {
        let signal = status & 0x7f
        if signal == 0 { return (status >> 8) & 0xff }
        return 128 + signal
    }

    static func errorDescription(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}

/// For other modules that start children from several threads at once: a pipe whose ends are
/// close-on-exec from the start, so a child spawned meanwhile by another thread cannot
/// inherit them (an inherited write end keeps a sibling's stdin from ever ending).
public enum CloseOnExecPipe {
    public static func make() -> (read: Int32, write: Int32)? { SystemCalls.makePipe() }
}
