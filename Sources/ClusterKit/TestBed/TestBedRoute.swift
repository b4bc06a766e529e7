// Which of the test bed's requests a path is, and the RBAC verb and resource it asks for.
// Paths it does not name are not the test bed's (the API server answers them).

enum TestBedRoute: Equatable {
    case nodes(name: String?)
    case allPods
    case pods(namespace: String, name: String?)
    case exec(namespace: String, pod: String)

    init?(path: String) {
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count >= 3, parts[0] == "api", parts[1] == "v1" else { return nil }
        switch (parts[2], parts.count) {
        case ("nodes", 3): self = .nodes(name: nil)
        case ("nodes", 4): self = .nodes(name: parts[3])
        case ("pods", 3): self = .allPods
        case ("namespaces", 5) where parts[4] == "pods": self = .pods(namespace: parts[3], name: nil)
        case ("namespaces", 6) where parts[4] == "pods": self = .pods(namespace: parts[3], name: parts[5])
        case ("namespaces", 7) where parts[4] == "pods" && parts[6] == "exec": self = .exec(namespace: parts[3], pod: parts[5])
        default: return nil
        }
    }

    /// What RBAC checks for `method` on this path.
    func access(_ method: String) -> (verb: String, resource: String, name: String?, namespace: String?) {
        func verb(_ name: String?) -> String {
            switch method {
            case "POST": return "create"
            case "DELETE": return "delete"
            default: return name == nil ? "list" : "get"
            }
        }
        switch self {
        case .nodes(let name): return (verb(name), "nodes", name, nil)
        case .allPods: return (verb(nil), "pods", nil, nil)
        case .pods(let namespace, let name): return (verb(name), "pods", name, namespace)
        case .exec(let namespace, let pod): return ("create", "pods/exec", pod, namespace)
        }
    }
}
