import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Files for `runbook fmt`: which ones to format, writing them safely, what changed.
public enum FormatFile {
    /// Runbook files: files as given, directories searched recursively for `*.runbook`.
    public static func expand(_ paths: [String]) -> [String] {
        paths.flatMap { path -> [String] in
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                return [path]
            }
            let found = FileManager.default.enumerator(atPath: path)?.compactMap { $0 as? String } ?? []
            return found.filter { $0.hasSuffix(".runbook") }.sorted().map { (path as NSString).appendingPathComponent($0) }
        }
    }

    public struct WriteError: Error, CustomStringConvertible, LocalizedError {
        public let description: String
        public var errorDescription: String? { description }
    }

    /// Replaces the content of the file `path` names, which stays the same file in every way
    /// but its content: a symbolic link is followed (the link stays a link, its target gets
    /// the text), and owner, group and mode are kept, never widened.
    ///
    /// Normally a temporary file next to the target, given the target's owner and mode, is
    /// renamed over it: a crash leaves the old or the new file, never half of one. Renaming
    /// makes a new inode, though, so where that would change the file's identity the text is
    /// written in place instead (over the old text, then truncated): when the file has other
    /// hard links (they would keep the old text), when its owner cannot be given to a new
    /// file (not running as root), or when its directory cannot take a temporary file.
    public static func writeAtomically(_ text: String, to path: String) throws {
        guard let resolved = realpath(path, nil) else {
            throw WriteError(description: "cannot resolve \(path): \(SystemCalls.errorDescription(errno))")
        }
        let target = String(cString: resolved)
        free(resolved)
        var info = stat()
        guard stat(target, &info) == 0 else {
            throw WriteError(description: "cannot read \(target): \(SystemCalls.errorDescription(errno))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else { throw WriteError(description: "\(target) is not a regular file") }
        let bytes = Array(text.utf8)
        let ownerKept = info.st_uid == geteuid() || geteuid() == 0
        if info.st_nlink == 1 && ownerKept, try replaceByRename(target, with: bytes, like: info) {
            return
        }
        try writeInPlace(target, bytes)
    }

    /// Writes a temporary file with the target's owner, group and mode and renames it over
    /// the target. False when the directory takes no temporary file (the caller writes in
    /// place).
    private static func replaceByRename(_ target: String, with bytes: [UInt8], like info: stat) throws -> Bool {
        let directory = (target as NSString).deletingLastPathComponent
        let name = (target as NSString).lastPathComponent
        let temporary = directory + "/.\(name).fmt-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
        // Only the owner can read it until it has the target's mode.
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            if errno == EACCES || errno == EROFS || errno == EPERM { return false }
            throw WriteError(description: "cannot create a temporary file in \(directory): \(SystemCalls.errorDescription(errno))")
        }
        var closed = false
        defer {
            if !closed { close(fd) }
        }
        do {
            // Owner first: chown clears set-user-ID and set-group-ID bits, which fchmod restores.
            // A group this user is not in cannot be given: then the file is written in place.
            guard fchown(fd, info.st_uid, info.st_gid) == 0 else {
                unlink(temporary)
                return false
            }
            guard fchmod(fd, info.st_mode & 0o7777) == 0 else {
                throw WriteError(description: "cannot give \(temporary) the mode of \(target): \(SystemCalls.errorDescription(errno))")
            }
            try writeAll(fd, bytes, to: temporary)
            guard fsync(fd) == 0 else {
                throw WriteError(description: "cannot write \(temporary): \(SystemCalls.errorDescription(errno))")
            }
            closed = true
            close(fd)
            guard rename(temporary, target) == 0 else {
                throw WriteError(description: "cannot replace \(target): \(SystemCalls.errorDescription(errno))")
            }
        } catch {
            unlink(temporary)
            throw error
        }
        return true
    }

    /// Overwrites the file itself, which keeps its inode: every hard link, the owner and
    /// the mode stay as they are.
    private static func writeInPlace(_ target: String, _ bytes: [UInt8]) throws {
        let fd = open(target, O_WRONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw WriteError(description: "cannot write \(target): \(SystemCalls.errorDescription(errno))") }
        defer { close(fd) }
        try writeAll(fd, bytes, to: target)
        guard ftruncate(fd, off_t(bytes.count)) == 0, fsync(fd) == 0 else {
            throw WriteError(description: "cannot write \(target): \(SystemCalls.errorDescription(errno))")
        }
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], to path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw WriteError(description: "cannot write \(path): \(SystemCalls.errorDescription(errno))")
            }
            offset += n
        }
    }

    /// How many lines differ between two texts (lines not in their longest common subsequence).
    public static func changedLines(_ old: String, _ new: String) -> Int {
        let a = old.split(separator: "\n", omittingEmptySubsequences: false)
        let b = new.split(separator: "\n", omittingEmptySubsequences: false)
        var previous = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {   // split always gives at least one line
            var row = [Int](repeating: 0, count: b.count + 1)
            for j in stride(from: 1, through: b.count, by: 1) {
                row[j] = a[i - 1] == b[j - 1] ? previous[j - 1] + 1 : max(previous[j], row[j - 1])
            }
            previous = row
        }
        return max(a.count, b.count) - previous[b.count]
    }
}
