#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Opening a journal for appending, safely on a shared machine.
enum JournalFile {
    /// A runner killed while writing leaves a last line without its newline: end it, so
    /// that what is appended (a resumed run) starts on a line of its own. The reader knows a
    /// damaged line right before a `resumed` record for what it is.
    private static func endCutLine(_ fd: Int32, size: Int) {
        guard size > 0 else { return }
        var last: UInt8 = 0
        guard pread(fd, &last, 1, off_t(size - 1)) == 1, last != UInt8(ascii: "\n") else { return }
        var newline = UInt8(ascii: "\n")
        _ = write(fd, &newline, 1)
    }

    /// Opens `path` for appending (creating it 0600), refusing what would put the record in
    /// someone else's hands or mix two runs in it:
    /// - a symbolic link (O_NOFOLLOW): a link planted by another user would make the runner
    ///   append its outputs to a file of their choosing;
    /// - anything but a regular file owned by this user (or a device such as /dev/null): the
    ///   0600 promise would not hold;
    /// - a journal another runner holds (an exclusive flock, kept until the descriptor is
    ///   closed, so a killed runner releases it at once).
    static func openForAppend(_ path: String) throws -> Int32 {
        let fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0o600)
        if fd < 0 {
            let code = errno
            if code == ELOOP {
                throw JournalError.cannotOpen(path: path, reason: "it is a symbolic link; name the real file")
            }
            throw JournalError.cannotOpen(path: path, reason: String(cString: strerror(code)))
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw JournalError.cannotOpen(path: path, reason: reason)
        }
        // A device (`--journal /dev/null`) is allowed: it holds no record to protect or mix.
        if info.st_mode & S_IFMT == S_IFCHR { return fd }
        if info.st_mode & S_IFMT != S_IFREG {
            close(fd)
            throw JournalError.cannotOpen(path: path, reason: "not a regular file")
        }
        if info.st_uid != geteuid() {
            close(fd)
            throw JournalError.cannotOpen(path: path, reason: "owned by another user (uid \(info.st_uid)); a journal must be this user's own file")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            close(fd)
            if code == EWOULDBLOCK { throw JournalError.inUse(path: path) }
            throw JournalError.cannotOpen(path: path, reason: "cannot lock: \(String(cString: strerror(code)))")
        }
        endCutLine(fd, size: Int(info.st_size))
        return fd
    }
}
