import Foundation
// The server side of the WebSocket opening handshake (RFC 6455 section 4.2) for exec
// streams: the accept key, and which of the client's subprotocols is spoken.

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
}
