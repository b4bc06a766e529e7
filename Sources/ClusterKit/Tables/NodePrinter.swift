/// Nodes as `kubectl get nodes` shows them (printNode).
enum NodePrinter {
    static let printer = TablePrinter(
        columns: [
            .name,
            TableColumn("Status", "The status of the node"),
            TableColumn("Roles", "The roles of the node"),
            .age,
            TableColumn("Version", "Kubelet Version reported by the node."),
            TableColumn("Internal-IP", priority: 1, "List of addresses reachable to the node."),
            TableColumn("External-IP", priority: 1, "List of addresses reachable to the node."),
            TableColumn("OS-Image", priority: 1, "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy))."),
            TableColumn("Kernel-Version", priority: 1, "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."),
            TableColumn("Container-Runtime", priority: 1, "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2)."),
        ],
        cells: { node, now in
            var status: [String] = []
            if let ready = node.list("status.conditions").last(where: { $0.text("type") == "Ready" }) {
                status.append(ready.text("status") == "True" ? "Ready" : "NotReady")
            }
            if status.isEmpty { status.append("Unknown") }
            if node.at("spec.unschedulable")?.bool == true { status.append("SchedulingDisabled") }
            func address(_ type: String) -> String {
                node.list("status.addresses").first { $0.text("type") == type }?.text("address") ?? "<none>"
            }
            func unknownIfEmpty(_ s: String) -> String { s.isEmpty ? "<unknown>" : s }
            return [.string(node.text("metadata.name")), .string(status.joined(separator: ",")),
                    .string(roles(node).joined(separator: ",").orNone),
                    .string(ShortDuration.since(node.at("metadata.creationTimestamp"), now: now)),
                    .string(node.text("status.nodeInfo.kubeletVersion")),
                    .string(address("InternalIP")), .string(address("ExternalIP")),
                    .string(unknownIfEmpty(node.text("status.nodeInfo.osImage"))),
                    .string(unknownIfEmpty(node.text("status.nodeInfo.kernelVersion"))),
                    .string(unknownIfEmpty(node.text("status.nodeInfo.containerRuntimeVersion")))]
        })

    /// `node-role.kubernetes.io/ROLE` labels and `kubernetes.io/role`, sorted and unique.
    static func roles(_ node: JSON) -> [String] {
        var roles = Set<String>()
        for (key, value) in node.at("metadata.labels")?.members ?? [] {
            if key.hasPrefix("node-role.kubernetes.io/") {
                let role = String(key.dropFirst("node-role.kubernetes.io/".count))
                if !role.isEmpty { roles.insert(role) }
            } else if key == "kubernetes.io/role", let v = value.string, !v.isEmpty {
                roles.insert(v)
            }
        }
        return roles.sorted()
    }
}
