/// GET of one object or a list: selectors, the Table form, and pod logs.
struct ResourceRequests {
    let store: ClusterStore

    func answer(_ path: KubernetesAPI.ResourcePath, request: HTTPRequest) -> HTTPResponse {
        if let sub = path.subresource {
            guard let name = path.name else { return APIStatus.pathNotFound() }
            guard let object = store.get(path.resource, namespace: path.namespace, name: name) else {
                return APIStatus.notFound(path.resource, name: name)
            }
            if path.resource == ResourceCatalog.pods && sub == "log" {
                return PodLogs(store: store).answer(pod: object, query: request.query)
            }
            if sub == "status" { return .json(object.json) }
            return APIStatus.pathNotFound()
        }
        let wantsTable = TableRequest(accept: request.header("accept"), query: request.query)
        if let name = path.name {
            guard let object = store.get(path.resource, namespace: path.namespace, name: name) else {
                return APIStatus.notFound(path.resource, name: name)
            }
            if let table = wantsTable {
                return .json(TableBuilder.table(path.resource, objects: [object], store: store, request: table))
            }
            return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: object.encoded)
        }
        var objects = store.list(path.resource, namespace: path.namespace)
        do {
            if let text = request.query["labelSelector"], !text.isEmpty {
                let selector = try LabelSelector(parsing: text)
                objects = objects.filter { selector.matches($0.labels) }
            }
            if let text = request.query["fieldSelector"], !text.isEmpty {
                let selector = try FieldSelector(parsing: text)
                objects = objects.filter { selector.matches($0.json) }
            }
        } catch {
            return APIStatus.badRequest("\(error)")
        }
        // `limit` is accepted and ignored: every list is answered whole, with no `continue`
        // token (a recording is small, and one page keeps the answer consistent).
        if let table = wantsTable {
            return .json(TableBuilder.table(path.resource, objects: objects, store: store, request: table))
        }
        // The list's envelope around the objects' stored text.
        let head = JSONWriter.string(.object([
            ("kind", .string("\(path.resource.kind)List")),
            ("apiVersion", .string(path.resource.groupVersion)),
            ("metadata", .object([("resourceVersion", .string(store.resourceVersion))])),
        ]))
        var body = Array(head.utf8.dropLast())
        body.append(contentsOf: Array(#","items":["#.utf8))
        for (i, object) in objects.enumerated() {
            if i > 0 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: object.encoded)
        }
        body.append(contentsOf: Array("]}".utf8))
        return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: body)
    }
}

/// What a Table request asked for (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`).
struct TableRequest {
    enum IncludeObject: String { case none = "None", metadata = "Metadata", object = "Object" }
    let includeObject: IncludeObject

    init?(accept: String?, query: [String: String]) {
        guard let accept, accept.split(separator: ",").contains(where: { part in
            let params = part.split(separator: ";").map { $0.trimmingSpaces }
            return params.contains("as=Table") && params.contains("g=meta.k8s.io")
        }) else { return nil }
        includeObject = query["includeObject"].flatMap(IncludeObject.init(rawValue:)) ?? .metadata
    }
}
