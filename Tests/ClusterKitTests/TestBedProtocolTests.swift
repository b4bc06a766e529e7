import RunbookKit
import XCTest
@testable import ClusterKit

final class TestBedProtocolTests: XCTestCase {
    // FIPS 180-2 appendix A and RFC 3174 known answers.
    func testSHA1KnownAnswers() {
        XCTAssertEqual(SHA1.hex(Array("abc".utf8)), "a9993e364706816aba3e25717850c26c9cd0d89d")
        XCTAssertEqual(SHA1.hex([]), "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        XCTAssertEqual(SHA1.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        XCTAssertEqual(SHA1.hex(Array(repeating: UInt8(ascii: "a"), count: 1_000_000)),
                       "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
        // 55, 56 and 64 bytes: the padding's edge cases.
        XCTAssertEqual(SHA1.hex(Array(repeating: UInt8(ascii: "a"), count: 55)), "c1c8bbdc22796e28c0e15163d20899b65621d65a")
        XCTAssertEqual(SHA1.hex(Array(repeating: UInt8(ascii: "a"), count: 56)), "c2db330f6083854c99d4b5bfb6e8f29f201be699")
        XCTAssertEqual(SHA1.hex(Array(repeating: UInt8(ascii: "a"), count: 64)), "0098ba824b5c16427bd7a1122a5a442a25ec644d")
    }

    // RFC 6455 section 1.3's example.
    func testAcceptKeyOfTheRFCExample() {
        XCTAssertEqual(WebSocketHandshake.acceptKey(for: "dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    func testProtocolChoicePrefersV5AndRefusesUnknown() {
        XCTAssertEqual(WebSocketHandshake.chooseProtocol(offered: "v4.channel.k8s.io, v5.channel.k8s.io"), "v5.channel.k8s.io")
        XCTAssertEqual(WebSocketHandshake.chooseProtocol(offered: "v4.channel.k8s.io"), "v4.channel.k8s.io")
        XCTAssertNil(WebSocketHandshake.chooseProtocol(offered: "base64.channel.k8s.io"))
        XCTAssertNil(WebSocketHandshake.chooseProtocol(offered: nil))
    }

    func testMaskedFramesOfEverySizeRoundTrip() throws {
        for size in [0, 1, 125, 126, 127, 65535, 65536, 70000] {
            let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            let wire = WebSocketFrame(opcode: .binary, payload: payload).encoded(mask: [1, 2, 3, 4])
            var decoder = WebSocketDecoder()
            // Byte by byte for the small ones: a frame split anywhere is still read whole.
            if size < 200 { for byte in wire { XCTAssertNil(try decoder.nextFrame()); decoder.append([byte]) } } else { decoder.append(wire) }
            let frame = try XCTUnwrap(decoder.nextFrame(), "size \(size)")
            XCTAssertEqual(frame.payload, payload, "size \(size)")
            XCTAssertEqual(frame.opcode, .binary)
            XCTAssertNil(try decoder.nextFrame())
        }
    }

    func testServerFramesAreUnmaskedWithTheRightLengthForm() {
        XCTAssertEqual(WebSocketFrame(opcode: .binary, payload: [9]).encoded(), [0x82, 1, 9])
        XCTAssertEqual(Array(WebSocketFrame(opcode: .text, payload: Array(repeating: 0, count: 300)).encoded().prefix(4)), [0x81, 126, 1, 44])
        XCTAssertEqual(Array(WebSocketFrame(opcode: .binary, payload: Array(repeating: 0, count: 65536)).encoded().prefix(10)),
                       [0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0])
    }

    func testFragmentsAreJoinedAndPingsBetweenThemComeFirst() throws {
        var decoder = WebSocketDecoder()
        decoder.append(WebSocketFrame(fin: false, opcode: .binary, payload: [0, 1]).encoded(mask: [9, 9, 9, 9]))
        decoder.append(WebSocketFrame(opcode: .ping, payload: [7]).encoded(mask: [1, 1, 1, 1]))
        decoder.append(WebSocketFrame(fin: false, opcode: .continuation, payload: [2]).encoded(mask: [5, 6, 7, 8]))
        decoder.append(WebSocketFrame(opcode: .continuation, payload: [3]).encoded(mask: [0, 0, 0, 1]))
        XCTAssertEqual(try decoder.nextMessage(), WebSocketFrame(opcode: .ping, payload: [7]))
        XCTAssertEqual(try decoder.nextMessage(), WebSocketFrame(opcode: .binary, payload: [0, 1, 2, 3]))
        XCTAssertNil(try decoder.nextMessage())
    }

    func testProtocolViolationsAreRefused() {
        func error(_ bytes: [UInt8], maxMessage: Int = 1 << 20) -> WebSocketProtocolError? {
            var decoder = WebSocketDecoder(maxMessage: maxMessage)
            decoder.append(bytes)
            do { _ = try decoder.nextMessage(); return nil } catch { return error as? WebSocketProtocolError }
        }
        XCTAssertEqual(error(WebSocketFrame(opcode: .binary, payload: [1]).encoded()), .unmaskedClientFrame)
        XCTAssertEqual(error([0xC2, 0x80, 0, 0, 0, 0]), .reservedBits)
        XCTAssertEqual(error([0x83, 0x80, 0, 0, 0, 0]), .unknownOpcode(3))
        XCTAssertEqual(error([0x09, 0x80, 0, 0, 0, 0]), .fragmentedControl)
        XCTAssertEqual(error([0x89, 0xFE, 0, 200, 0, 0, 0, 0]), .controlTooLong)
        XCTAssertEqual(error(WebSocketFrame(opcode: .continuation, payload: []).encoded(mask: [0, 0, 0, 0])), .unexpectedContinuation)
        XCTAssertEqual(error([0x82, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]), .tooLarge(Int.max))
        XCTAssertEqual(error(WebSocketFrame(opcode: .binary, payload: [1, 2, 3]).encoded(mask: [0, 0, 0, 0]), maxMessage: 2), .tooLarge(3))
        XCTAssertEqual(WebSocketProtocolError.tooLarge(3).closeCode, 1009)
    }

    func testExecChannelsAndTheExitStatus() throws {
        XCTAssertEqual(ExecMessage.decode([0, 65, 66]), .data(.stdin, [65, 66]))
        XCTAssertEqual(ExecMessage.decode([255, 0]), .closed(.stdin))
        XCTAssertNil(ExecMessage.decode([255]))
        XCTAssertNil(ExecMessage.decode([42, 1]))
        XCTAssertEqual(ExecMessage.data(.stderr, [1]).encoded, [2, 1])
        let failure = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(ExecMessage.status(exitCode: 3, command: ["sh"]))) as? [String: Any])
        XCTAssertEqual(failure["reason"] as? String, "NonZeroExitCode")
        let causes = (failure["details"] as? [String: Any])?["causes"] as? [[String: String]]
        XCTAssertEqual(causes?.first?["reason"], "ExitCode")
        XCTAssertEqual(causes?.first?["message"], "3")
        let success = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(ExecMessage.status(exitCode: 0, command: ["sh"]))) as? [String: Any])
        XCTAssertEqual(success["status"] as? String, "Success")
    }

    func testTestBedSpecification() throws {
        let nodes = try TestBedNode.parse("a=local, b=netns:rblab3-2,c=notready")
        XCTAssertEqual(nodes.map(\.name), ["a", "b", "c"])
        XCTAssertEqual(nodes[1].place, .networkNamespace("rblab3-2"))
        XCTAssertFalse(nodes[2].ready)
        XCTAssertEqual(try nodes[0].arguments(for: ["chroot", "/host", "setsid", "-w", "sh", "-c", "x"]), ["setsid", "-w", "sh", "-c", "x"])
        XCTAssertThrowsError(try TestBedNode.parse("a"))
        XCTAssertThrowsError(try TestBedNode.parse("A=local"))
        XCTAssertThrowsError(try TestBedNode.parse("a=local,a=local"))
        XCTAssertThrowsError(try TestBedNode.parse("a=netns:../x"))
        XCTAssertThrowsError(try TestBedNode.parse("a=elsewhere"))
        XCTAssertThrowsError(try nodes[2].arguments(for: ["true"]))
    }

    func testPodsAreCreatedInTheStoreAndDeleted() throws {
        let store = ClusterStore.empty(name: "test-bed")
        let pods = TestBed(store: store, nodes: try TestBedNode.parse("n1=local,n2=notready")).pods
        func body(_ name: String, _ node: String, _ run: String) -> [UInt8] {
            Array(#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"\#(name)","labels":{"app.kubernetes.io/managed-by":"runbook","runbook.io/run":"\#(run)"}},"spec":{"nodeName":"\#(node)","containers":[{"name":"c","image":"busybox"}]}}"#.utf8)
        }
        let policy = TestBedPolicy()
        XCTAssertEqual(pods.create(namespace: "default", body: body("p1", "n1", "r1"), policy: policy).status, 201)
        XCTAssertEqual(pods.create(namespace: "default", body: body("p1", "n1", "r1"), policy: policy).status, 409)
        XCTAssertEqual(pods.create(namespace: "default", body: body("p2", "n2", "r2"), policy: policy).status, 201)
        XCTAssertEqual(pods.create(namespace: "default", body: body("p3", "nowhere", "r2"), policy: policy).status, 422)
        XCTAssertEqual(pods.create(namespace: "other", body: body("p4", "n1", "r2"), policy: policy).status, 201)
        XCTAssertEqual(pods.create(namespace: "default", body: Array("{not json".utf8), policy: policy).status, 400)
        XCTAssertNotNil(pods.runningPod(namespace: "default", name: "p1"))
        XCTAssertNil(pods.runningPod(namespace: "default", name: "p2"), "a pod on a NotReady node never runs")
        XCTAssertEqual(store.get(ResourceCatalog.pods, namespace: "default", name: "p2")?.json.at("status.phase")?.string, "Pending")
        XCTAssertEqual(store.list(ResourceCatalog.pods, namespace: "default").map(\.name), ["p1", "p2"])
        XCTAssertEqual(store.list(ResourceCatalog.pods, namespace: nil).map(\.name), ["p1", "p2", "p4"])
        XCTAssertEqual(pods.delete(namespace: "default", name: "p1").status, 200)
        XCTAssertEqual(pods.delete(namespace: "default", name: "p1").status, 404)
        XCTAssertEqual(pods.count, 2)
        let nodes = store.list(TestBedPods.nodesResource, namespace: nil)
        XCTAssertEqual(nodes.map(\.name), ["n1", "n2"])
        XCTAssertEqual(nodes[1].json.at("status.conditions")?.array?.first?["status"]?.string, "Unknown")
    }

    func testPolicyRefusalsAreWordedAsTheAPIServerWordsThem() throws {
        let policy = try TestBedPolicy.parse(forbid: ["create:pods/exec"], podSecurity: "baseline")
        XCTAssertEqual(policy.refusal("create", "pods/exec", name: "p", namespace: "default"),
                       #"pods "p" is forbidden: User "system:serviceaccount:ops:runbook" cannot create resource "pods/exec" in API group "" in the namespace "default""#)
        XCTAssertNil(policy.refusal("create", "pods", name: nil, namespace: "default"))
        let spec = try JSONParser.parse(#"{"hostPID":true,"containers":[{"name":"c","securityContext":{"privileged":true}}],"volumes":[{"name":"root","hostPath":{"path":"/"}}]}"#)
        XCTAssertEqual(policy.admission(pod: "p", spec: spec),
                       #"pods "p" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostPID=true), privileged (container "c" must not set securityContext.privileged=true), hostPath volumes (volume "root")"#)
        XCTAssertNil(policy.admission(pod: "p", spec: try JSONParser.parse(#"{"containers":[{"name":"c"}]}"#)))
        XCTAssertThrowsError(try TestBedPolicy.parse(forbid: ["exec:pods"], podSecurity: nil))
        XCTAssertThrowsError(try TestBedPolicy.parse(forbid: [], podSecurity: "strict"))
    }

    func testRoutesNameTheRBACVerbAndResource() {
        XCTAssertEqual(TestBedRoute(path: "/api/v1/namespaces/ns/pods/p/exec")?.access("POST").resource, "pods/exec")
        XCTAssertEqual(TestBedRoute(path: "/api/v1/namespaces/ns/pods")?.access("POST").verb, "create")
        XCTAssertEqual(TestBedRoute(path: "/api/v1/namespaces/ns/pods/p")?.access("DELETE").verb, "delete")
        XCTAssertEqual(TestBedRoute(path: "/api/v1/namespaces/ns/pods/p")?.access("GET").verb, "get")
        XCTAssertEqual(TestBedRoute(path: "/api/v1/nodes")?.access("GET").verb, "list")
        XCTAssertEqual(TestBedRoute(path: "/api/v1/pods"), .allPods)
        XCTAssertNil(TestBedRoute(path: "/api/v1/namespaces/ns/configmaps"))
        XCTAssertNil(TestBedRoute(path: "/apis/apps/v1/deployments"))
    }
}
