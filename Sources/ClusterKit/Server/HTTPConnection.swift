#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One accepted TCP connection: buffered reads with deadlines, whole writes.
///
/// Thread contract: used by its connection's thread only (and by an upgraded handler on that
/// same thread); `shutdown()` may be called from any thread to wake a blocked read.
public final class HTTPConnection: @unchecked Sendable {
    public let fd: Int32
    private var buffer: [UInt8] = []

    public struct Limits: Sendable {
        /// Request line plus headers.
        public var maxHeaderBytes = 64 * 1024
        /// A write request's body is read (to answer it) only up to this size.
        public var maxBodyBytes = 4 * 1024 * 1024
        /// A request must arrive whole within this many seconds of its first byte.
        public var requestSeconds = 30.0
        /// An idle keep-alive connection is closed after this many seconds.
        public var idleSeconds = 90.0
        public init() {}
    }

    public enum ReadError: Error, Equatable {
        case closed
        case timeout
        case tooLarge(status: Int)
        case malformed(String)
    }

    init(fd: Int32) {
        self.fd = fd
        // Short socket timeouts let reads check their deadline (slow clients cannot hold a
        // thread beyond it) and notice a stop.
        var tv = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var wtv = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &wtv, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Bytes already read past the last request (an upgraded protocol's first frames).
    public func takeBuffered() -> [UInt8] {
        defer { buffer.removeAll() }
        return buffer
    }

    /// Up to `max` bytes: buffered ones first, else one read. Empty at end of stream.
    /// Blocks until data arrives, the peer closes, or `shutdown()`.
    public func receive(max: Int = 65536) throws -> [UInt8] {
        if !buffer.isEmpty { return takeBuffered() }
        let max = Swift.max(1, max)
        var chunk = [UInt8](repeating: 0, count: max)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, max, 0) }
            if n > 0 { return Array(chunk[0..<n]) }
            if n == 0 { return [] }
            if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { continue }
            throw ReadError.closed
        }
    }

    /// Writes all of `bytes`; false when the peer is gone.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw -> Int in
                #if canImport(Glibc)
                return Glibc.send(fd, raw.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                #else
                return Darwin.send(fd, raw.baseAddress! + offset, bytes.count - offset, 0)
                #endif
            }
            if n > 0 { offset += n; continue }
            if n < 0 && errno == EINTR { continue }
            return false
        }
        return true
    }

    /// Wakes any blocked read or write; the owner thread then closes the descriptor.
    public func shutdown() {
        #if canImport(Glibc)
        _ = Glibc.shutdown(fd, Int32(SHUT_RDWR))
        #else
        _ = Darwin.shutdown(fd, SHUT_RDWR)
        #endif
    }

    /// Reads one request. `.closed` at a clean end between requests.
    func readRequest(limits: Limits, stopping: () -> Bool) throws -> HTTPRequest {
        let idleDeadline = RFC3339.now() + limits.idleSeconds
        // Idle until the request's first byte (perhaps already buffered), then on the clock.
        var requestDeadline: Double? = buffer.isEmpty ? nil : RFC3339.now() + limits.requestSeconds
        var headerEnd = 0
        while true {
            if let end = findHeaderEnd() { headerEnd = end; break }
            if buffer.count > limits.maxHeaderBytes { throw ReadError.tooLarge(status: 431) }
            try fill(deadline: requestDeadline ?? idleDeadline, stopping: stopping, midRequest: requestDeadline != nil)
            if requestDeadline == nil { requestDeadline = RFC3339.now() + limits.requestSeconds }
        }
        let head = String(decoding: buffer[0..<headerEnd], as: UTF8.self)
        buffer.removeFirst(headerEnd + 4)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count == 3, requestLine[2].hasPrefix("HTTP/1.") else {
            throw ReadError.malformed("the request line must be METHOD TARGET HTTP/1.x")
        }
        var headers: [String: String] = [:]
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw ReadError.malformed("a header line without ':'") }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingSpaces
            headers[name] = headers[name].map { "\($0),\(value)" } ?? value
        }
        if headers["transfer-encoding"] != nil { throw ReadError.tooLarge(status: 411) }
        var body: [UInt8] = []
        if let lengthText = headers["content-length"] {
            guard let length = Int(lengthText), length >= 0 else { throw ReadError.malformed("a bad Content-Length") }
            guard length <= limits.maxBodyBytes else { throw ReadError.tooLarge(status: 413) }
            while buffer.count < length {
                try fill(deadline: requestDeadline ?? RFC3339.now() + limits.requestSeconds, stopping: stopping, midRequest: true)
            }
            body = Array(buffer[0..<length])
            buffer.removeFirst(length)
        }
        let target = requestLine[1]
        let pathPart = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        return HTTPRequest(method: String(requestLine[0]),
                           path: URLDecoding.decode(pathPart[0], plusIsSpace: false),
                           query: pathPart.count > 1 ? URLDecoding.query(pathPart[1]) : [:],
                           headers: headers, body: body)
    }

    /// Where the search for the blank line resumes: a client that sends a byte at a time
    /// must not make every read rescan the whole buffer.
    private var scanned = 0

    private func findHeaderEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for i in max(0, scanned - 3)...(buffer.count - 4)
        where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
            scanned = 0
            return i
        }
        scanned = buffer.count
        return nil
    }

    private func fill(deadline: Double, stopping: () -> Bool, midRequest: Bool) throws {
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            if stopping() { throw ReadError.closed }
            if RFC3339.now() > deadline { throw midRequest ? ReadError.timeout : ReadError.closed }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, 16384, 0) }
            if n > 0 { buffer.append(contentsOf: chunk[0..<n]); return }
            if n == 0 { throw ReadError.closed }
            if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { continue }
            throw ReadError.closed
        }
    }
}
