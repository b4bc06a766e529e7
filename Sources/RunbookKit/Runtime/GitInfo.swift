import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the HEAD commit of the repository a runbook is in straight from `.git`, without
/// starting a `git` process (which would cost more than a whole small run).
///
/// What ends up in the journal must be a commit id and nothing else, whatever the files say:
/// the search stops at the first `.git` above the runbook, at a file-system boundary (as git
/// does by default) and at a `.git` that belongs to another user (someone else's repository,
/// e.g. a `/.git` planted above a shared directory, says nothing about this runbook); refs
/// are checked before they name a file (so `ref: ../../etc/shadow` reads nothing), only
/// regular files of bounded size are read (a FIFO would block the start of the run), and
/// the value is kept only when it is a 40- or 64-digit hex commit id.
enum GitInfo {
    /// `sudoUID`: for root under sudo, the invoking user's id (`SUDO_UID`, read by the client),
    /// whose repositories count as ours, as git allows.
    static func headCommit(near path: String, sudoUID: UInt32? = nil) -> String? {
        let owners = Owners(sudoUID: sudoUID)
        guard let file = realpath(path, nil) else { return nil }
        var directory = (String(cString: file) as NSString).deletingLastPathComponent
        free(file)
        var info = stat()
        guard stat(directory, &info) == 0 else { return nil }
        let device = info.st_dev
        while true {
            let dotGit = (directory == "/" ? "" : directory) + "/.git"
            if lstat(dotGit, &info) == 0 {
                return repository(dotGit, info, in: directory, owners: owners).flatMap(commit)
            }
            guard directory != "/" else { return nil }
            let parent = (directory as NSString).deletingLastPathComponent
            guard stat(parent, &info) == 0, info.st_dev == device else { return nil }
            directory = parent
        }
    }

    /// Where HEAD is, and where the shared refs are (the same place, except in a worktree).
    private struct Repository {
        let gitDirectory: String
        let commonDirectory: String
    }

    /// The repository of a `.git` directory, or of a `.git` file (`gitdir: PATH`, as in
    /// worktrees and submodules); nil when it is not this user's.
    private static func repository(_ dotGit: String, _ info: stat, in directory: String, owners: Owners) -> Repository? {
        guard owners.own(info) else { return nil }
        let gitDirectory: String
        switch info.st_mode & S_IFMT {
        case S_IFDIR:
            gitDirectory = dotGit
        case S_IFREG:
            guard let text = readSmallFile(dotGit, limit: 4096), text.hasPrefix("gitdir: "),
                  let target = owners.directory(String(text.dropFirst(8)), relativeTo: directory) else { return nil }
            gitDirectory = target
        default:
            return nil
        }
        var commonDirectory = gitDirectory
        if let common = readSmallFile(gitDirectory + "/commondir", limit: 4096) {
            guard let target = owners.directory(common, relativeTo: gitDirectory) else { return nil }
            commonDirectory = target
        }
        return Repository(gitDirectory: gitDirectory, commonDirectory: commonDirectory)
    }

    private static func commit(_ repository: Repository) -> String? {
        guard let head = readSmallFile(repository.gitDirectory + "/HEAD", limit: 4096) else { return nil }
        return resolve(head, in: repository, depth: 0)
    }

    /// A commit id, or what a `ref: NAME` line names, followed at most a few times.
    private static func resolve(_ content: String, in repository: Repository, depth: Int) -> String? {
        guard content.hasPrefix("ref: ") else { return isCommitID(content) ? content : nil }
        let ref = String(content.dropFirst(5))
        guard depth < 5, isSafeRef(ref) else { return nil }
        for directory in [repository.gitDirectory, repository.commonDirectory] {
            if let loose = readSmallFile(directory + "/" + ref, limit: 4096) {
                return resolve(loose, in: repository, depth: depth + 1)
            }
        }
        guard let packed = readSmallFile(repository.commonDirectory + "/packed-refs", limit: 64 << 20) else { return nil }
        for line in packed.split(separator: "\n") where !line.hasPrefix("#") && !line.hasPrefix("^") {
            let fields = line.split(separator: " ", maxSplits: 1)
            if fields.count == 2, fields[1] == ref { return isCommitID(String(fields[0])) ? String(fields[0]) : nil }
        }
        return nil
    }

    /// git's rules for ref names (check-ref-format), under refs/: no `..`, `//` or `@{`, no
    /// component starting with `.`, no `.lock` or `/` or `.` at the end, and none of the
    /// characters git forbids (controls, space, ~ ^ : ? * [ \).
    static func isSafeRef(_ ref: String) -> Bool {
        guard ref.hasPrefix("refs/"), !ref.contains(".."), !ref.contains("//"), !ref.contains("@{"),
              !ref.hasSuffix("/"), !ref.hasSuffix("."), !ref.hasSuffix(".lock"), !ref.contains("/.") else { return false }
        let forbidden = Set(" ~^:?*[\\".utf8)
        return ref.utf8.allSatisfy { $0 > 0x20 && $0 != 0x7F && !forbidden.contains($0) }
    }

    /// 40 (SHA-1) or 64 (SHA-256) lower-case hex digits.
    static func isCommitID(_ text: String) -> Bool {
        (text.utf8.count == 40 || text.utf8.count == 64)
            && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    /// Whose files count as ours: this user's, or, for root under sudo, also those of the user
    /// who ran sudo (as git allows).
    private struct Owners {
        let sudoUID: UInt32?

        func own(_ info: stat) -> Bool {
            let me = geteuid()
            if info.st_uid == me { return true }
            guard me == 0, let uid = sudoUID else { return false }
            return info.st_uid == uid
        }

        /// `path` (relative to `base` unless absolute) when it is a directory of ours.
        func directory(_ path: String, relativeTo base: String) -> String? {
            let full = path.hasPrefix("/") ? path : base + "/" + path
            var info = stat()
            guard stat(full, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, own(info) else { return nil }
            return full
        }
    }

    /// The trimmed text of a regular file of at most `limit` bytes; nil for anything else.
    /// O_NONBLOCK: opening a FIFO must not wait for a writer.
    static func readSmallFile(_ path: String, limit: Int) -> String? {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size <= limit else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var count = 0
        while count < bytes.count {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + count, $0.count - count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            count += n
        }
        return String(decoding: bytes[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
