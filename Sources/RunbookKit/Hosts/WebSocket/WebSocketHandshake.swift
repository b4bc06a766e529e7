import Foundation
// The WebSocket opening handshake (RFC 6455 section 4) for exec streams: the accept key,
// which of the client's subprotocols is spoken (server side, the test bed), and the
// request and the check of the 101 answer (client side, the Kubernetes transport).

public enum WebSocketHandshake {
    static let guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// base64(SHA-1(key + GUID)).
    public static func acceptKey(for key: String) -> String {
        Data(SHA1.digest(Array((key.trimmingCharacters(in: .whitespaces) + guid).utf8))).base64EncodedString()
    }

    /// The exec protocols the test bed speaks, best first. v5 adds the close signal on
    /// channel 255 (stdin's end-of-file); v4 has none, so its stdin ends only with the stream.
    public static let supportedProtocols = ["v5.channel.k8s.io", "v4.channel.k8s.io"]

    /// The first of ours the client offers (Sec-WebSocket-Protocol: "a, b, c"), nil for none.
    public static func chooseProtocol(offered header: String?) -> String? {
        let offered = (header ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        return supportedProtocols.first { offered.contains($0) }
    }

    /// The 101 response's bytes.
    public static func response(key: String, protocol chosen: String) -> [UInt8] {
        Array(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               + "Sec-WebSocket-Accept: \(acceptKey(for: key))\r\nSec-WebSocket-Protocol: \(chosen)\r\n\r\n").utf8)
    }

    /// A fresh Sec-WebSocket-Key: 16 random bytes, base64.
    public static func newKey() -> String {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }).base64EncodedString()
    }

    /// The client's upgrade request for `path` (with its query) offering `protocols`, best first.
    public static func request(path: String, key: String, protocols: [String] = supportedProtocols,
                               userAgent: String = "runbook") -> [UInt8] {
        Array(("GET \(path) HTTP/1.1\r\nHost: localhost\r\nUser-Agent: \(userAgent)\r\n"
               + "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
               + "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Protocol: \(protocols.joined(separator: ", "))\r\n\r\n").utf8)
    }
}

/// The head of an HTTP answer: status and lower-cased header names.
public struct HTTPResponseHead: Equatable, Sendable {
    public var status: Int
    public var headers: [String: String]

    /// Parses the bytes before the blank line; nil when they are not an HTTP/1.x status and headers.
    public static func parse(_ bytes: [UInt8]) -> HTTPResponseHead? {
        let lines = String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n")
        let parts = lines.first?.split(separator: " ", maxSplits: 2) ?? []
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return HTTPResponseHead(status: status, headers: headers)
    }

    /// The subprotocol of a 101 that answers `key` with one of `offered`; nil when it is not one.
    public func acceptedProtocol(key: String, offered: [String] = WebSocketHandshake.supportedProtocols) -> String? {
        guard status == 101, headers["upgrade"]?.lowercased() == "websocket",
              headers["sec-websocket-accept"] == WebSocketHandshake.acceptKey(for: key),
              let chosen = headers["sec-websocket-protocol"], offered.contains(chosen) else { return nil }
        return chosen
    }
}
