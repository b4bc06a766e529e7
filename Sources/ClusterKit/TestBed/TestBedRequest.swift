// HTTP/1.1 requests as the test bed reads them: the request line, headers, a Content-Length
// body, and the query with every value of a repeated parameter, in order.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct TestBedRequest {
    var method: String
    var path: String
    var query: [(String, String)]
    var headers: [String: String]
    var body: [UInt8]

    func values(_ name: String) -> [String] { query.filter { $0.0 == name }.map(\.1) }
    func value(_ name: String) -> String? { values(name).first }

    var isWebSocketUpgrade: Bool { headers["upgrade"]?.lowercased() == "websocket" }

    /// `a=1&b=%2F&a=2` as [(a,1),(b,/),(a,2)].
    static func parseQuery(_ text: Substring) -> [(String, String)] {
        text.split(separator: "&").map { pair in
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (decode(kv[0]), kv.count > 1 ? decode(kv[1]) : "")
        }
    }

    static func decode(_ text: Substring, plusIsSpace: Bool = true) -> String {
        var out: [UInt8] = []
        var bytes = Array(text.utf8)[...]
        while let b = bytes.first {
            bytes = bytes.dropFirst()
            if b == 0x25, bytes.count >= 2, let v = UInt8(String(decoding: bytes.prefix(2), as: UTF8.self), radix: 16) {
                out.append(v)
                bytes = bytes.dropFirst(2)
            } else {
                out.append(b == 0x2B && plusIsSpace ? 0x20 : b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Reads requests off one connection; nil at its end or on a request it will not read
/// (headers over 64 KiB, bodies over 8 MiB, chunked bodies).
struct TestBedRequestReader {
    let fd: Int32
    private var buffer: [UInt8] = []

    init(fd: Int32) { self.fd = fd }

    mutating func takeBuffered() -> [UInt8] { defer { buffer = [] }; return buffer }

    mutating func next() -> TestBedRequest? {
        var headerEnd: Int?
        while headerEnd == nil {
            headerEnd = find([13, 10, 13, 10])
            if headerEnd != nil { break }
            guard buffer.count < 64 << 10, fill() else { return nil }
        }
        let head = String(decoding: buffer[0..<headerEnd!], as: UTF8.self)
        buffer.removeFirst(headerEnd! + 4)
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count == 3 else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        guard headers["transfer-encoding"] == nil else { return nil }
        let length = Int(headers["content-length"] ?? "0") ?? -1
        guard length >= 0, length <= 8 << 20 else { return nil }
        while buffer.count < length { guard fill() else { return nil } }
        let body = Array(buffer[0..<length])
        buffer.removeFirst(length)
        let target = requestLine[1].split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        return TestBedRequest(method: String(requestLine[0]), path: TestBedRequest.decode(target[0], plusIsSpace: false),
                              query: target.count > 1 ? TestBedRequest.parseQuery(target[1]) : [],
                              headers: headers, body: body)
    }

    private func find(_ marker: [UInt8]) -> Int? {
        guard buffer.count >= marker.count else { return nil }
        for i in 0...(buffer.count - marker.count) where buffer[i] == marker[0] && Array(buffer[i..<(i + marker.count)]) == marker {
            return i
        }
        return nil
    }

    private mutating func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 { buffer += chunk[0..<n]; return true }
            if n < 0 && errno == EINTR { continue }
            return false
        }
    }

    static func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n > 0 { offset += n } else if !(n < 0 && errno == EINTR) { return false }
        }
        return true
    }
}

import Foundation
