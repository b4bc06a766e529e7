import Foundation
import RunbookKit

/// An HTTP/1.1 response: status, lower-cased header names, the whole body.
public struct ProxyResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]
}

/// Why a request got no response.
public enum HTTPClientError: Error, CustomStringConvertible, Equatable, Sendable {
    case connect(String)
    case timedOut(Double)
    case cancelled
    case closed
    case malformed(String)
    case tooLarge(Int)

    public var description: String {
        switch self {
        case .connect(let reason): return "cannot connect: \(reason)"
        case .timedOut(let seconds): return "no complete answer within \(TimeFormat.seconds(seconds)) (--request-timeout)"
        case .cancelled: return "cancelled"
        case .closed: return "the connection closed before the answer was complete"
        case .malformed(let reason): return "malformed answer: \(reason)"
        case .tooLarge(let limit): return "answer larger than \(limit >> 20) MiB"
        }
    }
}

enum TimeFormat {
    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value))s" : "\(value)s"
    }
}

/// A small HTTP/1.1 client over a unix socket (the one `kubectl proxy --unix-socket` listens
/// on): GET only, one request at a time on a kept-alive connection, Content-Length and
/// chunked bodies. Each request has a deadline for its whole answer, and wakes at once when
/// `cancellation` is cancelled (Ctrl-C). Not thread-safe: one client per thread.
public final class UnixHTTPClient {
    public let socketPath: String
    private let cancellation: Cancellation
    private let maxBody: Int
    private var descriptor: Int32 = -1
    private var buffer: [UInt8] = []
    private var position = 0
    private var chunk = [UInt8](repeating: 0, count: 1 << 16)

    public init(socketPath: String, cancellation: Cancellation = .shared, maxBody: Int = 4 << 30) {
        self.socketPath = socketPath
        self.cancellation = cancellation
        self.maxBody = maxBody
    }

    deinit { disconnect() }

    /// GETs `path` (with its query); `accept` is the Accept header. A connection the server
    /// closed while idle is reopened once.
    public func get(_ path: String, accept: String = "application/json", timeout: Double) throws -> ProxyResponse {
        let deadline = Date().timeIntervalSince1970 + timeout
        for attempt in 0 ..< 2 {
            let fresh = descriptor < 0
            if fresh { try connect() }
            do {
                return try exchange(path: path, accept: accept, deadline: deadline, timeout: timeout)
            } catch HTTPClientError.closed where !fresh && attempt == 0 {
                disconnect()   // the kept-alive connection had been closed by the server
            } catch {
                disconnect()
                throw error
            }
        }
        throw HTTPClientError.closed
    }

    public func disconnect() {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
        buffer = []
        position = 0
    }

    private func connect() throws {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HTTPClientError.connect(String(cString: strerror(errno))) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw HTTPClientError.connect("socket path too long: \(socketPath)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in pathBytes.enumerated() { raw[i] = byte }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Foundation.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw HTTPClientError.connect("\(socketPath): \(reason)")
        }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        descriptor = fd
    }

