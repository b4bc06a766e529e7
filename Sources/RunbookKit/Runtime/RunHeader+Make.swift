import Foundation

extension RunHeader {
    public static let toolVersion = "0.1.0"

    /// The header of a run of `checked`: content hash, git commit, who and where, and the plan.
    public static func make(for checked: CheckedRunbook, parameters: [String: String], secretParameters: [String] = [],
                            identity: RunIdentity, mode: RunMode, plan: RunPlan = RunPlan(),
                            startTime: Date = Date()) -> RunHeader {
        RunHeader(
            runbookPath: absolutePath(checked.path),
            runbookTitle: checked.title,
            contentHash: contentHash(of: checked),
            gitCommit: GitInfo.headCommit(near: checked.path),
            parameters: parameters,
            secretParameters: secretParameters,
            user: identity.user,
            host: identity.host,
            pid: identity.pid,
            startTime: startTime,
            toolVersion: identity.toolVersion,
            mode: mode,
            plan: plan)
    }

    /// "sha256:…" of the runbook's bytes: resume warns when the file changed since.
    public static func contentHash(of checked: CheckedRunbook) -> String {
        "sha256:" + SHA256.hex(checked.runbook.file.bytes)
    }
}

extension RunIdentity {
    /// This process, with the given login name (the client reads $USER; the password
    /// database answers otherwise).
    public static func thisProcess(user: String?) -> RunIdentity {
        RunIdentity(user: user ?? userName(), host: localHostName(), pid: Int(getpid()),
                    toolVersion: RunHeader.toolVersion)
    }
}

/// The login name of this process's user, from the password database.
func userName() -> String {
    guard let entry = getpwuid(getuid()), let name = entry.pointee.pw_name else { return String(getuid()) }
    return String(cString: name)
}

/// Journals name the runbook absolutely, so `resume` works from any directory.
func absolutePath(_ path: String) -> String {
    if path.hasPrefix("/") { return path }
    return ((FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path) as NSString).standardizingPath
}

/// gethostname(2) directly: Foundation's hostName may wait on name resolution.
func localHostName() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
    return String(cString: buffer)
}

/// Reads the HEAD commit of the repository a file is in straight from `.git`, without
/// starting a `git` process (which would cost more than a whole small run).
enum GitInfo {
    static func headCommit(near path: String) -> String? {
        var dir = ((path as NSString).isAbsolutePath ? path : FileManager.default.currentDirectoryPath + "/" + path)
        dir = (dir as NSString).deletingLastPathComponent
        let fm = FileManager.default
        while !dir.isEmpty {
            let git = dir + "/.git"
            if fm.fileExists(atPath: git) { return commit(gitDir: git) }
            let parent = (dir as NSString).deletingLastPathComponent
            if parent == dir { break }
            dir = parent
        }
        return nil
    }

    private static func commit(gitDir: String) -> String? {
        guard let head = try? String(contentsOfFile: gitDir + "/HEAD", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines) else { return nil }
        guard head.hasPrefix("ref: ") else { return head.isEmpty ? nil : head }
        let ref = String(head.dropFirst(5))
        if let loose = try? String(contentsOfFile: gitDir + "/" + ref, encoding: .utf8) {
            return loose.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let packed = try? String(contentsOfFile: gitDir + "/packed-refs", encoding: .utf8) else { return nil }
        for line in packed.split(separator: "\n") where line.hasSuffix(" " + ref) {
            return String(line.split(separator: " ")[0])
        }
        return nil
    }
}
