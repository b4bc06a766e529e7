import Foundation

/// A new directory only this user can enter (mkdtemp: 0700, a name nobody can guess ahead).
public enum PrivateDirectory {
    /// `root` (default: $TMPDIR or /tmp) + "/PREFIX-XXXXXX".
    public static func make(prefix: String, in root: String? = nil) throws -> String {
        let root = root ?? ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((root + "/\(prefix)-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw ArchiveError.cannotWrite(path: root, reason: "cannot make a temporary directory: \(String(cString: strerror(errno)))")
        }
        return String(cString: made)
    }
}
