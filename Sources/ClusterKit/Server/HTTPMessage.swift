/// One parsed HTTP/1.1 request.
public struct HTTPRequest: Sendable {
    public let method: String
    /// The path, percent-decoded, without the query.
    public let path: String
    /// Query parameters, percent-decoded; a key given twice keeps its first value.
    public let query: [String: String]
    /// Header names lowercased.
    public let headers: [String: String]
    public let body: [UInt8]

    public init(method: String, path: String, query: [String: String], headers: [String: String], body: [UInt8]) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// True when the client asked to switch protocols (`Connection: Upgrade`).
    public var wantsUpgrade: Bool {
        (header("connection") ?? "").lowercased().contains("upgrade") && header("upgrade") != nil
    }
}

/// One HTTP response, always sent with a Content-Length.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static func json(_ value: JSON, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")], body: JSONWriter.bytes(value))
    }

    public static func text(_ text: String, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array(text.utf8))
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 101: return "Switching Protocols"
        case 200: return "OK"
        case 400: return "Bad Request"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 406: return "Not Acceptable"
        case 408: return "Request Timeout"
        case 411: return "Length Required"
        case 413: return "Payload Too Large"
        case 414: return "URI Too Long"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 503: return "Service Unavailable"
        default: return "Status \(status)"
        }
    }

    /// The answer to HEAD: the same headers and Content-Length, no body.
    var headOnly: HTTPResponse {
        var copy = self
        copy.headers.append(("Content-Length", String(body.count)))
        copy.body = []
        copy.omitLength = true
        return copy
    }

    /// Set by `headOnly`: the Content-Length header is already among `headers`.
    var omitLength = false

    /// The bytes on the wire (an upgrade handler can send its own `101` this way).
    public func serialized(keepAlive: Bool) -> [UInt8] {
        var head = "HTTP/1.1 \(status) \(HTTPResponse.reason(status))\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        // No Content-Length on a 1xx answer (RFC 9110 8.6): a `101` is followed by the new protocol.
        if !omitLength && status >= 200 { head += "Content-Length: \(body.count)\r\n" }
        if !keepAlive { head += "Connection: close\r\n" }
        head += "\r\n"
        return Array(head.utf8) + body
    }
}

/// Percent-decoding of paths and query strings (`+` is a space only in queries).
enum URLDecoding {
    static func decode(_ text: Substring, plusIsSpace: Bool) -> String {
        var out: [UInt8] = []
        var bytes = Array(text.utf8)[...]
        while let b = bytes.first {
            bytes = bytes.dropFirst()
            if b == UInt8(ascii: "%"), bytes.count >= 2,
               let v = UInt8(String(decoding: bytes.prefix(2), as: UTF8.self), radix: 16) {
                out.append(v)
                bytes = bytes.dropFirst(2)
            } else if b == UInt8(ascii: "+"), plusIsSpace {
                out.append(0x20)
            } else {
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func query(_ text: Substring) -> [String: String] {
        var out: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = decode(kv[0], plusIsSpace: true)
            if out[key] == nil { out[key] = kv.count > 1 ? decode(kv[1], plusIsSpace: true) : "" }
        }
        return out
    }
}
