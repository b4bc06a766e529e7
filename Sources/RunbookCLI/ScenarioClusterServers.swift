import ClusterKit
import Foundation
import RunbookKit

/// `runbook test`'s fixture clusters: one in-process API server (127.0.0.1, a free port) per
/// cluster directory (or snapshot), started the first time a scenario names it and shared by every later
/// scenario of that directory. Each server has its own temp directory holding its kubeconfig
/// and kubectl's cache, removed with the server.
///
/// Thread contract (`ScenarioClusters`): `connection(to:)` may be called from the suite's
/// threads at once; the lock makes the first caller for a directory start its server while the
/// others wait for it (a start takes milliseconds: the directory is read once).
final class ScenarioClusterServers: ScenarioClusters {
    private struct Running {
        var server: ClusterServer
        var directory: String
        var connection: ClusterConnection
    }

    private let lock = Mutex()
    private var running: [String: Running] = [:]
    /// `runbook test --snapshot S`: S is served wherever a scenario names a cluster, so that
    /// the same scenarios check that a replay reaches the diagnosis the live cluster gave.
    private let replacement: String?

    init(replacement: String? = nil) { self.replacement = replacement }

    func connection(to path: String) throws -> ClusterConnection {
        let path = replacement ?? path
        let key = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        return try lock.withLock {
            if let existing = running[key] { return existing.connection }
            let started = try start(key)
            running[key] = started
            return started.connection
        }
    }

    func stopAll() {
        let all = lock.withLock { () -> [Running] in
            defer { running = [:] }
            return Array(running.values)
        }
        for entry in all {
            entry.server.stop()
            ClusterSource.release(entry.server.cluster)
            try? FileManager.default.removeItem(atPath: entry.directory)
        }
    }

    private func start(_ path: String) throws -> Running {
        let store: ClusterStore
        do {
            store = try ClusterSource.open(path: path)
        } catch {
            throw ScenarioClusterError("\(error)")
        }
        let directory = try Self.makeTempDirectory()
        let server = ClusterServer(cluster: store)
        do {
            _ = try server.start()
            let kubeconfig = (directory as NSString).appendingPathComponent("kubeconfig")
            let cache = (directory as NSString).appendingPathComponent("cache")
            try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
            try server.writeKubeconfig(to: kubeconfig)
            return Running(server: server, directory: directory,
                           connection: ClusterConnection(kubeconfig: kubeconfig, cacheDirectory: cache))
        } catch {
            server.stop()
            ClusterSource.release(store)
            try? FileManager.default.removeItem(atPath: directory)
            throw ScenarioClusterError("\(error)")
        }
    }

    private static func makeTempDirectory() throws -> String {
        var template = Array((NSTemporaryDirectory() as NSString).appendingPathComponent("runbook-test-cluster.XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw ScenarioClusterError("cannot create a temporary directory in \(NSTemporaryDirectory()): \(String(cString: strerror(errno)))")
        }
        return String(cString: made)
    }
}
