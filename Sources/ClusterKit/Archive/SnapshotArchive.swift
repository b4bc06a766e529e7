import Foundation
import RunbookKit

/// Opens a packed snapshot (`.tar.gz`) for `ClusterSource.open(path:)`: unpacks it into a
/// private temporary directory (0700) and loads that. The server reads logs from the
/// directory while it serves, so the directory lives until `release(_:)` (the replay's
/// stop) or, at the latest, the end of the process.
public enum SnapshotArchive {
    private static let mutex = Mutex()
    nonisolated(unsafe) private static var unpacked: [String: UnpackedArchive] = [:]
    nonisolated(unsafe) private static var exitHookRegistered = false

    /// Whether the file starts like a gzip stream (a snapshot), whatever its name.
    public static func isArchive(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let magic = handle.readData(ofLength: 2)
        return magic.count == 2 && magic[magic.startIndex] == 0x1f && magic[magic.startIndex + 1] == 0x8b
    }

    /// The snapshot at `path` loaded, or nil when the file is not a gzip archive.
    static func open(_ path: String) throws -> ClusterStore? {
        guard isArchive(path) else { return nil }
        let archive = try UnpackedArchive(path: path)
        do {
            let store = try ClusterStore.load(directory: archive.directory)
            mutex.withLock {
                unpacked[store.directory] = archive
                // A process that exits without stopping its replay (an error path) still
                // removes what it unpacked.
                if !exitHookRegistered {
                    exitHookRegistered = true
                    atexit { SnapshotArchive.releaseAll() }
                }
            }
            return store
        } catch {
            archive.remove()
            throw error
        }
    }

    /// Removes the directory a store was unpacked into (nothing for a cluster directory).
    public static func release(_ store: ClusterStore) {
        let archive = mutex.withLock { unpacked.removeValue(forKey: store.directory) }
        archive?.remove()
    }

    private static func releaseAll() {
        let all = mutex.withLock { () -> [UnpackedArchive] in
            defer { unpacked = [:] }
            return Array(unpacked.values)
        }
        for archive in all { archive.remove() }
    }
}
