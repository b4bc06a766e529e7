import RunbookKit
/// A handler the server asks before its own API routes (e.g. exec over WebSocket).
///
/// Thread contract: `handle` is called on the connection's own thread, one request at a time
/// per connection, concurrently across connections; a handler must be safe for that.
public protocol ClusterRequestHandler: AnyObject, Sendable {
    /// nil: not mine, ask the next handler (and finally the API routes).
    func handle(_ request: HTTPRequest, connection: HTTPConnection) -> HandlerResult?

    /// The writes this handler serves, for discovery to list (kubectl reads the verbs there).
    /// Read once per discovery request.
    var servedWrites: [ServedWrite] { get }
}

extension ClusterRequestHandler {
    public var servedWrites: [ServedWrite] { [] }
}

/// Verbs a handler serves on a resource or one of its subresources, beyond get and list.
public struct ServedWrite: Sendable, Equatable {
    public struct Subresource: Sendable, Equatable {
        public let name: String
        /// The kind discovery names (`PodExecOptions` for pods/exec).
        public let kind: String
        public init(name: String, kind: String) { self.name = name; self.kind = kind }
    }

    public let resource: APIResource
    public let subresource: Subresource?
    public let verbs: [String]

    public init(_ resource: APIResource, subresource: Subresource? = nil, verbs: [String]) {
        self.resource = resource
        self.subresource = subresource
        self.verbs = verbs
    }
}

public enum HandlerResult {
    /// Send this response; the connection stays open for the next request.
    case response(HTTPResponse)
    /// The handler wrote `101 Switching Protocols` itself and has used the socket for its
    /// whole session; when `handle` returns, the server closes the connection.
    case upgraded
}
