import Foundation

/// The cluster directory: one layout for hand-written fixture clusters and for snapshots
/// (a snapshot's .tar.gz unpacks to it). docs/SNAPSHOTS.md describes it.
public enum ClusterFormat {
    /// The version written into `cluster.json`; a directory of another version is refused.
    public static let version = 1
    public static let manifestName = "cluster.json"
    public static let objectsDirectory = "objects"
    public static let logsDirectory = "logs"
    public static let tablesDirectory = "tables"
}
