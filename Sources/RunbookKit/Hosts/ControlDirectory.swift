// The private directory that holds an ssh executor's ControlMaster sockets. Anyone who can
// open a control socket can run commands through its connection, so it must be private.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum ControlDirectory {
    struct Failure: Error { let message: String }

    /// A new private directory under `runtime` (the client passes $XDG_RUNTIME_DIR; used when
    /// it is a writable directory) or /tmp. mkdtemp creates it with mode 0700 under a name no
    /// one else can have chosen beforehand; the name carries the runner's pid, so that a later
    /// run can tell the directory of a runner that is gone.
    static func makeFresh(under runtime: String?) -> Result<String, Failure> {
        var base = "/tmp"
        if let runtime, !runtime.isEmpty, isDirectory(runtime), access(runtime, W_OK) == 0 {
            base = runtime
        }
        sweepLeftovers(in: base)
        var template = Array((base + "/runbook-ssh-\(getpid())-XXXXXX").utf8CString)
        guard mkdtemp(&template) != nil else {
            return .failure(Failure(message: "cannot create a directory under \(base): \(SystemCalls.errorDescription(errno))"))
        }
        return .success(String(cString: template))
    }

    /// Creates `path` with mode 0700 if missing; fails unless it is a directory of ours that
    /// no one else can enter.
    static func prepare(_ path: String) -> Result<String, Failure> {
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            return .failure(Failure(message: "cannot create \(path): \(SystemCalls.errorDescription(errno))"))
        }
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            return .failure(Failure(message: "\(path) is not a directory"))
        }
        guard info.st_uid == geteuid(), info.st_mode & 0o077 == 0 else {
            return .failure(Failure(message: "\(path) must be owned by this user and have mode 0700"))
        }
        return .success(path)
    }

    /// A runner killed with -9 cannot remove its directory; its masters exit and take their
    /// sockets with them, and the empty directory stays. Each new one removes those of this
    /// user whose runner is gone. rmdir takes only an empty directory, so a socket in use is
    /// never touched, and a reused pid only keeps a leftover until that process ends too.
    static func sweepLeftovers(in base: String) {
        guard let listing = opendir(base) else { return }
        defer { closedir(listing) }
        let me = geteuid()
        while let entry = readdir(listing) {
            let name = SystemCalls.entryName(entry)
            guard name.hasPrefix("runbook-ssh-") else { continue }
            let parts = name.dropFirst("runbook-ssh-".count).split(separator: "-")
            guard parts.count == 2, let pid = pid_t(parts[0]), pid > 0, kill(pid, 0) != 0, errno == ESRCH else { continue }
            let path = base + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == me else { continue }
            _ = rmdir(path)
        }
    }

    private static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }
}
