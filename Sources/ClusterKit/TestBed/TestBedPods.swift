import Foundation
import RunbookKit
// The test bed's nodes and pods as objects of the cluster's store, so every read (get, list,
// selectors, Tables, discovery) is the API server's own. Pods are created (as the Kubernetes
// transport's manifest or `kubectl create -f -` sends them) and deleted here; a pod bound to
// a Ready node is Running at once, on a NotReady node it stays Pending.
//
// Thread contract: every method may be called from any connection's thread; the store's lock
// makes each create (check and insert) and delete atomic.

public final class TestBedPods: @unchecked Sendable {
    public let store: ClusterStore
    public let nodes: [TestBedNode]
    private let lock = Mutex()
    private var generated = 0

    static let nodesResource = ResourceCatalog.find(group: "", version: "v1", plural: "nodes")!
    static let namespaces = ResourceCatalog.find(group: "", version: "v1", plural: "namespaces")!

    /// Node objects the store already holds (from a cluster directory) are kept as recorded;
    /// the others are made, Ready unless the node is `notready`. The `default` namespace is
    /// made when missing, so `kubectl get ns` shows where the pods go.
    public init(store: ClusterStore, nodes: [TestBedNode]) {
        self.store = store
        self.nodes = nodes
        for node in nodes where store.get(Self.nodesResource, namespace: nil, name: node.name) == nil {
            store.insert(Self.nodeObject(node))
        }
        if store.get(Self.namespaces, namespace: nil, name: "default") == nil {
            store.insert(Self.object(Self.namespaces, namespace: "", name: "default", [
                ("kind", .string("Namespace")), ("apiVersion", .string("v1")),
                ("metadata", .object([("name", .string("default")), ("uid", .string(Self.uid("namespace/default"))),
                                      ("creationTimestamp", .string(Self.madeAt))])),
                ("spec", .object([("finalizers", .array([.string("kubernetes")]))])),
                ("status", .object([("phase", .string("Active"))])),
            ]))
        }
    }

    public func node(_ name: String) -> TestBedNode? { nodes.first { $0.name == name } }

    /// How many pods exist (for tests and the lab's checks).
    public var count: Int { store.list(ResourceCatalog.pods, namespace: nil).count }

    static func nodeObject(_ node: TestBedNode) -> StoredObject {
        let condition: JSON = node.ready
            ? .object([("type", .string("Ready")), ("status", .string("True")), ("reason", .string("KubeletReady")),
                       ("message", .string("kubelet is posting ready status"))])
            : .object([("type", .string("Ready")), ("status", .string("Unknown")), ("reason", .string("NodeStatusUnknown")),
                       ("message", .string("Kubelet stopped posting node status."))])
        return object(nodesResource, namespace: "", name: node.name, [
            ("kind", .string("Node")), ("apiVersion", .string("v1")),
            ("metadata", .object([
                ("name", .string(node.name)), ("uid", .string(uid("node/" + node.name))),
                ("creationTimestamp", .string(madeAt)),
                ("labels", .object([("kubernetes.io/hostname", .string(node.name)), ("kubernetes.io/os", .string("linux")),
                                    ("runbook.io/test-bed", .string("true"))])),
            ])),
            ("spec", .object([])),
            ("status", .object([
                ("conditions", .array([condition])),
                ("nodeInfo", .object([("kubeletVersion", .string("v1.32.0")), ("operatingSystem", .string("linux")),
                                      ("architecture", .string("amd64"))])),
            ])),
        ])
    }

    // MARK: - Pods

