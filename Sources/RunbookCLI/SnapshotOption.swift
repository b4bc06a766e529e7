import ArgumentParser
import ClusterKit
import Foundation
import RunbookKit

/// `--snapshot FILE` for the commands that run runbooks (`run`, `repl`, `test`; `resume`
/// takes it from the run's plan).
struct SnapshotOption: ParsableArguments {
    @Option(name: .long, help: "Run against a snapshot (`runbook snapshot`) instead of the live cluster: kubectl talks to a local read-only server.",
            completion: .file())
    var snapshot: String?

    /// The replay asked for, started; nil without --snapshot. Exits 2 with the reason when
    /// the snapshot cannot be opened.
    func start() throws -> SnapshotReplay? {
        guard let snapshot else { return nil }
        return try SnapshotReplay.startOrExit(path: snapshot)
    }
}

/// A snapshot served on 127.0.0.1 for the length of one run, with a kubeconfig (and a kubectl
/// cache) in a private temporary directory. Every local command of the run gets KUBECONFIG and
/// KUBECACHEDIR pointing there, over whatever the runbook or the environment set, so a replay
/// never reaches a live cluster through kubectl's defaults. A command for a node (`on HOST`, a
/// fan-out) fails as unreachable: a snapshot has no live nodes, and a runbook must not
/// conclude healthy from a node it could not look at.
final class SnapshotReplay: @unchecked Sendable {
    let reference: SnapshotReference
    /// What every local command gets in its environment.
    let environment: [String: String]
    private let server: ClusterServer
    private let store: ClusterStore
    private let directory: String
    private let mutex = Mutex()
    private var stopped = false

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Opens `path`, checks its hash against `expectedHash` (resume), starts the server.
    init(path: String, expectedHash: String? = nil) throws {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let hash = try SnapshotReplay.hash(of: absolute)
        if let expectedHash, expectedHash != hash {
            throw Failure(description: "\(path) has changed since the run started (\(SnapshotReplay.short(expectedHash)) then, \(SnapshotReplay.short(hash)) now); resume against the same snapshot, or start a new run")
        }
        store = try ClusterSource.open(path: absolute)
        do {
            directory = try PrivateDirectory.make(prefix: "runbook-replay")
            server = ClusterServer(cluster: store)
            try server.start()
            try server.writeKubeconfig(to: directory + "/kubeconfig")
        } catch {
            SnapshotArchive.release(store)
            throw error
        }
        // RUNBOOK_SNAPSHOT lets a runbook (`env("RUNBOOK_SNAPSHOT")`) and its commands tell a
        // replay from a live run, e.g. to say why a node does not answer.
        environment = ["KUBECONFIG": directory + "/kubeconfig", "KUBECACHEDIR": directory + "/cache",
                       "RUNBOOK_SNAPSHOT": absolute]
        reference = SnapshotReference(path: absolute, sha256: hash,
                                      takenAt: SnapshotReplay.rfc3339(store.manifest.recordedAt),
                                      cluster: store.manifest.name)
    }

    static func startOrExit(path: String, expectedHash: String? = nil) throws -> SnapshotReplay {
        do {
            return try SnapshotReplay(path: path, expectedHash: expectedHash)
        } catch {
            // On resume the path comes from the journal, not from an option the user gave.
            let what = expectedHash == nil ? "--snapshot \(path)" : "the run's snapshot \(path)"
            Output.err("error: \(what): \(error)\n")
            throw ExitCode(Exit.usage)
        }
    }

    /// Records the snapshot in the run's plan and shows its KUBECONFIG to `env(…)`.
    func apply(to options: inout RunOptions) {
        options.snapshot = reference
        options.processEnvironment.merge(environment) { $1 }
    }

    /// `executor` with the replay's environment added to local commands and remote ones refused.
    func wrap(_ executor: CommandExecutor) -> CommandExecutor {
        ReplayExecutor(inner: executor, environment: environment, snapshot: reference)
    }

    /// Stops the server, removes the kubeconfig, the cache and an unpacked archive. Safe to call twice.
    func stop() {
        let first = mutex.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        server.stop()
        SnapshotArchive.release(store)
        try? FileManager.default.removeItem(atPath: directory)
    }

    deinit { stop() }

    /// "sha256:…" of the archive's bytes; of `cluster.json` for a cluster directory.
    static func hash(of path: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw Failure(description: "no such file (a snapshot is the .tar.gz `runbook snapshot` writes)")
        }
        let file = isDirectory.boolValue ? path + "/" + ClusterFormat.manifestName : path
        guard let data = FileManager.default.contents(atPath: file) else {
            throw Failure(description: "cannot read \(file)")
        }
        return "sha256:" + SHA256.hex(Array(data))
    }

    private static func short(_ hash: String) -> String { String(hash.prefix(19)) + "…" }

    static func rfc3339(_ seconds: Double) -> String {
        JournalTime.iso8601(Date(timeIntervalSince1970: seconds))
    }
}

/// Runs local commands with the replay's KUBECONFIG and KUBECACHEDIR; answers every command
/// for another host as unreachable. Thread-safe when the wrapped executor is.
final class ReplayExecutor: CommandExecutor, @unchecked Sendable {
    private let inner: CommandExecutor
    private let environment: [String: String]
    private let snapshot: SnapshotReference

    init(inner: CommandExecutor, environment: [String: String], snapshot: SnapshotReference) {
        self.inner = inner
        self.environment = environment
        self.snapshot = snapshot
    }

    func run(_ request: CommandRequest, onLine: @escaping @Sendable (RunbookKit.OutputStream, String) -> Void) -> CommandResult {
        guard request.isLocal else {
            let line = "the snapshot has no live nodes: \(request.host ?? "the host") cannot be reached in a replay of \(snapshot.cluster) taken at \(snapshot.takenAt)"
            onLine(.stderr, line)
            return CommandResult(stderr: line + "\n", exitCode: 255, unreachable: true)
        }
        var request = request
        request.environment.merge(environment) { $1 }
        return inner.run(request, onLine: onLine)
    }
}
