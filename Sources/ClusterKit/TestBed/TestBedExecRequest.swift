import RunbookKit
// One exec request to the test bed: the API server's refusals (no such pod, not running, a
// container it does not have, a node whose host is gone), then the WebSocket handshake and
// the session that runs the command on the pod's node.

struct TestBedExecRequest {
    let request: HTTPRequest
    let namespace: String
    let pod: String

    /// What the request runs: the command as kubectl sent it and as the node runs it.
    struct Plan {
        let command: [String]
        let arguments: [String]
    }

    func answer(pods: TestBedPods, connection: HTTPConnection) -> HandlerResult {
        let plan: Plan
        switch self.plan(pods) {
        case .failure(let refusal): return .response(refusal.response)
        case .success(let made): plan = made
        }
        // kubectl falls back to SPDY when the upgrade is not offered; the test bed speaks only WebSocket.
        guard request.wantsUpgrade else {
            return .response(APIStatus.badRequest("the test bed runs exec over WebSocket only (v5.channel.k8s.io)"))
        }
        guard let key = request.header("sec-websocket-key") else { return .response(APIStatus.badRequest("no Sec-WebSocket-Key")) }
        guard let chosen = WebSocketHandshake.chooseProtocol(offered: request.header("sec-websocket-protocol")) else {
            return .response(APIStatus.badRequest("no supported exec protocol (speaks \(WebSocketHandshake.supportedProtocols.joined(separator: ", ")))"))
        }
        guard connection.send(WebSocketHandshake.response(key: key, protocol: chosen)) else { return .upgraded }
        let stdin = request.value("stdin")
        TestBedExecSession(socket: connection.fd, command: plan.command, wantsStdin: stdin == "true" || stdin == "1")
            .run(arguments: plan.arguments, buffered: connection.takeBuffered())
        return .upgraded
    }

    func plan(_ pods: TestBedPods) -> Result<Plan, ExecRefusal> {
        guard pods.store.get(ResourceCatalog.pods, namespace: namespace, name: pod) != nil else {
            return .failure(ExecRefusal(APIStatus.notFound(ResourceCatalog.pods, name: pod)))
        }
        guard let (object, node) = pods.runningPod(namespace: namespace, name: pod) else {
            return .failure(ExecRefusal(APIStatus.badRequest("pod \(pod) is not running")))
        }
        let containers = (object.json.at("spec.containers")?.array ?? []).compactMap { $0["name"]?.string }
        if let container = request.value("container"), !containers.contains(container) {
            return .failure(ExecRefusal(APIStatus.badRequest("container \(container) is not valid for pod \(pod)")))
        }
        let command = request.values("command")
        do { return .success(Plan(command: command, arguments: try node.arguments(for: command))) } catch {
            return .failure(ExecRefusal(APIStatus.badRequest("\(error)")))
        }
    }
}

struct ExecRefusal: Error {
    let response: HTTPResponse
    init(_ response: HTTPResponse) { self.response = response }
}
