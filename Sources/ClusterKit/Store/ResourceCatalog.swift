/// The resources this server knows, in discovery order. Kinds not listed here are refused
/// at load time (the server would not know whether they are namespaced).
public enum ResourceCatalog {
    private static func r(_ group: String, _ version: String, _ plural: String, _ kind: String,
                          namespaced: Bool, short: [String] = [], all: Bool = false) -> APIResource {
        APIResource(group: group, version: version, plural: plural, singular: kind.lowercased(), kind: kind,
                    namespaced: namespaced, shortNames: short, categories: all ? ["all"] : [])
    }

    public static let all: [APIResource] = [
        r("", "v1", "bindings", "Binding", namespaced: true),
        r("", "v1", "componentstatuses", "ComponentStatus", namespaced: false, short: ["cs"]),
        r("", "v1", "configmaps", "ConfigMap", namespaced: true, short: ["cm"]),
        r("", "v1", "endpoints", "Endpoints", namespaced: true, short: ["ep"]),
        r("", "v1", "events", "Event", namespaced: true, short: ["ev"]),
        r("", "v1", "limitranges", "LimitRange", namespaced: true, short: ["limits"]),
        r("", "v1", "namespaces", "Namespace", namespaced: false, short: ["ns"]),
        r("", "v1", "nodes", "Node", namespaced: false, short: ["no"]),
        r("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", namespaced: true, short: ["pvc"]),
        r("", "v1", "persistentvolumes", "PersistentVolume", namespaced: false, short: ["pv"]),
        r("", "v1", "pods", "Pod", namespaced: true, short: ["po"], all: true),
        r("", "v1", "podtemplates", "PodTemplate", namespaced: true),
        r("", "v1", "replicationcontrollers", "ReplicationController", namespaced: true, short: ["rc"], all: true),
        r("", "v1", "resourcequotas", "ResourceQuota", namespaced: true, short: ["quota"]),
        r("", "v1", "secrets", "Secret", namespaced: true),
        r("", "v1", "serviceaccounts", "ServiceAccount", namespaced: true, short: ["sa"]),
        r("", "v1", "services", "Service", namespaced: true, short: ["svc"], all: true),
        r("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", namespaced: false, short: ["crd", "crds"]),
        r("admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations", "MutatingWebhookConfiguration", namespaced: false),
        r("admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations", "ValidatingWebhookConfiguration", namespaced: false),
        r("apps", "v1", "controllerrevisions", "ControllerRevision", namespaced: true),
        r("apps", "v1", "daemonsets", "DaemonSet", namespaced: true, short: ["ds"], all: true),
        r("apps", "v1", "deployments", "Deployment", namespaced: true, short: ["deploy"], all: true),
        r("apps", "v1", "replicasets", "ReplicaSet", namespaced: true, short: ["rs"], all: true),
        r("apps", "v1", "statefulsets", "StatefulSet", namespaced: true, short: ["sts"], all: true),
        r("autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler", namespaced: true, short: ["hpa"], all: true),
        r("batch", "v1", "cronjobs", "CronJob", namespaced: true, short: ["cj"], all: true),
        r("batch", "v1", "jobs", "Job", namespaced: true, all: true),
        r("certificates.k8s.io", "v1", "certificatesigningrequests", "CertificateSigningRequest", namespaced: false, short: ["csr"]),
        r("coordination.k8s.io", "v1", "leases", "Lease", namespaced: true),
        r("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", namespaced: true),
        // No short name here: kubectl warns that `ev` is ambiguous when two resources claim it.
        r("events.k8s.io", "v1", "events", "Event", namespaced: true),
        r("networking.k8s.io", "v1", "ingressclasses", "IngressClass", namespaced: false),
        r("networking.k8s.io", "v1", "ingresses", "Ingress", namespaced: true, short: ["ing"]),
        r("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", namespaced: true, short: ["netpol"]),
        r("node.k8s.io", "v1", "runtimeclasses", "RuntimeClass", namespaced: false),
        r("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", namespaced: true, short: ["pdb"]),
        r("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", namespaced: false),
        r("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", namespaced: false),
        r("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", namespaced: true),
        r("rbac.authorization.k8s.io", "v1", "roles", "Role", namespaced: true),
        r("scheduling.k8s.io", "v1", "priorityclasses", "PriorityClass", namespaced: false, short: ["pc"]),
        r("storage.k8s.io", "v1", "csidrivers", "CSIDriver", namespaced: false),
        r("storage.k8s.io", "v1", "csinodes", "CSINode", namespaced: false),
        r("storage.k8s.io", "v1", "storageclasses", "StorageClass", namespaced: false, short: ["sc"]),
        r("storage.k8s.io", "v1", "volumeattachments", "VolumeAttachment", namespaced: false),
    ]

    /// Groups in discovery order, each with its one served version.
    public static let groups: [(name: String, version: String)] = {
        var seen: [String] = []
        var out: [(String, String)] = []
        for r in all where !r.group.isEmpty && !seen.contains(r.group) {
            seen.append(r.group)
            out.append((r.group, r.version))
        }
        return out
    }()

    public static func resources(groupVersion: String) -> [APIResource] {
        all.filter { $0.groupVersion == groupVersion }
    }

    public static func find(group: String, version: String, plural: String) -> APIResource? {
        all.first { $0.group == group && $0.version == version && $0.plural == plural }
    }

    /// The resource an object of `apiVersion`/`kind` is stored under. Core v1 Events are the
    /// stored form; `events.k8s.io` Events are served from them.
    public static func forObject(apiVersion: String, kind: String) -> APIResource? {
        let group = apiVersion.contains("/") ? String(apiVersion.split(separator: "/")[0]) : ""
        if group == "events.k8s.io" && kind == "Event" { return nil }
        return all.first { $0.group == group && $0.kind == kind }
    }

    public static let coreEvents = find(group: "", version: "v1", plural: "events")!
    public static let pods = find(group: "", version: "v1", plural: "pods")!
    public static let newEvents = find(group: "events.k8s.io", version: "v1", plural: "events")!
}
