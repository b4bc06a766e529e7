import Foundation
// The test bed's pods and nodes as API objects: pods created (as the Kubernetes transport's
// manifest or `kubectl debug node/X` sends them), read, listed by label, deleted. A pod
// bound to a Ready node is Running at once; on a NotReady node it stays Pending.
//
// Thread contract: every method may be called from any connection's thread; the state is
// behind one lock, held only while a dictionary is read or changed.

public final class TestBedPods: @unchecked Sendable {
    public let nodes: [TestBedNode]
    public let policy: TestBedPolicy
    private let lock = NSLock()
    private var pods: [String: [String: Any]] = [:]   // "namespace/name" → object
    private var version = 1000
    private var generated = 0

    public init(nodes: [TestBedNode], policy: TestBedPolicy = TestBedPolicy()) {
        self.nodes = nodes
        self.policy = policy
    }

    /// An API answer: the status code and a JSON object.
    public struct Answer {
        public let status: Int
        public let object: [String: Any]
        public var body: [UInt8] {
            Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
        }
    }

    public func node(_ name: String) -> TestBedNode? { nodes.first { $0.name == name } }

    // MARK: - Nodes

    public func listNodes(selector: String?) -> Answer {
        let items = nodes.map(nodeObject).filter { LabelMatch.matches(selector, labels: labels(of: $0)) }
        return Answer(status: 200, object: ["kind": "NodeList", "apiVersion": "v1",
                                            "metadata": ["resourceVersion": currentVersion()], "items": items])
    }

    public func getNode(_ name: String) -> Answer {
        guard let node = node(name) else { return Self.notFound("nodes", name) }
        return Answer(status: 200, object: nodeObject(node))
    }

    private func nodeObject(_ node: TestBedNode) -> [String: Any] {
        let condition: [String: Any] = node.ready
            ? ["type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status"]
            : ["type": "Ready", "status": "Unknown", "reason": "NodeStatusUnknown", "message": "Kubelet stopped posting node status."]
        return [
            "kind": "Node", "apiVersion": "v1",
            "metadata": ["name": node.name, "uid": uid("node/" + node.name), "resourceVersion": "1",
                         "creationTimestamp": "2026-01-01T00:00:00Z",
                         "labels": ["kubernetes.io/hostname": node.name, "kubernetes.io/os": "linux",
                                    "runbook.io/test-bed": "true"]],
            "spec": [String: Any](),
            "status": ["conditions": [condition],
                       "nodeInfo": ["kubeletVersion": "v1.32.0", "operatingSystem": "linux", "architecture": "amd64"]],
        ]
    }

    // MARK: - Pods

    public func create(namespace: String, body: [UInt8]) -> Answer {
        guard var pod = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any],
              pod["kind"] as? String == "Pod" || pod["kind"] == nil else {
            return Self.status(400, "BadRequest", "the request body is not a Pod object")
        }
        var metadata = pod["metadata"] as? [String: Any] ?? [:]
        var spec = pod["spec"] as? [String: Any] ?? [:]
        if let given = metadata["namespace"] as? String, given != namespace {
            return Self.status(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request")
        }
        lock.lock()
        defer { lock.unlock() }
        if metadata["name"] == nil, let prefix = metadata["generateName"] as? String {
            generated += 1
            metadata["name"] = prefix + String(format: "%05x", generated)
        }
        guard let name = metadata["name"] as? String, TestBedNode.isNodeName(name) else {
            return Self.status(422, "Invalid", "Pod \"\(metadata["name"] ?? "")\" is invalid: metadata.name: a lowercase RFC 1123 subdomain is required")
        }
        if let refused = policy.admission(pod: name, spec: spec) { return refused }
        guard pods[namespace + "/" + name] == nil else {
            return Answer(status: 409, object: Self.statusObject(409, "AlreadyExists", "pods \"\(name)\" already exists", name: name))
        }
        let nodeName = spec["nodeName"] as? String
        if let nodeName, nodes.first(where: { $0.name == nodeName }) == nil {
            return Self.status(422, "Invalid", "Pod \"\(name)\" is invalid: spec.nodeName: node \"\(nodeName)\" does not exist in the test bed")
        }
        version += 1
        metadata["namespace"] = namespace
        metadata["uid"] = uid(namespace + "/" + name + "/\(version)")
        metadata["resourceVersion"] = String(version)
        metadata["creationTimestamp"] = Self.timestamp(Date())
        spec["nodeName"] = nodeName
        pod["metadata"] = metadata
        pod["spec"] = spec
        pod["kind"] = "Pod"
        pod["apiVersion"] = "v1"
        let running = nodeName.flatMap(node).map(\.ready) ?? false
        let containers = (spec["containers"] as? [[String: Any]] ?? []).map { $0["name"] as? String ?? "" }
        pod["status"] = [
            "phase": running ? "Running" : "Pending",
            "hostIP": "127.0.0.1",
            "conditions": [["type": "PodScheduled", "status": "True"], ["type": "Ready", "status": running ? "True" : "False"]],
            "containerStatuses": containers.map { container -> [String: Any] in
                ["name": container, "ready": running, "restartCount": 0,
                 "image": "test-bed", "imageID": "", "started": running,
                 "state": running ? ["running": ["startedAt": Self.timestamp(Date())]]
                                  : ["waiting": ["reason": "ContainerCreating"]]]
            },
        ]
        pods[namespace + "/" + name] = pod
        return Answer(status: 201, object: pod)
    }

