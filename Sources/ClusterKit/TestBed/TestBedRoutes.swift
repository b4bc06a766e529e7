import Foundation
// What the test bed answers: discovery (legacy form: kubectl falls back to it), nodes,
// pods, and exec. Everything else is a NotFound Status, as the API server says it.

enum TestBedRoutes {
    struct Response {
        var status: Int
        var body: [UInt8]
        var bytes: [UInt8] {
            let head = "HTTP/1.1 \(status) \(status < 300 ? "OK" : "Error")\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.count)\r\n\r\n"
            return Array(head.utf8) + body
        }

        init(_ answer: TestBedPods.Answer) { status = answer.status; body = answer.body }
        init(status: Int, object: [String: Any]) { self.init(TestBedPods.Answer(status: status, object: object)) }
    }

    static func answer(_ request: TestBedRequest, pods: TestBedPods) -> Response {
        let parts = request.path.split(separator: "/").map(String.init)
        if let refused = refusal(request, parts: parts, policy: pods.policy) { return Response(refused) }
        let selector = request.value("labelSelector")
        switch (request.method, parts.count) {
        case ("GET", 1) where parts == ["version"]:
            return Response(status: 200, object: ["major": "1", "minor": "32", "gitVersion": "v1.32.0-test-bed",
                                                  "platform": "linux/amd64"])
        case ("GET", 1) where parts == ["api"]:
            return Response(status: 200, object: ["kind": "APIVersions", "versions": ["v1"],
                                                  "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"]]])
        case ("GET", 1) where parts == ["apis"]:
            return Response(status: 200, object: ["kind": "APIGroupList", "apiVersion": "v1", "groups": [Any]()])
        case ("GET", 2) where parts == ["api", "v1"]:
            return Response(status: 200, object: resourceList)
        case ("GET", 3) where parts[0...1] == ["api", "v1"] && parts[2] == "nodes":
            return Response(pods.listNodes(selector: selector))
        case ("GET", 4) where parts[0...2] == ["api", "v1", "nodes"]:
            return Response(pods.getNode(parts[3]))
        case ("GET", 3) where parts[0...2] == ["api", "v1", "pods"]:
            return Response(pods.list(namespace: nil, selector: selector))
        case ("GET", 4) where parts[0...2] == ["api", "v1", "namespaces"]:
            return Response(status: 200, object: ["kind": "Namespace", "apiVersion": "v1", "metadata": ["name": parts[3]],
                                                  "status": ["phase": "Active"]])
        case (_, 5) where parts[0...2] == ["api", "v1", "namespaces"] && parts[4] == "pods":
            if request.method == "GET" { return Response(pods.list(namespace: parts[3], selector: selector)) }
            if request.method == "POST" {
                // kubectl's typed clients (`kubectl debug node/X`) send protobuf; the test bed
                // reads JSON, as `kubectl create -f -` sends it.
                if request.headers["content-type"]?.hasPrefix("application/vnd.kubernetes.protobuf") == true {
                    return Response(TestBedPods.status(415, "UnsupportedMediaType",
                                                       "the test bed reads pods as JSON only (kubectl create -f -), not protobuf"))
                }
                return Response(pods.create(namespace: parts[3], body: request.body))
            }
        case (_, 6) where parts[0...2] == ["api", "v1", "namespaces"] && parts[4] == "pods":
            if request.method == "GET" { return Response(pods.get(namespace: parts[3], name: parts[5])) }
            if request.method == "DELETE" { return Response(pods.delete(namespace: parts[3], name: parts[5])) }
        case (_, 7) where parts[0...2] == ["api", "v1", "namespaces"] && parts[4] == "pods" && parts[6] == "exec":
            return execWithoutWebSocket(request, target: (parts[3], parts[5]), pods: pods)
        default: break
        }
        return Response(TestBedPods.status(404, "NotFound", "the server could not find the requested resource"))
    }

    /// The policy's 403 for this request, nil when it is allowed (or not one the policy knows).
    static func refusal(_ request: TestBedRequest, parts: [String], policy: TestBedPolicy) -> TestBedPods.Answer? {
        guard parts.count >= 3, parts[0...1] == ["api", "v1"] else { return nil }
        if parts[2] == "nodes" {
            return policy.refusal(parts.count == 3 ? "list" : "get", "nodes", name: parts.count > 3 ? parts[3] : nil, namespace: nil)
        }
        guard parts.count >= 5, parts[2] == "namespaces", parts[4] == "pods" else {
            return parts[2] == "pods" ? policy.refusal("list", "pods", name: nil, namespace: nil) : nil
        }
        let name = parts.count > 5 ? parts[5] : nil
        if parts.count == 7 && parts[6] == "exec" { return policy.refusal("create", "pods/exec", name: name, namespace: parts[3]) }
        let verb: String
        switch (request.method, name) {
        case ("POST", _): verb = "create"
        case ("DELETE", _): verb = "delete"
        case (_, nil): verb = "list"
        default: verb = "get"
        }
        return policy.refusal(verb, "pods", name: name, namespace: parts[3])
    }

    /// Namespace and pod of an exec request, nil when the path is not one.
    static func execTarget(_ request: TestBedRequest) -> (namespace: String, pod: String)? {
        let parts = request.path.split(separator: "/").map(String.init)
        guard parts.count == 7, parts[0...2] == ["api", "v1", "namespaces"], parts[4] == "pods", parts[6] == "exec" else { return nil }
        return (parts[3], parts[5])
    }

    /// What an exec request runs: the command as kubectl sent it and as the node runs it.
    struct ExecPlan {
        let command: [String]
        let arguments: [String]
    }

    /// The exec request's plan, or the Status refusing it (no such pod, not running, a
    /// container it does not have, a node whose host is gone), as the API server says them.
    static func plan(_ request: TestBedRequest, target: (namespace: String, pod: String), pods: TestBedPods) -> Result<ExecPlan, Refusal> {
        guard case 200 = pods.get(namespace: target.namespace, name: target.pod).status else {
            return .failure(Refusal(404, "NotFound", "pods \"\(target.pod)\" not found"))
        }
        guard let (pod, node) = pods.runningPod(namespace: target.namespace, name: target.pod) else {
            return .failure(Refusal(400, "BadRequest", "pod \(target.pod) is not running"))
        }
        let containers = ((pod["spec"] as? [String: Any])?["containers"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        if let container = request.value("container"), !containers.contains(container) {
            return .failure(Refusal(400, "BadRequest", "container \(container) is not valid for pod \(target.pod)"))
        }
        let command = request.values("command")
        do { return .success(ExecPlan(command: command, arguments: try node.arguments(for: command))) } catch {
            return .failure(Refusal(400, "BadRequest", "\(error)"))
        }
    }

    struct Refusal: Error {
        let code: Int, reason: String, message: String
        init(_ code: Int, _ reason: String, _ message: String) { self.code = code; self.reason = reason; self.message = message }
        var response: Response { Response(TestBedPods.status(code, reason, message)) }
    }

    /// Exec without WebSocket (kubectl's SPDY fallback): the same refusal a WebSocket request
    /// would get, or, for an exec that would run, that the test bed speaks only WebSocket.
    static func execWithoutWebSocket(_ request: TestBedRequest, target: (namespace: String, pod: String), pods: TestBedPods) -> Response {
        if case .failure(let refusal) = plan(request, target: target, pods: pods) { return refusal.response }
        return Refusal(400, "BadRequest", "the test bed runs exec over WebSocket only (v5.channel.k8s.io)").response
    }

    /// Answers the upgrade and runs the session; refusals are answered as Status objects.
    static func exec(_ request: TestBedRequest, target: (namespace: String, pod: String), pods: TestBedPods,
                     fd: Int32, buffered: [UInt8]) {
        func refuse(_ refusal: Refusal) { _ = TestBedRequestReader.write(fd, refusal.response.bytes) }
        guard let key = request.headers["sec-websocket-key"] else { return refuse(Refusal(400, "BadRequest", "no Sec-WebSocket-Key")) }
        guard let chosen = WebSocketHandshake.chooseProtocol(offered: request.headers["sec-websocket-protocol"]) else {
            return refuse(Refusal(400, "BadRequest", "no supported exec protocol (speaks \(WebSocketHandshake.supportedProtocols.joined(separator: ", ")))"))
        }
        if let refused = refusal(request, parts: request.path.split(separator: "/").map(String.init), policy: pods.policy) {
            return refuse(Refusal(refused.status, "Forbidden", refused.object["message"] as? String ?? "forbidden"))
        }
        let plan: ExecPlan
        switch self.plan(request, target: target, pods: pods) {
        case .failure(let refusal): return refuse(refusal)
        case .success(let made): plan = made
        }
        guard TestBedRequestReader.write(fd, WebSocketHandshake.response(key: key, protocol: chosen)) else { return }
        TestBedExecSession(socket: fd, command: plan.command,
                           wantsStdin: request.value("stdin") == "true" || request.value("stdin") == "1")
            .run(arguments: plan.arguments, buffered: buffered)
    }

    static let resourceList: [String: Any] = [
        "kind": "APIResourceList", "groupVersion": "v1",
        "resources": [
            ["name": "nodes", "singularName": "node", "namespaced": false, "kind": "Node",
             "verbs": ["get", "list"], "shortNames": ["no"]],
            ["name": "pods", "singularName": "pod", "namespaced": true, "kind": "Pod",
             "verbs": ["create", "delete", "get", "list"], "shortNames": ["po"], "categories": ["all"]],
            ["name": "pods/exec", "singularName": "", "namespaced": true, "kind": "PodExecOptions", "verbs": ["create", "get"]],
            ["name": "namespaces", "singularName": "namespace", "namespaced": false, "kind": "Namespace",
             "verbs": ["get"], "shortNames": ["ns"]],
        ],
    ]
}
