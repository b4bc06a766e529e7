import ArgumentParser
import ClusterKit
import Foundation
import RunbookKit

/// `runbook test-bed NODE=WHERE,…`: a local API server with Kubernetes nodes whose debug pods
/// run their commands on this machine or in lab hosts, for the Kubernetes transport's tests.
struct TestBedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test-bed",
        abstract: "Serve a node test bed for the Kubernetes transport (nodes, pods, exec) on 127.0.0.1.",
        discussion: """
            Each node is NODE=WHERE: local (commands run on this machine), netns:NAME (in the \
            lab host of network namespace NAME, see lab/lab.sh), or notready (its pods never \
            run). Serves until SIGINT or SIGTERM.
            """)

    @Argument(help: "The nodes: NODE=WHERE,…")
    var nodes: String

    @Option(name: .long, help: "The port on 127.0.0.1 (default: any free one).")
    var port: Int = 0

    @Option(name: .long, help: "Write a kubeconfig for the test bed here.")
    var kubeconfig: String?

    @Option(name: .long, parsing: .singleValue, help: "Refuse VERB:RESOURCE as RBAC would (create:pods, create:pods/exec, list:nodes, …; repeatable).")
    var forbid: [String] = []

    @Option(name: .long, help: "Enforce this PodSecurity level on pods: baseline or restricted (default privileged).")
    var podSecurity: String?

    func run() throws {
        let parsed: [TestBedNode]
        let policy: TestBedPolicy
        do {
            parsed = try TestBedNode.parse(nodes)
            policy = try TestBedPolicy.parse(forbid: forbid, podSecurity: podSecurity)
        } catch {
            Output.err("error: \(error)\n")
            throw ExitCode(Exit.usage)
        }
        let server = TestBedServer(nodes: parsed, policy: policy)
        do { try server.start(port: port) } catch {
            Output.err("error: \(error)\n")
            throw ExitCode(Exit.usage)
        }
        if let kubeconfig {
            do { try server.kubeconfig().write(toFile: kubeconfig, atomically: true, encoding: .utf8) } catch {
                Output.err("error: cannot write \(kubeconfig): \(error.localizedDescription)\n")
                server.stop()
                throw ExitCode(Exit.usage)
            }
        }
        Output.out("test bed: http://127.0.0.1:\(server.port) (\(parsed.count) nodes)\n")
        Cancellation.installSignalHandlers()
        var entry = pollfd(fd: Cancellation.shared.wakeDescriptor, events: Int16(POLLIN), revents: 0)
        while poll(&entry, 1, -1) <= 0 {}
        server.stop()
    }
}
