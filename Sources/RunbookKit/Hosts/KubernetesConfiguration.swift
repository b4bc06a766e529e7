// How the Kubernetes transport calls kubectl and what debug pods it creates.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which way a node's commands go: the node's own sshd, a debug pod through the API server,
/// or ssh when the node answers on it quickly and a debug pod otherwise.
public enum NodeTransport: String, Sendable, CaseIterable {
    case kubectl, ssh, auto
}

public struct KubernetesConfiguration: Sendable {
    /// The kubectl client: a path, or a name looked up in PATH.
    public var kubectlCommand: String
    /// `--kubeconfig FILE` and `--context NAME` for every kubectl call (nil: kubectl's own
    /// defaults, $KUBECONFIG or ~/.kube/config).
    public var kubeconfig: String?
    public var context: String?
    /// Where debug pods are created.
    public var namespace: String
    /// The debug pod's image: small, with `chroot` (busybox). Mirror it for air-gapped registries.
    public var image: String
    /// Seconds a debug pod may take to become Running.
    public var podStartTimeout: Double
    /// Seconds a node may take in all, from its first command (nil: no bound beyond each
    /// command's own timeout). Past it the node's commands end as unreachable, "timed out".
    public var nodeTimeout: Double?
    /// For `auto`: seconds the ssh probe may take before the node is reached through kubectl.
    public var sshProbeTimeout: Int
    /// Commands as WebSocket exec streams through one `kubectl proxy` per run (true), or one
    /// `kubectl exec` per command (false; also the fallback when the proxy cannot be used).
    public var execStream: Bool

    public static let defaultImage = "busybox:1.36"

    /// RUNBOOK_KUBE_EXEC=kubectl turns the exec streams off (one `kubectl exec` per command,
    /// as before they existed): for comparison, and as a way out should a cluster's proxying
    /// misbehave.
    public static var execStreamByDefault: Bool {
        guard let value = getenv("RUNBOOK_KUBE_EXEC") else { return true }
        return String(cString: value) != "kubectl"
    }

    public init(kubectlCommand: String = "kubectl", kubeconfig: String? = nil, context: String? = nil,
                namespace: String = "default", image: String = KubernetesConfiguration.defaultImage,
                podStartTimeout: Double = 120, nodeTimeout: Double? = nil, sshProbeTimeout: Int = 3,
                execStream: Bool = KubernetesConfiguration.execStreamByDefault) {
        self.kubectlCommand = kubectlCommand
        self.kubeconfig = kubeconfig
        self.context = context
        self.namespace = namespace
        self.image = image
        self.podStartTimeout = podStartTimeout
        self.nodeTimeout = nodeTimeout
        self.sshProbeTimeout = sshProbeTimeout
        self.execStream = execStream
    }

    /// `kubectl [--kubeconfig F] [--context C] ARGUMENTS…`.
    func command(_ arguments: [String]) -> [String] {
        var words = [kubectlCommand]
        if let kubeconfig { words += ["--kubeconfig", kubeconfig] }
        if let context { words += ["--context", context] }
        return words + arguments
    }
}

/// A command's destination when it is a Kubernetes node: written `node/NAME`, as kubectl
/// names nodes (`kubectl debug node/NAME`). Fan-out targets of `--nodes` are written so, and
/// a runbook's `on node/NAME` goes the same way, with the run's `--transport`. A runbook that
/// chooses the transport itself writes `kubectl:node/NAME`, `ssh:node/NAME` or `auto:node/NAME`.
public struct NodeDestination: Sendable, Hashable {
    public let name: String
    /// The transport the destination names; nil: the run's.
    public let transport: NodeTransport?

    public static let prefix = "node/"

    public init?(host: String?) {
        guard var rest = host?[...] else { return nil }
        var transport: NodeTransport?
        if let colon = rest.firstIndex(of: ":"), let named = NodeTransport(rawValue: String(rest[..<colon])) {
            transport = named
            rest = rest[rest.index(after: colon)...]
        }
        guard rest.hasPrefix(Self.prefix) else { return nil }
        let name = String(rest.dropFirst(Self.prefix.count))
        guard Self.isValidName(name) else { return nil }
        self.name = name
        self.transport = transport
    }

    public init?(name: String) {
        guard Self.isValidName(name) else { return nil }
        self.name = name
        self.transport = nil
    }

    public var host: String { Self.prefix + name }

    /// A node name is a DNS subdomain: lowercase letters, digits, '-' and '.', at most 253,
    /// starting and ending with a letter or digit.
    public static func isValidName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        let bytes = Array(name.utf8)
        func alnum(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) }
        guard alnum(bytes.first!), alnum(bytes.last!) else { return false }
        return bytes.allSatisfy { alnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }
    }
}