    public func create(namespace: String, body: [UInt8], policy: TestBedPolicy) -> HTTPResponse {
        guard let sent = try? JSONParser.parse(body), sent.members != nil,
              sent["kind"] == nil || sent["kind"]?.string == "Pod" else {
            return APIStatus.badRequest("the request body is not a Pod object")
        }
        var metadata = sent["metadata"] ?? .object([])
        let spec = sent["spec"] ?? .object([])
        if let given = metadata["namespace"]?.string, given != namespace {
            return APIStatus.badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        if metadata["name"] == nil, let prefix = metadata["generateName"]?.string {
            let n: Int = lock.withLock { generated += 1; return generated }
            metadata = metadata.setting("name", .string(prefix + String(format: "%05x", n)))
        }
        guard let name = metadata["name"]?.string, TestBedNode.isNodeName(name) else {
            return APIStatus.failure(code: 422, reason: "Invalid",
                                     message: "Pod \"\(metadata["name"]?.scalarText ?? "")\" is invalid: metadata.name: a lowercase RFC 1123 subdomain is required")
        }
        if let refused = policy.admission(pod: name, spec: spec) { return APIStatus.failure(code: 403, reason: "Forbidden", message: refused) }
        let nodeName = spec["nodeName"]?.string
        if let nodeName, node(nodeName) == nil {
            return APIStatus.failure(code: 422, reason: "Invalid",
                                     message: "Pod \"\(name)\" is invalid: spec.nodeName: node \"\(nodeName)\" does not exist in the test bed")
        }
        let now = RFC3339.now()
        let running = nodeName.flatMap(node).map(\.ready) ?? false
        metadata = metadata.setting("namespace", .string(namespace))
            .setting("uid", .string(Self.uid("\(namespace)/\(name)/\(now)")))
            .setting("creationTimestamp", .string(Self.timestamp(now)))
        let pod = sent.setting("kind", .string("Pod")).setting("apiVersion", .string("v1"))
            .setting("metadata", metadata).setting("spec", spec)
            .setting("status", Self.status(containers: spec["containers"]?.array ?? [], running: running, at: now))
        let object = StoredObject(resource: ResourceCatalog.pods, namespace: namespace, name: name,
                                  uid: metadata["uid"]?.string ?? "", json: pod)
        guard let stored = store.insertNew(object) else {
            return APIStatus.failure(code: 409, reason: "AlreadyExists", message: "pods \"\(name)\" already exists",
                                     details: .object([("name", .string(name)), ("kind", .string("pods"))]))
        }
        return HTTPResponse(status: 201, headers: [("Content-Type", "application/json")], body: stored.encoded)
    }

    public func delete(namespace: String, name: String) -> HTTPResponse {
        guard let removed = store.delete(ResourceCatalog.pods, namespace: namespace, name: name) else {
            return APIStatus.notFound(ResourceCatalog.pods, name: name)
        }
        return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: removed.encoded)
    }

    /// The pod, if it exists and runs, with the node it runs on.
    public func runningPod(namespace: String, name: String) -> (pod: StoredObject, node: TestBedNode)? {
        guard let pod = store.get(ResourceCatalog.pods, namespace: namespace, name: name),
              pod.json.at("status.phase")?.string == "Running",
              let nodeName = pod.json.at("spec.nodeName")?.string, let node = node(nodeName) else { return nil }
        return (pod, node)
    }

    // MARK: - Pieces

    private static func status(containers: [JSON], running: Bool, at now: Double) -> JSON {
        let started = JSON.string(timestamp(now))
        let statuses: [JSON] = containers.map { container in
            .object([
                ("name", container["name"] ?? .string("")), ("ready", .bool(running)), ("restartCount", .int(0)),
                ("image", container["image"] ?? .string("test-bed")), ("imageID", .string("")), ("started", .bool(running)),
                ("state", running ? .object([("running", .object([("startedAt", started)]))])
                                  : .object([("waiting", .object([("reason", .string("ContainerCreating"))]))])),
            ])
        }
        return .object([
            ("phase", .string(running ? "Running" : "Pending")), ("hostIP", .string("127.0.0.1")),
            ("podIP", .string("127.0.0.1")), ("startTime", started),
            ("conditions", .array([
                .object([("type", .string("PodScheduled")), ("status", .string("True"))]),
                .object([("type", .string("Ready")), ("status", .string(running ? "True" : "False"))]),
            ])),
            ("containerStatuses", .array(statuses)),
        ])
    }

    private static func object(_ resource: APIResource, namespace: String, name: String, _ members: [(String, JSON)]) -> StoredObject {
        let json = JSON.object(members)
        return StoredObject(resource: resource, namespace: namespace, name: name, uid: json.at("metadata.uid")?.string ?? "", json: json)
    }

    static func uid(_ seed: String) -> String {
        var hash: UInt64 = 14_695_981_039_346_656_037
        for byte in seed.utf8 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
        let hex = String(hash, radix: 16)
        let chars = Array(String(repeating: "0", count: 16 - hex.count) + hex + "0000000000000000")
        return String(chars[0..<8]) + "-" + String(chars[8..<12]) + "-" + String(chars[12..<16]) + "-"
            + String(chars[16..<20]) + "-" + String(chars[20..<32])
    }

    /// When the made nodes and namespace say they were created: fixed, so their objects are
    /// the same on every start.
    static let madeAt = "2026-01-01T00:00:00Z"

    static func timestamp(_ seconds: Double) -> String { RFC3339.format(seconds) }
}
