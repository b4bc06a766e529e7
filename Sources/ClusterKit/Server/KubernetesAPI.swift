/// The API server's routes over one store: version, discovery, health, resources, logs.
/// Everything it answers is computed from the store; it keeps no state of its own, so it
/// is safe to call from every connection thread at once.
struct KubernetesAPI: Sendable {
    let store: ClusterStore

    /// A resource request's parsed path.
    struct ResourcePath {
        let resource: APIResource
        let namespace: String?
        let name: String?
        let subresource: String?
    }

    func respond(to request: HTTPRequest) -> HTTPResponse {
        let segments = request.path.split(separator: "/").map(String.init)
        switch segments.first {
        case "version" where segments.count == 1:
            return .json(Discovery.version(store.manifest.kubernetesVersion))
        case "healthz", "livez", "readyz":
            return HealthEndpoints.answer(segments[0], verbose: request.query["verbose"] != nil, manifest: store.manifest)
        case "api", "apis":
            break
        default:
            return APIStatus.pathNotFound()
        }
        let isCore = segments[0] == "api"
        // Discovery documents.
        if isCore && segments.count == 1 { return .json(Discovery.coreVersions(port: localPort(request))) }
        if !isCore && segments.count == 1 { return .json(Discovery.groupList()) }
        if !isCore && segments.count == 2 {
            return Discovery.groupDocument(segments[1]).map { .json($0) } ?? APIStatus.pathNotFound()
        }
        let group = isCore ? "" : segments[1]
        let version = isCore ? segments[1] : segments[2]
        let rest = Array(segments.dropFirst(isCore ? 2 : 3))
        let groupVersion = group.isEmpty ? version : "\(group)/\(version)"
        if rest.isEmpty {
            return Discovery.resourceList(groupVersion: groupVersion).map { .json($0) } ?? APIStatus.pathNotFound()
        }
        guard let path = resourcePath(group: group, version: version, rest) else {
            // A write is refused as a write even where nothing is served (e.g. access reviews).
            return isRead(request) ? APIStatus.pathNotFound() : APIStatus.readOnly(request.method, what: request.path)
        }
        let kind = path.resource.qualifiedName + (path.subresource.map { "/\($0)" } ?? "")
        let what = path.name.map { "\(kind) \"\($0)\"" } ?? kind
        guard isRead(request) else { return APIStatus.readOnly(request.method, what: what) }
        if request.query["watch"] == "true" || request.query["watch"] == "1" { return APIStatus.noWatch(what) }
        return ResourceRequests(store: store).answer(path, request: request)
    }

    /// `[namespaces/NS/]RESOURCE[/NAME[/SUB]]`
    private func resourcePath(group: String, version: String, _ rest: [String]) -> ResourcePath? {
        var parts = rest[...]
        var namespace: String? = nil
        if parts.first == "namespaces", parts.count >= 3 {
            namespace = parts[parts.startIndex + 1]
            parts = parts.dropFirst(2)
        }
        guard let plural = parts.first, parts.count <= 3,
              let resource = ResourceCatalog.find(group: group, version: version, plural: plural) else { return nil }
        if namespace != nil && !resource.namespaced { return nil }
        // One namespaced object is only reached through its namespace, as on the API server.
        if namespace == nil && resource.namespaced && parts.count > 1 { return nil }
        let name = parts.count > 1 ? parts[parts.startIndex + 1] : nil
        let sub = parts.count > 2 ? parts[parts.startIndex + 2] : nil
        return ResourcePath(resource: resource, namespace: namespace, name: name, subresource: sub)
    }

    private func isRead(_ request: HTTPRequest) -> Bool { request.method == "GET" || request.method == "HEAD" }

    private func localPort(_ request: HTTPRequest) -> Int {
        guard let host = request.header("host"), let colon = host.lastIndex(of: ":") else { return 80 }
        return Int(host[host.index(after: colon)...]) ?? 80
    }
}
