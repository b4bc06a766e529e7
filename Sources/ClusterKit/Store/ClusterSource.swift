import Foundation

/// Where a served cluster comes from: a cluster directory, or a packed snapshot (`.tar.gz`,
/// recognised by its gzip header whatever its name), which is unpacked into a private
/// temporary directory first (`SnapshotArchive`).
public enum ClusterSource {
    public static func open(path: String) throws -> ClusterStore {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            return try ClusterStore.load(directory: path)
        }
        if let store = try SnapshotArchive.open(path) { return store }
        guard FileManager.default.fileExists(atPath: path) else {
            throw ClusterLoadError.file(path, "no such file or directory")
        }
        throw ClusterLoadError.file(path, "not a cluster directory (expected a directory with cluster.json; docs/SNAPSHOTS.md) nor a snapshot (.tar.gz)")
    }

    /// Removes what opening a snapshot unpacked (nothing for a cluster directory).
    public static func release(_ store: ClusterStore) { SnapshotArchive.release(store) }
}
