import Foundation

/// Where the editor keeps its history between sessions.
public enum HistoryFile {
    /// `$XDG_STATE_HOME/runbook/history`, or `~/.local/state/runbook/history`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
            return state + "/runbook/history"
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.local/state/runbook/history"
    }

    /// Creates the file's parent directories (private to the user: history can hold host
    /// names and commands). Returns false when that is impossible.
    @discardableResult
    public static func prepareDirectory(for path: String) -> Bool {
        let directory = (path as NSString).deletingLastPathComponent
        if directory.isEmpty { return true }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            return true
        } catch {
            return false
        }
    }
}
