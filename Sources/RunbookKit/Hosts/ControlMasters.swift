#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds the ssh ControlMaster processes of one control directory among the runner's own
/// children. A master daemonizes, and as the runner is a child subreaper it becomes the
/// runner's child: ending it with a signal costs nothing, while asking each one to exit with
/// `ssh -O exit` starts one more ssh client per host at the end of every fan-out run.
enum ControlMasters {
    /// Linux only (reads /proc); elsewhere the list is empty and callers use `ssh -O exit`.
    static func find(directory: String) -> [pid_t] {
        #if os(Linux)
        guard let proc = opendir("/proc") else { return [] }
        defer { closedir(proc) }
        let me = getpid()
        var found: [pid_t] = []
        while let entry = readdir(proc) {
            let name = SystemCalls.entryName(entry)
            guard let pid = pid_t(name), parent(of: pid) == me else { continue }
            // A master renames itself "ssh: DIRECTORY/HASH [mux]".
            if commandLine(of: pid).hasPrefix("ssh: " + directory + "/") { found.append(pid) }
        }
        return found
        #else
        return []
        #endif
    }

    /// The parent pid from /proc/PID/stat: the field after the state, past the `(comm)`.
    private static func parent(of pid: pid_t) -> pid_t? {
        let stat = read("/proc/\(pid)/stat")
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? pid_t(fields[1]) : nil
    }

    private static func commandLine(of pid: pid_t) -> String {
        read("/proc/\(pid)/cmdline").split(separator: "\0").joined(separator: " ")
    }

    private static func read(_ path: String) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = Glibc.read(fd, &buffer, buffer.count)
        return n > 0 ? String(decoding: buffer[..<n], as: UTF8.self) : ""
    }
}
