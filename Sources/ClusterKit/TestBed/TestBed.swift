// The node test bed, as a handler of the cluster's API server: pods are created and deleted
// on its nodes and commands exec'd in them run where the nodes live (this machine, a lab
// host's namespaces); RBAC and PodSecurity refusals are made as the policy says. Reads are
// left to the API server, which serves the nodes and pods from the store.
//
// Thread contract: `handle` from every connection's thread at once (its state is the
// store's, behind the store's lock); an exec holds its connection's thread until the
// command ends or the client goes away.

public final class TestBed: ClusterRequestHandler {
    public let pods: TestBedPods
    public let policy: TestBedPolicy

    /// Adds the nodes (and the `default` namespace) to `store` where it lacks them.
    public init(store: ClusterStore, nodes: [TestBedNode], policy: TestBedPolicy = TestBedPolicy()) {
        pods = TestBedPods(store: store, nodes: nodes)
        self.policy = policy
    }

    /// What kubectl and the transport find in discovery: pods may be created and deleted,
    /// and exec'd into.
    public var servedWrites: [ServedWrite] {
        [ServedWrite(ResourceCatalog.pods, verbs: ["create", "delete"]),
         ServedWrite(ResourceCatalog.pods, subresource: .init(name: "exec", kind: "PodExecOptions"), verbs: ["create", "get"])]
    }

    public func handle(_ request: HTTPRequest, connection: HTTPConnection) -> HandlerResult? {
        guard let route = TestBedRoute(path: request.path) else { return nil }
        let access = route.access(request.method)
        if let refused = policy.refusal(access.verb, access.resource, name: access.name, namespace: access.namespace) {
            return .response(APIStatus.failure(code: 403, reason: "Forbidden", message: refused))
        }
        switch (route, request.method) {
        case (.exec(let namespace, let pod), _):
            return TestBedExecRequest(request: request, namespace: namespace, pod: pod).answer(pods: pods, connection: connection)
        case (.pods(let namespace, nil), "POST"):
            // kubectl's typed clients (`kubectl debug node/X`) send protobuf; the test bed
            // reads JSON, as `kubectl create -f -` sends it.
            if request.header("content-type")?.hasPrefix("application/vnd.kubernetes.protobuf") == true {
                return .response(APIStatus.failure(code: 415, reason: "UnsupportedMediaType",
                                                   message: "the test bed reads pods as JSON only (kubectl create -f -), not protobuf"))
            }
            return .response(pods.create(namespace: namespace, body: request.body, policy: policy))
        case (.pods(let namespace, let name?), "DELETE"):
            return .response(pods.delete(namespace: namespace, name: name))
        default:
            return nil
        }
    }
}
