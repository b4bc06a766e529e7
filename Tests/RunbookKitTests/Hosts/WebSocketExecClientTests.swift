// The client side of the exec WebSocket: the upgrade request, the check of the 101, masked
// client frames, the error channel's Status, and the exec path's query.

import XCTest
import Foundation
@testable import RunbookKit

final class WebSocketExecClientTests: XCTestCase {
    func testUpgradeRequestOffersV5ThenV4() {
        let text = String(decoding: WebSocketHandshake.request(path: "/api/v1/x/exec?a=b", key: "KEY=="), as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("GET /api/v1/x/exec?a=b HTTP/1.1\r\n"), text)
        XCTAssertTrue(text.contains("\r\nUpgrade: websocket\r\n"), text)
        XCTAssertTrue(text.contains("\r\nConnection: Upgrade\r\n"), text)
        XCTAssertTrue(text.contains("\r\nSec-WebSocket-Version: 13\r\n"), text)
        XCTAssertTrue(text.contains("\r\nSec-WebSocket-Key: KEY==\r\n"), text)
        XCTAssertTrue(text.contains("\r\nSec-WebSocket-Protocol: v5.channel.k8s.io, v4.channel.k8s.io\r\n"), text)
        XCTAssertTrue(text.hasSuffix("\r\n\r\n"))
        XCTAssertEqual(Data(base64Encoded: WebSocketHandshake.newKey())?.count, 16)
    }

    func testSwitchingProtocolsIsCheckedAgainstTheKey() throws {
        // RFC 6455 section 1.3's example key and accept value.
        let key = "dGhlIHNhbXBsZSBub25jZQ=="
        let good = Array("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: v4.channel.k8s.io".utf8)
        let head = try XCTUnwrap(HTTPResponseHead.parse(good))
        XCTAssertEqual(head.acceptedProtocol(key: key), "v4.channel.k8s.io")
        XCTAssertNil(head.acceptedProtocol(key: "b3RoZXIga2V5IDEyMzQ1Ng=="), "an answer to another key")
        var other = head
        other.headers["sec-websocket-protocol"] = "v9.channel.k8s.io"
        XCTAssertNil(other.acceptedProtocol(key: key), "a protocol we did not offer")
        let refused = try XCTUnwrap(HTTPResponseHead.parse(Array("HTTP/1.1 403 Forbidden\r\nContent-Length: 9".utf8)))
        XCTAssertEqual(refused.status, 403)
        XCTAssertNil(refused.acceptedProtocol(key: key))
        XCTAssertNil(HTTPResponseHead.parse(Array("SSH-2.0-OpenSSH".utf8)))
    }

    func testClientFramesAreMaskedAndDecodeToTheirPayload() throws {
        let payload = ExecMessage.data(.stdin, Array("x='1'\n#rb-end\n".utf8)).encoded
        let wire = WebSocketExec.clientFrame(.binary, payload)
        XCTAssertEqual(wire[0], 0x82, "FIN + binary")
        XCTAssertEqual(wire[1] & 0x80, 0x80, "a client's frame carries the mask bit")
        XCTAssertEqual(Int(wire[1] & 0x7F), payload.count)
        XCTAssertNotEqual(Array(wire[6...]), payload, "the payload travels masked")
        var server = WebSocketDecoder(requireMask: true)
        server.append(wire)
        let frame = try XCTUnwrap(server.nextMessage())
        XCTAssertEqual(frame.payload, payload)
        XCTAssertEqual(ExecMessage.decode(frame.payload), .data(.stdin, Array("x='1'\n#rb-end\n".utf8)))
    }

    func testStatusGivesTheExitCode() {
        XCTAssertEqual(ExecStatus.parse(ExecMessage.status(exitCode: 0, command: ["sh"])), .exited(0))
        XCTAssertEqual(ExecStatus.parse(ExecMessage.status(exitCode: 3, command: ["sh"])), .exited(3))
        XCTAssertEqual(ExecStatus.parse(ExecMessage.status(exitCode: 137, command: ["sh"])), .exited(137))
        let notFound = #"{"metadata":{},"status":"Failure","message":"container not found (\"debug\")","reason":"InternalError"}"#
        XCTAssertEqual(ExecStatus.parse(Array(notFound.utf8)), .failed("container not found (\"debug\")"))
        guard case .failed = ExecStatus.parse(Array("not json".utf8)) else { return XCTFail("garbage read as an exit") }
    }

    func testAPIRefusalIsWordedAsKubectlDoes() {
        let body = #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"pods \"p\" is forbidden: User \"u\" cannot create resource \"pods/exec\" in API group \"\" in the namespace \"default\"","reason":"Forbidden","code":403}"#
        let line = WebSocketExec.apiRefusal(status: 403, body: Array(body.utf8))
        XCTAssertEqual(line, #"Error from server (Forbidden): pods "p" is forbidden: User "u" cannot create resource "pods/exec" in API group "" in the namespace "default""#)
        XCTAssertNotNil(KubernetesFailure.explain(line ?? "", namespace: "default"))
        XCTAssertNil(WebSocketExec.apiRefusal(status: 403, body: Array("Forbidden\n".utf8)), "kubectl proxy's own refusal is no Status")
    }

    func testCommandWordsAreDataInTheQuery() {
        let path = WebSocketExec.path(namespace: "ns", pod: "p", container: "debug",
                                      command: ["sh", "-c", "echo a&b=c; x='$(id)' #%"])
        XCTAssertEqual(path, "/api/v1/namespaces/ns/pods/p/exec?container=debug&command=sh&command=-c&command="
                       + "echo%20a%26b%3Dc%3B%20x%3D%27%24%28id%29%27%20%23%25&stdin=true&stdout=true&stderr=true")
    }
}
