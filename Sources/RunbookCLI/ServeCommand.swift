import ArgumentParser
import ClusterKit
import Foundation

/// `runbook serve [PATH] [--test-bed NODE=WHERE,…]`: serves a recorded cluster, the node test
/// bed, or both (the test bed's nodes and pods added to the recording) until interrupted.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a recorded cluster (a cluster directory or snapshot) and/or a node test bed to kubectl on 127.0.0.1.",
        discussion: """
            Without --test-bed the cluster is read-only. With --test-bed, each node is \
            NODE=WHERE: local (commands exec'd in its pods run on this machine), netns:NAME (in \
            the lab host of network namespace NAME, see lab/lab.sh), or notready (its pods never \
            run); pods may then be created, deleted and exec'd into (WebSocket), and PATH is \
            optional (without it the cluster holds just the test bed's nodes). Serves until \
            SIGINT or SIGTERM.
            """)

    @Argument(help: "A cluster directory (with cluster.json) or a snapshot; optional with --test-bed.", completion: .file())
    var path: String?

    @Option(help: "The port to listen on (0: any free port).")
    var port: Int = 0

    @Option(help: "Where to write the kubeconfig: a file that does not exist yet, removed on exit (default: one in the temporary directory).")
    var kubeconfig: String?

    @Option(name: .customLong("test-bed"), help: "Serve these nodes as a node test bed: NODE=local|netns:NAME|notready,…")
    var testBed: String?

    @Option(name: .long, parsing: .singleValue, help: "With --test-bed: refuse VERB:RESOURCE as RBAC would (create:pods, create:pods/exec, list:nodes, …; repeatable).")
    var forbid: [String] = []

    @Option(name: .long, help: "With --test-bed: enforce this PodSecurity level on pods: baseline or restricted (default privileged).")
    var podSecurity: String?

    func run() throws {
        guard (0...65535).contains(port) else { throw usage("--port \(port) is not a TCP port (0-65535; 0 picks a free one)") }
        // The file is removed on exit, so an existing one (a user's own kubeconfig) is refused.
        if let kubeconfig, FileManager.default.fileExists(atPath: kubeconfig) {
            throw usage("--kubeconfig \(kubeconfig) already exists; runbook serve writes its own kubeconfig and removes it on exit, so name a new file")
        }
        if testBed == nil && (!forbid.isEmpty || podSecurity != nil) {
            throw usage("--forbid and --pod-security shape the node test bed: give --test-bed NODE=WHERE,… too")
        }
        var bed: (nodes: [TestBedNode], policy: TestBedPolicy)?
        if let testBed {
            do { bed = (try TestBedNode.parse(testBed), try TestBedPolicy.parse(forbid: forbid, podSecurity: podSecurity)) } catch {
                throw usage("\(error)")
            }
        }
        let store: ClusterStore
        switch path {
        case let path?:
            do { store = try ClusterSource.open(path: path) } catch { throw usage("\(error)") }
        case nil where bed != nil:
            store = ClusterStore.empty(name: "test-bed")
        case nil:
            throw usage("name a cluster directory or snapshot to serve, or the nodes of a test bed (--test-bed NODE=WHERE,…)")
        }
        // SIGINT and SIGTERM are blocked before any server thread exists (threads inherit the
        // mask), then waited for here: the kubeconfig is removed on the way out.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        let server = ClusterServer(cluster: store, options: .init(port: port))
        if let bed { server.addHandler(TestBed(store: store, nodes: bed.nodes, policy: bed.policy)) }
        let kubeconfigPath = kubeconfig ?? NSTemporaryDirectory() + "runbook-\(store.manifest.name)-\(getpid().description).kubeconfig"
        do {
            try server.start()
            try server.writeKubeconfig(to: kubeconfigPath)
        } catch {
            server.stop()
            Output.err("error: \(error)\n")
            throw ExitCode(1)
        }
        let what = bed.map { "a test bed of \($0.nodes.count) node\($0.nodes.count == 1 ? "" : "s")" }
        let cluster = path == nil ? nil : "\(store.manifest.name) (\(store.manifest.source.rawValue))"
        Output.err("serving \([cluster, what].compactMap { $0 }.joined(separator: " with ")) on http://127.0.0.1:\(server.port); Ctrl-C stops\n")
        Output.out("export KUBECONFIG=\(kubeconfigPath)\n")
        var received: Int32 = 0
        sigwait(&signals, &received)
        server.stop()
        try? FileManager.default.removeItem(atPath: kubeconfigPath)
        Output.err("stopped\n")
    }

    /// Says what is wrong; thrown, it ends the command with the usage exit code.
    private func usage(_ message: String) -> ExitCode {
        Output.err("error: \(message)\n")
        return ExitCode(Exit.usage)
    }
}
