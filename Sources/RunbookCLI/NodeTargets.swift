import ArgumentParser
import Foundation
import RunbookKit

/// `--nodes`, `--node-selector`, `--transport` and the debug pod's settings: Kubernetes nodes
/// as fan-out targets (`node/NAME`), reached through debug pods, ssh, or either (auto).
struct NodeOptions: ParsableArguments {
    @Option(name: .long, help: "Run on these Kubernetes nodes, comma-separated, or 'all' (kubectl get nodes).")
    var nodes: String?

    @Option(name: .long, help: "Run on the nodes with these labels (kubectl get nodes -l SELECTOR).")
    var nodeSelector: String?

    @Option(name: .long, help: "How nodes are reached: kubectl (a debug pod per node), ssh, or auto (ssh where it answers quickly).")
    var transport: NodeTransport = .kubectl

    @Option(name: .long, help: "The debug pod's image; it needs chroot (default \(KubernetesConfiguration.defaultImage)).")
    var debugImage: String = KubernetesConfiguration.defaultImage

    @Option(name: .long, help: "Where debug pods are created; it must allow PodSecurity level privileged.")
    var debugNamespace: String = "default"

    @Option(name: .long, help: "Seconds a node may take in all; past it the node is reported timed out and the others go on.")
    var nodeTimeout: Double?

    var givesNodes: Bool { nodes != nil || nodeSelector != nil }

    /// The options as the run's record keeps them, for a resume.
    var reach: NodeReach {
        NodeReach(transport: transport, debugImage: debugImage, debugNamespace: debugNamespace, nodeTimeout: nodeTimeout)
    }

    /// The options a run was started with, from its record (nil: the defaults), validated
    /// again as if given on the command line.
    static func resuming(_ reach: NodeReach?) throws -> NodeOptions {
        guard let reach else { return try parse([]) }
        return try parse(["--transport", reach.transport.rawValue, "--debug-image", reach.debugImage,
                          "--debug-namespace", reach.debugNamespace] + (reach.nodeTimeout.map { ["--node-timeout", String($0)] } ?? []))
    }

    var configuration: KubernetesConfiguration {
        KubernetesConfiguration(namespace: debugNamespace, image: debugImage, nodeTimeout: nodeTimeout)
    }

    func validate() throws {
        if let nodeTimeout, !(nodeTimeout > 0) { throw ValidationError("--node-timeout must be more than 0 seconds") }
        if nodes != nil && nodeSelector != nil && nodes != "all" {
            throw ValidationError("--nodes NAMES and --node-selector cannot be used together (use --nodes all with a selector)")
        }
        if !NodeDestination.isValidName(debugNamespace) || debugNamespace.contains(".") || debugNamespace.count > 63 {
            throw ValidationError("--debug-namespace '\(debugNamespace)' is not a namespace name (lowercase letters, digits, '-')")
        }
        if debugImage.isEmpty || debugImage.contains(where: \.isWhitespace) {
            throw ValidationError("--debug-image '\(debugImage)' is not an image reference")
        }
    }

    /// The `node/NAME` targets, in the order given (or the cluster's order); [] without
    /// `--nodes`/`--node-selector`. Listing problems end the command with exit code 2.
    func targets() throws -> [String] {
        guard givesNodes else { return [] }
        if let nodes, nodes != "all" {
            let names = nodes.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            for name in names where !NodeDestination.isValidName(name) {
                throw ValidationError("'\(name)' is not a node name (lowercase letters, digits, '-' and '.')")
            }
            return names.map { NodeDestination.prefix + $0 }
        }
        let listed = try NodeTargets.list(configuration: configuration, selector: nodeSelector)
        if listed.isEmpty {
            Output.err("error: no node matches\(nodeSelector.map { " --node-selector \($0)" } ?? "") (kubectl get nodes)\n")
            throw ExitCode(Exit.usage)
        }
        return listed.map { NodeDestination.prefix + $0.name }
    }

    /// The executor for `node/NAME` destinations beside `ssh`, with the nodes already listed.
    func router(ssh: CommandExecutor, cancellation: Cancellation = .shared) -> KubernetesNodeRouter {
        let kubernetes = KubernetesExecutor(configuration: configuration, cancellation: cancellation)
        kubernetes.learn(NodeTargets.listed)
        return KubernetesNodeRouter(ssh: ssh, kubernetes: kubernetes, transport: transport)
    }
}

enum NodeTargets {
    /// The nodes `list` read, for the executor: their readiness costs no second call.
    private static let lock = Mutex()
    nonisolated(unsafe) private static var nodes: [KubernetesNode] = []

    static var listed: [KubernetesNode] { lock.withLock { nodes } }

    static func list(configuration: KubernetesConfiguration, selector: String?) throws -> [KubernetesNode] {
        switch KubernetesNode.list(configuration: configuration, selector: selector) {
        case .success(let found):
            lock.withLock { nodes = found }
            return found
        case .failure(let failure):
            Output.err("error: cannot list the cluster's nodes: \(failure)\n")
            throw ExitCode(Exit.usage)
        }
    }
}

extension NodeTransport: ExpressibleByArgument {}
