import Foundation
// Nodes as `kubectl get nodes -o json` lists them: the targets of `--nodes all` and
// `--node-selector`, and whether each is Ready (a debug pod never starts on a NotReady node,
// so such a node is reported at once instead of waiting out the pod's start).

public struct KubernetesNode: Sendable, Equatable {
    public var name: String
    public var ready: Bool
    /// The Ready condition's reason and message when not Ready ("NodeStatusUnknown: Kubelet stopped posting node status.").
    public var notReadyReason: String?

    public init(name: String, ready: Bool, notReadyReason: String? = nil) {
        self.name = name
        self.ready = ready
        self.notReadyReason = notReadyReason
    }

    /// Parses a Node or a NodeList object; nil when the text is not one.
    public static func parse(json: String) -> [KubernetesNode]? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return nil }
        let items: [[String: Any]]
        if let list = object["items"] as? [[String: Any]] {
            items = list
        } else if object["kind"] as? String == "Node" {
            items = [object]
        } else {
            return nil
        }
        return items.compactMap { item in
            guard let name = (item["metadata"] as? [String: Any])?["name"] as? String else { return nil }
            let conditions = (item["status"] as? [String: Any])?["conditions"] as? [[String: Any]] ?? []
            guard let ready = conditions.first(where: { $0["type"] as? String == "Ready" }) else {
                return KubernetesNode(name: name, ready: false, notReadyReason: "no Ready condition")
            }
            let isReady = ready["status"] as? String == "True"
            let reason = [ready["reason"] as? String, ready["message"] as? String].compactMap { $0 }.joined(separator: ": ")
            return KubernetesNode(name: name, ready: isReady, notReadyReason: isReady ? nil : (reason.isEmpty ? "NotReady" : reason))
        }
    }
}

extension KubernetesNode {
    /// `kubectl get nodes [-l SELECTOR] -o json`: the nodes, or why they could not be read
    /// (with the missing permission when RBAC refused).
    public static func list(configuration: KubernetesConfiguration, selector: String?,
                            cancellation: Cancellation = .shared) -> Result<[KubernetesNode], KubernetesCleanup.Failure> {
        var arguments = ["get", "nodes", "-o", "json"]
        if let selector { arguments += ["-l", selector] }
        let result = CommandSupervisor.run(arguments: configuration.command(arguments), environment: [:],
                                           limits: SupervisionLimits(timeout: 30, killGrace: 1, captureLimit: 64 << 20),
                                           cancellation: cancellation, onLine: { _, _ in })
        if result.exitCode == 0, let nodes = parse(json: result.stdout) { return .success(nodes) }
        let text = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        let why = KubernetesFailure.explain(text, namespace: configuration.namespace) ?? text
        return .failure(.kubectl(why.isEmpty ? "kubectl printed no node list" : why))
    }
}
