/// How a run reached its Kubernetes nodes (`--transport`, `--debug-image`, `--debug-namespace`,
/// `--node-timeout`), kept in its targets so that `runbook resume` reaches them the same way.
/// Journals written before it was kept have none: their resume uses the defaults.
public struct NodeReach: Sendable, Codable, Equatable {
    public var transport: NodeTransport
    public var debugImage: String
    public var debugNamespace: String
    public var nodeTimeout: Double?

    public init(transport: NodeTransport = .kubectl, debugImage: String = KubernetesConfiguration.defaultImage,
                debugNamespace: String = "default", nodeTimeout: Double? = nil) {
        self.transport = transport
        self.debugImage = debugImage
        self.debugNamespace = debugNamespace
        self.nodeTimeout = nodeTimeout
    }

    /// The defaults: what a run without node options (or a journal without this) means.
    public var isDefault: Bool { self == NodeReach() }
}

extension NodeTransport: Codable {}
