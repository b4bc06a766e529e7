import Foundation
import XCTest
@testable import ClusterKit
#if canImport(Glibc)
import Glibc
#endif

/// The HTTP layer with raw sockets: keep-alive, limits, garbage, upgrade handlers, stop.
final class ServerHTTPTests: XCTestCase {
    var server: ClusterServer!

    override func setUpWithError() throws {
        server = ClusterServer(cluster: try ClusterStore.load(directory: "\(ServedCluster.fixtures)/basic"))
        try server.start()
    }

    override func tearDown() { server?.stop() }

    /// A socket connected to 127.0.0.1:`port` (the server's by default), and connect's result.
    func dial(_ port: Int? = nil) -> (fd: Int32, result: Int32) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port ?? server.port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let r = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        return (fd, r)
    }

    func connect() throws -> Int32 {
        let (fd, r) = dial()
        XCTAssertEqual(r, 0)
        return fd
    }

    func send(_ fd: Int32, _ text: String) { _ = Array(text.utf8).withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) } }

    /// Reads until the peer closes or `until` appears.
    func read(_ fd: Int32, until marker: String? = nil) -> String {
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, 4096, 0) }
            if n <= 0 { break }
            out += buf[0..<n]
            if let marker, String(decoding: out, as: UTF8.self).contains(marker) { break }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Sends `request` on a new connection and reads until the server closes it.
    func exchange(_ request: String) throws -> String {
        let fd = try connect()
        defer { close(fd) }
        send(fd, request)
        return read(fd)
    }

    func testTwoRequestsOnOneKeepAliveConnection() throws {
        let text = try exchange("GET /version HTTP/1.1\r\nHost: x\r\n\r\nGET /api/v1/namespaces/shop/pods/nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 200 OK\r\n"), text)
        XCTAssertTrue(text.contains("\"gitVersion\":\"v1.32.4\""), text)
        XCTAssertTrue(text.contains("HTTP/1.1 404 Not Found\r\n"), text)
        XCTAssertTrue(text.contains(#""message":"pods \"nope\" not found","reason":"NotFound""#), text)
    }

    /// The body of a GET (with `Connection: close`) and its status line.
    func get(_ target: String, accept: String = "application/json") throws -> (status: String, body: String) {
        let text = try exchange("GET \(target) HTTP/1.1\r\nAccept: \(accept)\r\nConnection: close\r\n\r\n")
        let parts = text.components(separatedBy: "\r\n\r\n")
        return (parts[0].components(separatedBy: "\r\n")[0], parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    func testRoutesThatAreNotThere() throws {
        XCTAssertEqual(try get("/api/v1/pods/api-5f6d7c8b9-xk2lp").status, "HTTP/1.1 404 Not Found",
                       "a namespaced object is reached through its namespace")
        XCTAssertEqual(try get("/api/v1/namespaces/shop/nodes").status, "HTTP/1.1 404 Not Found")
        XCTAssertEqual(try get("/apis/apps/v2/deployments").status, "HTTP/1.1 404 Not Found")
        XCTAssertEqual(try get("/openapi/v3").status, "HTTP/1.1 404 Not Found")
        XCTAssertEqual(try get("/api/v1/namespaces/shop").status, "HTTP/1.1 200 OK", "a namespace is cluster-scoped")
    }

    func testHealthWithoutVerbose() throws {
        XCTAssertEqual(try get("/livez").body, "ok")
        XCTAssertTrue(try get("/livez?verbose").body.hasSuffix("livez check passed\n"))
    }

    func testIncludeObject() throws {
        let accept = "application/json;as=Table;v=v1;g=meta.k8s.io"
        let metadata = try JSONParser.parse(try get("/api/v1/namespaces/shop/pods/cache-0", accept: accept).body)
        XCTAssertEqual(metadata.at("kind"), .string("Table"))
        let rows = metadata["rows"]!.array!
        XCTAssertEqual(rows[0].at("object.kind"), .string("PartialObjectMetadata"))
        XCTAssertEqual(rows[0]["cells"]!.array![2], .string("Terminating"))
        let none = try JSONParser.parse(try get("/api/v1/namespaces/shop/pods/cache-0?includeObject=None", accept: accept).body)
        XCTAssertNil(none["rows"]!.array![0]["object"])
        let whole = try JSONParser.parse(try get("/api/v1/namespaces/shop/pods/cache-0?includeObject=Object", accept: accept).body)
        XCTAssertEqual(whole["rows"]!.array![0].at("object.spec.nodeName"), .string("node-2"))
    }

    func testGarbageGetsA400AndTheConnectionCloses() throws {
        XCTAssertTrue(try exchange("\u{1}\u{2}garbage\r\n\r\n").hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
    }

    func testOversizedHeadersAreRefused() throws {
        XCTAssertTrue(try exchange("GET /version HTTP/1.1\r\nX-Big: " + String(repeating: "a", count: 70_000)).hasPrefix("HTTP/1.1 431 "))
    }

    func testASlowClientIsCutOffAtTheRequestDeadline() throws {
        server.stop()
        var options = ClusterServer.Options()
        options.limits.requestSeconds = 1
        server = ClusterServer(cluster: server.cluster, options: options)
        try server.start()
        let fd = try connect()
        defer { close(fd) }
        send(fd, "GET /version HTTP/1.1\r\nHost: x\r\n")
        XCTAssertTrue(read(fd).hasPrefix("HTTP/1.1 408 Request Timeout\r\n"), "half a request is answered 408 and closed")
    }

    func testHeadHasTheLengthButNoBody() throws {
        let text = try exchange("HEAD /version HTTP/1.1\r\nConnection: close\r\n\r\n")
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 200 OK\r\n"), text)
        XCTAssertTrue(text.hasSuffix("\r\n\r\n"), text)
        XCTAssertTrue(text.contains("Content-Length: 2"), text)
    }

    func testAWriteWithABodyIsRefused() throws {
        let text = try exchange("POST /api/v1/namespaces/shop/pods HTTP/1.1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n"), text)
        XCTAssertTrue(text.contains("read-only: this is a recorded cluster, POST pods is not possible"), text)
        let review = try exchange("POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews HTTP/1.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        XCTAssertTrue(review.hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n"), "a write where nothing is served is still a write: \(review)")
    }

    func testStopClosesAnIdleConnectionAndTheListener() throws {
        let fd = try connect()
        defer { close(fd) }
        send(fd, "GET /version HTTP/1.1\r\n\r\n")
        _ = read(fd, until: "}")
        let port = server.port
        server.stop()
        XCTAssertEqual(read(fd), "", "the idle connection is closed")
        server = nil
        let (again, r) = dial(port)
        defer { close(again) }
        XCTAssertEqual(r, -1, "nothing listens any more")
    }

    final class Echo: ClusterRequestHandler {
        func handle(_ request: HTTPRequest, connection: HTTPConnection) -> HandlerResult? {
            guard request.path == "/echo", request.wantsUpgrade else { return nil }
            let switching = HTTPResponse(status: 101, headers: [("Upgrade", "echo"), ("Connection", "Upgrade")])
            connection.send(switching.serialized(keepAlive: true))
            while let bytes = try? connection.receive(), !bytes.isEmpty {
                connection.send(bytes)
                if bytes.contains(UInt8(ascii: "!")) { break }
            }
            return .upgraded
        }
    }

    func testAnUpgradeHandlerOwnsTheSocket() throws {
        server.addHandler(Echo())
        let text = try exchange("GET /echo HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nhello!")
        XCTAssertEqual(text, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nhello!")
    }
}
