/// One resource the snapshot lists: where the API serves it and where the snapshot keeps it.
public struct SnapshotKind: Sendable, Equatable {
    /// The plural resource name (`pods`, `validatingwebhookconfigurations`).
    public let resource: String
    /// The API group, "" for the core group.
    public let group: String
    public let version: String
    public let namespaced: Bool
    /// Whether the objects themselves are stored. `events.k8s.io` events are the core Events
    /// seen through another API: only their Table is kept (the server serves the objects
    /// from the core list).
    public let storesObjects: Bool

    public init(_ resource: String, group: String = "", version: String = "v1", namespaced: Bool = true,
                storesObjects: Bool = true) {
        self.resource = resource
        self.group = group
        self.version = version
        self.namespaced = namespaced
        self.storesObjects = storesObjects
    }

    /// `pods.core`, `deployments.apps`: the file name used under objects/ and tables/.
    public var fileStem: String { "\(resource).\(group.isEmpty ? "core" : group)" }

    /// The list path, all namespaces or one.
    public func listPath(namespace: String?) -> String {
        let base = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        if let namespace, namespaced { return "\(base)/namespaces/\(namespace)/\(resource)" }
        return "\(base)/\(resource)"
    }

    public var isSecrets: Bool { resource == "secrets" && group.isEmpty }
    public var isConfigMaps: Bool { resource == "configmaps" && group.isEmpty }
    public var isPods: Bool { resource == "pods" && group.isEmpty }

    /// Everything `runbook snapshot` collects, the biggest list first so that it starts
    /// while the small ones fill the other connections.
    public static let all: [SnapshotKind] = [
        SnapshotKind("pods"),
        SnapshotKind("events"),
        SnapshotKind("events", group: "events.k8s.io", storesObjects: false),
        SnapshotKind("nodes", namespaced: false),
        SnapshotKind("leases", group: "coordination.k8s.io"),
        SnapshotKind("namespaces", namespaced: false),
        SnapshotKind("deployments", group: "apps"),
        SnapshotKind("replicasets", group: "apps"),
        SnapshotKind("daemonsets", group: "apps"),
        SnapshotKind("statefulsets", group: "apps"),
        SnapshotKind("jobs", group: "batch"),
        SnapshotKind("cronjobs", group: "batch"),
        SnapshotKind("services"),
        SnapshotKind("endpoints"),
        SnapshotKind("endpointslices", group: "discovery.k8s.io"),
        SnapshotKind("ingresses", group: "networking.k8s.io"),
        SnapshotKind("ingressclasses", group: "networking.k8s.io", namespaced: false),
        SnapshotKind("persistentvolumeclaims"),
        SnapshotKind("persistentvolumes", namespaced: false),
        SnapshotKind("storageclasses", group: "storage.k8s.io", namespaced: false),
        SnapshotKind("volumeattachments", group: "storage.k8s.io", namespaced: false),
        SnapshotKind("csidrivers", group: "storage.k8s.io", namespaced: false),
        SnapshotKind("csinodes", group: "storage.k8s.io", namespaced: false),
        SnapshotKind("configmaps"),
        SnapshotKind("secrets"),
        SnapshotKind("validatingwebhookconfigurations", group: "admissionregistration.k8s.io", namespaced: false),
        SnapshotKind("mutatingwebhookconfigurations", group: "admissionregistration.k8s.io", namespaced: false),
        SnapshotKind("poddisruptionbudgets", group: "policy"),
        SnapshotKind("horizontalpodautoscalers", group: "autoscaling", version: "v2"),
        SnapshotKind("priorityclasses", group: "scheduling.k8s.io", namespaced: false),
        SnapshotKind("networkpolicies", group: "networking.k8s.io"),
    ]

    /// The Accept header of a server-side Table with each row's object metadata (what kubectl
    /// itself asks for), so a replay prints the columns the recorded API server computed.
    public static let tableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
}
