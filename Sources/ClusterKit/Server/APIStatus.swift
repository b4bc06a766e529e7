/// `Status` answers shaped exactly like the API server's, so kubectl prints its usual
/// `Error from server (Reason): message`.
enum APIStatus {
    static func failure(code: Int, reason: String, message: String, details: JSON? = nil) -> HTTPResponse {
        var members: [(String, JSON)] = [
            ("kind", .string("Status")), ("apiVersion", .string("v1")), ("metadata", .object([])),
            ("status", .string("Failure")), ("message", .string(message)), ("reason", .string(reason)),
        ]
        if let details { members.append(("details", details)) }
        members.append(("code", .int(code)))
        return .json(.object(members), status: code)
    }

    /// `pods "x" not found`
    static func notFound(_ resource: APIResource, name: String) -> HTTPResponse {
        var details: [(String, JSON)] = [("name", .string(name))]
        if !resource.group.isEmpty { details.append(("group", .string(resource.group))) }
        details.append(("kind", .string(resource.plural)))
        return failure(code: 404, reason: "NotFound", message: "\(resource.qualifiedName) \"\(name)\" not found",
                       details: .object(details))
    }

    /// A path that names nothing this server serves.
    static func pathNotFound() -> HTTPResponse {
        failure(code: 404, reason: "NotFound", message: "the server could not find the requested resource",
                details: .object([("causes", .array([.object([("reason", .string("UnexpectedServerResponse")), ("message", .string("404 page not found"))])]))]))
    }

    static func badRequest(_ message: String) -> HTTPResponse {
        failure(code: 400, reason: "BadRequest", message: message)
    }

    /// Every write, and every watch: the cluster is a recording.
    static func readOnly(_ method: String, what: String) -> HTTPResponse {
        failure(code: 405, reason: "MethodNotAllowed",
                message: "read-only: this is a recorded cluster, \(method) \(what) is not possible (only get and list are served)")
    }

    static func noWatch(_ what: String) -> HTTPResponse {
        failure(code: 405, reason: "MethodNotAllowed",
                message: "read-only: this is a recorded cluster that never changes, so watch \(what) is not served (use get without --watch)")
    }
}
