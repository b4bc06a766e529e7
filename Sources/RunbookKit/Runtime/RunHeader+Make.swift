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
            gitCommit: GitInfo.headCommit(near: checked.path, sudoUID: identity.sudoUID),
            parameters: parameters,
            secretParameters: secretParameters,
            user: identity.user,
            host: identity.host,
            pid: identity.pid,
            startTime: startTime,
            toolVersion: identity.toolVersion,
            mode: mode,
            plan: plan,
            preludes: checked.preludes.isEmpty ? nil : checked.preludes)
    }

    /// "sha256:…" of the runbook's bytes: resume warns when the file changed since.
    public static func contentHash(of checked: CheckedRunbook) -> String {
        "sha256:" + SHA256.hex(checked.runbook.file.bytes)
    }
}

extension RunIdentity {
    /// This process, with the given login name (the client reads $USER; the password
    /// database answers otherwise).
    public static func thisProcess(user: String?, sudoUID: UInt32? = nil) -> RunIdentity {
        RunIdentity(user: user ?? userName(), host: localHostName(), pid: Int(getpid()),
                    toolVersion: RunHeader.toolVersion, sudoUID: sudoUID)
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