    public func get(namespace: String, name: String) -> Answer {
        lock.lock()
        defer { lock.unlock() }
        guard let pod = pods[namespace + "/" + name] else { return Self.notFound("pods", name) }
        return Answer(status: 200, object: pod)
    }

    /// The pod, if it exists and runs, with the node it runs on.
    public func runningPod(namespace: String, name: String) -> (pod: [String: Any], node: TestBedNode)? {
        lock.lock()
        defer { lock.unlock() }
        guard let pod = pods[namespace + "/" + name],
              (pod["status"] as? [String: Any])?["phase"] as? String == "Running",
              let nodeName = (pod["spec"] as? [String: Any])?["nodeName"] as? String,
              let node = node(nodeName) else { return nil }
        return (pod, node)
    }

    /// `namespace` nil: every namespace.
    public func list(namespace: String?, selector: String?) -> Answer {
        lock.lock()
        let all = pods.sorted { $0.key < $1.key }.map(\.value)
        lock.unlock()
        let items = all.filter { pod in
            let metadata = pod["metadata"] as? [String: Any] ?? [:]
            return (namespace == nil || metadata["namespace"] as? String == namespace)
                && LabelMatch.matches(selector, labels: metadata["labels"] as? [String: String] ?? [:])
        }
        return Answer(status: 200, object: ["kind": "PodList", "apiVersion": "v1",
                                            "metadata": ["resourceVersion": currentVersion()], "items": items])
    }

    public func delete(namespace: String, name: String) -> Answer {
        lock.lock()
        defer { lock.unlock() }
        guard let pod = pods.removeValue(forKey: namespace + "/" + name) else { return Self.notFound("pods", name) }
        version += 1
        return Answer(status: 200, object: pod)
    }

    /// How many pods exist (for tests and the lab's checks).
    public var count: Int { lock.lock(); defer { lock.unlock() }; return pods.count }

    // MARK: - Pieces

    private func currentVersion() -> String { lock.lock(); defer { lock.unlock() }; return String(version) }

    private func labels(of object: [String: Any]) -> [String: String] {
        (object["metadata"] as? [String: Any])?["labels"] as? [String: String] ?? [:]
    }

    private func uid(_ seed: String) -> String {
        var hash: UInt64 = 14_695_981_039_346_656_037
        for byte in seed.utf8 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
        let hex = String(hash, radix: 16)
        let padded = String(repeating: "0", count: 16 - hex.count) + hex + "0000000000000000"
        let chars = Array(padded.prefix(32))
        return String(chars[0..<8]) + "-" + String(chars[8..<12]) + "-" + String(chars[12..<16]) + "-"
            + String(chars[16..<20]) + "-" + String(chars[20..<32])
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    static func statusObject(_ code: Int, _ reason: String, _ message: String, name: String? = nil) -> [String: Any] {
        var object: [String: Any] = ["kind": "Status", "apiVersion": "v1", "metadata": [String: Any](),
                                     "status": "Failure", "message": message, "reason": reason, "code": code]
        if let name { object["details"] = ["name": name, "kind": "pods"] }
        return object
    }

    public static func status(_ code: Int, _ reason: String, _ message: String) -> Answer {
        Answer(status: code, object: statusObject(code, reason, message))
    }

    static func notFound(_ resource: String, _ name: String) -> Answer {
        var object = statusObject(404, "NotFound", "\(resource) \"\(name)\" not found")
        object["details"] = ["name": name, "kind": resource]
        return Answer(status: 404, object: object)
    }
}

/// Equality-based label selectors (`a=b`, `a==b`, `a!=b`, `a`, `!a`, comma-joined), the forms
/// the transport and kubectl's `-l` send for the test bed's objects.
enum LabelMatch {
    static func matches(_ selector: String?, labels: [String: String]) -> Bool {
        guard let selector, !selector.isEmpty else { return true }
        for requirement in selector.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if let range = requirement.range(of: "!=") {
                if labels[String(requirement[..<range.lowerBound])] == String(requirement[range.upperBound...]) { return false }
            } else if let range = requirement.range(of: "==") ?? requirement.range(of: "=") {
                if labels[String(requirement[..<range.lowerBound])] != String(requirement[range.upperBound...]) { return false }
            } else if requirement.hasPrefix("!") {
                if labels[String(requirement.dropFirst())] != nil { return false }
            } else if labels[requirement] == nil {
                return false
            }
        }
        return true
    }
}
