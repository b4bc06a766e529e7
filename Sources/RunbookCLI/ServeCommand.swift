import ArgumentParser
import ClusterKit
import Foundation

/// `runbook serve PATH`: serves a recorded cluster to kubectl until interrupted.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a recorded cluster (a cluster directory or snapshot) to kubectl, read-only, on 127.0.0.1.")

    @Argument(help: "A cluster directory (with cluster.json) or a snapshot.", completion: .file())
    var path: String

    @Option(help: "The port to listen on (0: any free port).")
    var port: Int = 0

    @Option(help: "Where to write the kubeconfig: a file that does not exist yet, removed on exit (default: one in the temporary directory).")
    var kubeconfig: String?

    func run() throws {
        guard (0...65535).contains(port) else {
            Output.err("error: --port \(port) is not a TCP port (0-65535; 0 picks a free one)\n")
            throw ExitCode(Exit.usage)
        }
        // The file is removed on exit, so an existing one (a user's own kubeconfig) is refused.
        if let kubeconfig, FileManager.default.fileExists(atPath: kubeconfig) {
            Output.err("error: --kubeconfig \(kubeconfig) already exists; runbook serve writes its own kubeconfig and removes it on exit, so name a new file\n")
            throw ExitCode(Exit.usage)
        }
        let store: ClusterStore
        do { store = try ClusterSource.open(path: path) } catch {
            Output.err("error: \(error)\n")
            throw ExitCode(Exit.usage)
        }
        // SIGINT and SIGTERM are blocked before any server thread exists (threads inherit the
        // mask), then waited for here: the kubeconfig is removed on the way out.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        let server = ClusterServer(cluster: store, options: .init(port: port))
        let kubeconfigPath = kubeconfig ?? NSTemporaryDirectory() + "runbook-\(store.manifest.name)-\(getpid().description).kubeconfig"
        do {
            try server.start()
            try server.writeKubeconfig(to: kubeconfigPath)
        } catch {
            server.stop()
            Output.err("error: \(error)\n")
            throw ExitCode(1)
        }
        Output.err("serving \(store.manifest.name) (\(store.manifest.source.rawValue)) on http://127.0.0.1:\(server.port); Ctrl-C stops\n")
        Output.out("export KUBECONFIG=\(kubeconfigPath)\n")
        var received: Int32 = 0
        sigwait(&signals, &received)
        server.stop()
        try? FileManager.default.removeItem(atPath: kubeconfigPath)
        Output.err("stopped\n")
    }
}
