import Foundation
#if canImport(Glibc)
import Glibc
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

    /// Replaces the file's content all at once: a temporary file next to it, with the same
    /// permissions, renamed over it. A crash leaves the old or the new file, never half of one.
    public static func writeAtomically(_ text: String, to path: String) throws {
        let target = (path as NSString).resolvingSymlinksInPath
        let directory = (target as NSString).deletingLastPathComponent
        let name = (target as NSString).lastPathComponent
        let temporary = (directory.isEmpty ? "." : directory) + "/.\(name).fmt-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
        let permissions = (try? FileManager.default.attributesOfItem(atPath: target)[.posixPermissions]) as? NSNumber
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: temporary), options: .withoutOverwriting)
            if let permissions {
                try FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: temporary)
            }
            guard rename(temporary, target) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: String(cString: strerror(errno))])
            }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
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
