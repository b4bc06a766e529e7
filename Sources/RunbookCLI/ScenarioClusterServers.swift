import RunbookKit

/// Until ClusterKit's server is in this build, a scenario that names a cluster is an error.
final class ScenarioClusterServers: ScenarioClusters {
    func connection(to path: String) throws -> ClusterConnection {
        throw ScenarioClusterError("this build of runbook has no cluster server yet")
    }
    func stopAll() {}
}
