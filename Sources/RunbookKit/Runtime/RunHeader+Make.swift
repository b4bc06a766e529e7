import Foundation

extension RunHeader {
    public static let toolVersion = "0.1.0"

    /// The header of a run of `checked`: content hash, git commit, who and where.
    public static func make(for checked: CheckedRunbook, parameters: [String: String], mode: String) -> RunHeader {
        // getenv, not ProcessInfo's dictionary of the whole environment (costly at start-up).
        let env = ["USER": getenv("USER"), "LOGNAME": getenv("LOGNAME")].compactMapValues { $0.map { String(cString: $0) } }
        return RunHeader(
            runbookPath: absolutePath(checked.path),
            runbookTitle: checked.title,
            contentHash: "sha256:" + SHA256.hex(checked.runbook.file.bytes),
            gitCommit: GitInfo.headCommit(near: checked.path),
            parameters: parameters,
            user: env["USER"] ?? env["LOGNAME"] ?? userName(),
            host: localHostName(),
            startTime: Date(),
            toolVersion: toolVersion,
            mode: mode)
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
