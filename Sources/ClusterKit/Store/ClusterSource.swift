import Foundation

/// Where a served cluster comes from: a cluster directory today; the snapshot code
/// extends `open` for `.tar.gz` snapshots through `archiveOpener`.
public enum ClusterSource {
    /// Set by the snapshot code: opens a packed snapshot, or returns nil for a path that is
    /// not one (then `open` refuses it). Thread contract: set once at start-up, before any
    /// `open`; read-only after that.
    nonisolated(unsafe) public static var archiveOpener: ((String) throws -> ClusterStore?)? = nil

    public static func open(path: String) throws -> ClusterStore {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            return try ClusterStore.load(directory: path)
        }
        if let opener = archiveOpener, let store = try opener(path) { return store }
        guard FileManager.default.fileExists(atPath: path) else {
            throw ClusterLoadError.file(path, "no such file or directory")
        }
        throw ClusterLoadError.file(path, "not a cluster directory (expected a directory with cluster.json; docs/SNAPSHOTS.md)")
    }
}
