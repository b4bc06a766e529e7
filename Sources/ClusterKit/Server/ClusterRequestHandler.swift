/// A handler the server asks before its own API routes (e.g. exec over WebSocket).
///
/// Thread contract: `handle` is called on the connection's own thread, one request at a time
/// per connection, concurrently across connections; a handler must be safe for that.
public protocol ClusterRequestHandler: AnyObject, Sendable {
    /// nil: not mine, ask the next handler (and finally the API routes).
    func handle(_ request: HTTPRequest, connection: HTTPConnection) -> HandlerResult?
}

public enum HandlerResult {
    /// Send this response; the connection stays open for the next request.
    case response(HTTPResponse)
    /// The handler wrote `101 Switching Protocols` itself and has used the socket for its
    /// whole session; when `handle` returns, the server closes the connection.
    case upgraded
}