    private func exchange(path: String, accept: String, deadline: Double, timeout: Double) throws -> ProxyResponse {
        let request = "GET \(path) HTTP/1.1\r\nHost: localhost\r\nAccept: \(accept)\r\nUser-Agent: runbook-snapshot\r\n\r\n"
        try send(Array(request.utf8), deadline: deadline, timeout: timeout)
        let statusLine = try readLine(deadline: deadline, timeout: timeout)
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw HTTPClientError.malformed("status line '\(statusLine.prefix(80))'")
        }
        var headers: [String: String] = [:]
        while true {
            let line = try readLine(deadline: deadline, timeout: timeout)
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { throw HTTPClientError.malformed("header '\(line.prefix(80))'") }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body: [UInt8]
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            body = []
            while true {
                let sizeLine = try readLine(deadline: deadline, timeout: timeout)
                let hex = sizeLine.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
                guard let size = Int(hex, radix: 16), size >= 0 else { throw HTTPClientError.malformed("chunk size '\(sizeLine.prefix(40))'") }
                if size == 0 {
                    while try !readLine(deadline: deadline, timeout: timeout).isEmpty {}
                    break
                }
                guard body.count + size <= maxBody else { throw HTTPClientError.tooLarge(maxBody) }
                body += try readBytes(size, deadline: deadline, timeout: timeout)
                guard try readLine(deadline: deadline, timeout: timeout).isEmpty else { throw HTTPClientError.malformed("chunk not followed by CRLF") }
            }
        } else if let lengthText = headers["content-length"] {
            guard let length = Int(lengthText), length >= 0 else { throw HTTPClientError.malformed("Content-Length '\(lengthText)'") }
            guard length <= maxBody else { throw HTTPClientError.tooLarge(maxBody) }
            body = try readBytes(length, deadline: deadline, timeout: timeout)
        } else {
            body = try readToEnd(deadline: deadline, timeout: timeout)
            disconnect()
            return ProxyResponse(status: status, headers: headers, body: body)
        }
        if headers["connection"]?.lowercased() == "close" { disconnect() }
        // What was read ahead belongs to no request: the client sends one at a time.
        if position >= buffer.count { buffer.removeAll(keepingCapacity: true); position = 0 }
        return ProxyResponse(status: status, headers: headers, body: body)
    }

    private func send(_ bytes: [UInt8], deadline: Double, timeout: Double) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Foundation.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n > 0 { offset += n; continue }
            if n < 0 && (errno == EAGAIN || errno == EINTR) { try wait(events: POLLOUT, deadline: deadline, timeout: timeout); continue }
            throw HTTPClientError.closed
        }
    }

    /// Overwrites the read buffers (what was received stays in them until the next request).
    public func scrub() {
        buffer.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        chunk.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }

    /// Reads more into `buffer`; false at end of stream.
    private func fill(deadline: Double, timeout: Double) throws -> Bool {
        if position > 0 && position == buffer.count { buffer.removeAll(keepingCapacity: true); position = 0 }
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if n > 0 { buffer.append(contentsOf: chunk[0 ..< n]); return true }
            if n == 0 { return false }
            if errno == EAGAIN || errno == EINTR { try wait(events: POLLIN, deadline: deadline, timeout: timeout); continue }
            throw HTTPClientError.closed
        }
    }

    private func wait(events: Int32, deadline: Double, timeout: Double) throws {
        var entries = [pollfd(fd: descriptor, events: Int16(events), revents: 0),
                       pollfd(fd: cancellation.wakeDescriptor, events: Int16(POLLIN), revents: 0)]
        while true {
            let left = deadline - Date().timeIntervalSince1970
            guard left > 0 else { throw HTTPClientError.timedOut(timeout) }
            let ready = poll(&entries, 2, Int32(min(left * 1000, 60_000).rounded(.up)))
            if ready < 0 && errno == EINTR { continue }
            if entries[1].revents != 0 { throw HTTPClientError.cancelled }
            if ready > 0 { return }
        }
    }

    private func readLine(deadline: Double, timeout: Double) throws -> String {
        while true {
            if let end = buffer[position...].firstIndex(of: UInt8(ascii: "\n")) {
                var line = buffer[position ..< end]
                if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
                position = end + 1
                return String(decoding: line, as: UTF8.self)
            }
            guard buffer.count - position < 64 << 10 else { throw HTTPClientError.malformed("a header line longer than 64 KiB") }
            guard try fill(deadline: deadline, timeout: timeout) else { throw HTTPClientError.closed }
        }
    }

    private func readBytes(_ count: Int, deadline: Double, timeout: Double) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count {
            if position < buffer.count {
                let take = min(count - out.count, buffer.count - position)
                out.append(contentsOf: buffer[position ..< position + take])
                position += take
                continue
            }
            guard try fill(deadline: deadline, timeout: timeout) else { throw HTTPClientError.closed }
        }
        return out
    }

    private func readToEnd(deadline: Double, timeout: Double) throws -> [UInt8] {
        while try fill(deadline: deadline, timeout: timeout) {
            guard buffer.count - position <= maxBody else { throw HTTPClientError.tooLarge(maxBody) }
        }
        return Array(buffer[position...])
    }
}
