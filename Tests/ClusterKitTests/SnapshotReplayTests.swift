import Foundation
import XCTest
import RunbookKit
@testable import ClusterKit

/// A snapshot taken through the real kubectl from our own server, then replayed: kubectl
/// prints the same thing either way.
final class SnapshotReplayTests: SnapshotTestCase {
    func testKubectlPrintsTheSameLiveAndReplayed() throws {
        let live = try ServedForSnapshot(path: SnapshotTestSupport.basicFixture)
        defer { live.stop() }
        let archive = directory + "/basic.tar.gz"
        let summary = try live.snapshot(to: archive)
        XCTAssertEqual(summary.failures, [])
        XCTAssertTrue(summary.kinds.contains("pods.core"))
        let replay = try ServedForSnapshot(path: archive)
        defer { replay.stop() }
        XCTAssertEqual(replay.store.manifest.source, .snapshot)
        XCTAssertFalse(replay.store.manifest.shiftTimes)

        let commands: [[String]] = [
            ["get", "pods", "-A"],
            ["get", "pods", "-A", "-o", "wide"],
            ["get", "pods", "-n", "shop", "-o", "json"],
            ["get", "pods", "-A", "-o", "jsonpath={range .items[*]}{.metadata.name} {.status.phase}{\"\\n\"}{end}"],
            ["get", "pods", "-n", "shop", "-l", "app=api"],
            ["get", "pods", "-A", "--field-selector", "status.phase=Pending"],
            ["describe", "pod", "-n", "shop", "api-5f6d7c8b9-xk2lp"],
            ["describe", "node", "node-1"],
            ["logs", "-n", "shop", "api-5f6d7c8b9-xk2lp"],
            ["logs", "-n", "shop", "api-5f6d7c8b9-xk2lp", "--previous"],
            ["get", "events", "-A"],
            ["get", "nodes"],
            ["get", "deployments", "-A"],
        ]
        for command in commands {
            let a = try live.kubectl(command)
            let b = try replay.kubectl(command)
            let name = "kubectl " + command.joined(separator: " ")
            XCTAssertEqual(a.status, 0, "\(name) live: \(a.stderr)")
            XCTAssertFalse(a.stdout.isEmpty, "\(name) printed nothing live")
            XCTAssertEqual(b.status, a.status, "\(name) replayed: \(b.stderr)")
            XCTAssertEqual(SnapshotTestSupport.withoutAges(b.stdout), SnapshotTestSupport.withoutAges(a.stdout), name)
        }
    }

    func testSecretValuesNeverReachTheArchiveAndCredentialsAreMasked() throws {
        let fixture = directory + "/fixture"
        try FileManager.default.copyItem(atPath: SnapshotTestSupport.basicFixture, toPath: fixture)
        let secretValue = "hunter2-very-secret-value"
        let encoded = Data(secretValue.utf8).base64EncodedString()
        let token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2EifQ.c2lnbmF0dXJlLXBhcnQ"
        let applied = #"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"shop"},"stringData":{"password":"\#(secretValue)"}}"#
        let secrets: [String: Any] = [
            "apiVersion": "v1", "kind": "List",
            "items": [[
                "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                "metadata": ["name": "db", "namespace": "shop", "creationTimestamp": "2026-01-15T09:00:00Z",
                             "annotations": ["kubectl.kubernetes.io/last-applied-configuration": applied]],
                "data": ["password": encoded, "username": Data("shop".utf8).base64EncodedString()],
            ]],
        ]
        try JSONSerialization.data(withJSONObject: secrets).write(to: URL(fileURLWithPath: fixture + "/objects/secrets.json"))
        let configMap: [String: Any] = [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": ["name": "api-config", "namespace": "shop", "creationTimestamp": "2026-01-15T09:00:00Z"],
            "data": ["DATABASE_URL": "postgres://shop:\(secretValue)@db:5432/shop", "LOG_LEVEL": "debug"],
        ]
        try JSONSerialization.data(withJSONObject: configMap).write(to: URL(fileURLWithPath: fixture + "/objects/api-config.json"))
        let log = fixture + "/logs/shop/api-5f6d7c8b9-xk2lp/api.previous.log"
        try (try String(contentsOfFile: log, encoding: .utf8) + "calling auth with Authorization: Bearer sk-live-0123456789abcdef\nid token \(token)\ndb url postgres://shop:\(secretValue)@db:5432/shop\n")
            .write(toFile: log, atomically: true, encoding: .utf8)
        // A credential-named environment variable of the crash-looping pod: masked in the
        // object, and its value masked in the pod's logs too.
        let podsPath = fixture + "/objects/pods.json"
        var pods = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: podsPath))) as? [String: Any])
        var items = try XCTUnwrap(pods["items"] as? [[String: Any]])
        let index = try XCTUnwrap(items.firstIndex { ($0["metadata"] as? [String: Any])?["name"] as? String == "api-5f6d7c8b9-xk2lp" })
        var spec = try XCTUnwrap(items[index]["spec"] as? [String: Any])
        var containers = try XCTUnwrap(spec["containers"] as? [[String: Any]])
        containers[0]["env"] = [["name": "DB_PASSWORD", "value": "plain-env-password-42"], ["name": "LOG_LEVEL", "value": "debug"]]
        spec["containers"] = containers
        items[index]["spec"] = spec
        pods["items"] = items
        try JSONSerialization.data(withJSONObject: pods).write(to: URL(fileURLWithPath: podsPath))
        let current = fixture + "/logs/shop/api-5f6d7c8b9-xk2lp/api.log"
        try (try String(contentsOfFile: current, encoding: .utf8) + "using password plain-env-password-42 from the environment\n")
            .write(toFile: current, atomically: true, encoding: .utf8)

        let live = try ServedForSnapshot(path: fixture)
        defer { live.stop() }
        let archive = directory + "/secrets.tar.gz"
        let summary = try live.snapshot(to: archive)
        XCTAssertEqual(summary.failures, [])

        let unpacked = try UnpackedArchive(path: archive, temporaryRoot: directory)
        defer { unpacked.remove() }
        let files = SnapshotTestSupport.files(under: unpacked.directory)
        XCTAssertNotNil(files["objects/secrets.core.json"])
        for (name, text) in files {
            for leaked in [secretValue, encoded, token, "plain-env-password-42"] {
                XCTAssertFalse(text.contains(leaked), "\(name) holds a credential (\(leaked.prefix(8))…)")
            }
        }
        // The keys stay: they tell what a Secret holds.
        let stored = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(files["objects/secrets.core.json"]!.utf8)) as? [String: Any])
        let secret = try XCTUnwrap((stored["items"] as? [[String: Any]])?.first)
        XCTAssertEqual((secret["data"] as? [String: String])?.keys.sorted(), ["password", "username"])
        XCTAssertTrue(files["logs/shop/api-5f6d7c8b9-xk2lp/api.previous.log"]!.contains("Authorization: Bearer \(SecretRedactor.mask)"))
        XCTAssertFalse(files["logs/shop/api-5f6d7c8b9-xk2lp/api.previous.log"]!.contains("sk-live-0123456789abcdef"))
        XCTAssertTrue(files["logs/shop/api-5f6d7c8b9-xk2lp/api.log"]!.contains("using password \(SecretRedactor.mask) from"))
        XCTAssertTrue(files["objects/pods.core.json"]!.contains("\"debug\""), "a harmless env value is kept")
        XCTAssertTrue(files["objects/configmaps.core.json"]!.contains("postgres://shop:\(SecretRedactor.mask)@db:5432/shop"))

        // Every redaction is listed: where and which pattern, never the value.
        let manifest = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(files["cluster.json"]!.utf8)) as? [String: Any])
        let redactions = try XCTUnwrap((manifest["snapshot"] as? [String: Any])?["redactions"] as? [[String: String]])
        let patterns = Set(redactions.compactMap { $0["pattern"] })
        XCTAssertTrue(patterns.isSuperset(of: ["secret-value", "bearer-token", "jwt", "url-credentials", "credential-named-env"]), "\(patterns)")
        XCTAssertTrue(redactions.contains { $0["where"] == "logs/shop/api-5f6d7c8b9-xk2lp/api.previous.log line 5" && $0["pattern"] == "bearer-token" },
                      "\(redactions)")
        XCTAssertEqual(manifest["source"] as? String, "snapshot")
        XCTAssertEqual(manifest["shiftTimes"] as? Bool, false)
    }

    func testNamespacesSelectorAndMaxSizeShapeWhatIsCollected() throws {
        let fixture = directory + "/fixture"
        try FileManager.default.copyItem(atPath: SnapshotTestSupport.basicFixture, toPath: fixture)
        // A current log of 2 MiB: past --max-size 1 it is left out, and the snapshot says so.
        let line = String(repeating: "x", count: 1023) + "\n"
        try String(repeating: line, count: 2048).write(toFile: fixture + "/logs/shop/api-5f6d7c8b9-xk2lp/api.log",
                                                       atomically: true, encoding: .utf8)
        let live = try ServedForSnapshot(path: fixture)
        defer { live.stop() }
        let archive = directory + "/some.tar.gz"
        let summary = try live.snapshot(to: archive, options: SnapshotOptions(namespaces: ["shop", "default"],
                                                                              selector: "app in (api,web)", logTail: 5000,
                                                                              maxSizeMiB: 1))
        XCTAssertEqual(summary.failures, [])
        XCTAssertGreaterThanOrEqual(summary.logsSkippedForSize, 1)
        let unpacked = try UnpackedArchive(path: archive, temporaryRoot: directory)
        defer { unpacked.remove() }
        let files = SnapshotTestSupport.files(under: unpacked.directory)
        XCTAssertNil(files["logs/shop/api-5f6d7c8b9-xk2lp/api.log"])
        let pods = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(files["objects/pods.core.json"]!.utf8)) as? [String: Any])
        let names = ((pods["items"] as? [[String: Any]]) ?? []).compactMap { ($0["metadata"] as? [String: Any])?["name"] as? String }
        XCTAssertEqual(names.sorted(), ["api-5f6d7c8b9-xk2lp", "web-7d4b9c6f5-abcde", "web-7d4b9c6f5-fghij"])
        // Namespaced kinds from both namespaces, merged into one list and one Table.
        let services = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(files["tables/services.core.json"]!.utf8)) as? [String: Any])
        let namespaces = Set(((services["rows"] as? [[String: Any]]) ?? []).compactMap {
            (($0["object"] as? [String: Any])?["metadata"] as? [String: Any])?["namespace"] as? String
        })
        XCTAssertEqual(namespaces, ["shop", "default"])
        // Cluster-scoped kinds are collected whatever the namespaces.
        XCTAssertNotNil(files["objects/nodes.core.json"])
        let manifest = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(files["cluster.json"]!.utf8)) as? [String: Any])
        let logs = try XCTUnwrap((manifest["snapshot"] as? [String: Any])?["logs"] as? [String: Any])
        XCTAssertTrue((logs["note"] as? String)?.contains("--max-size 1 MiB reached") == true, "\(logs)")
    }

    func testASnapshotFromAServerThatFailsEveryOtherRequestListsTheFailures() throws {
        let failing = FailEveryOther()
        let live = try ServedForSnapshot(path: SnapshotTestSupport.basicFixture, handlers: [failing])
        defer { live.stop() }
        let archive = directory + "/partial.tar.gz"
        let summary = try live.snapshot(to: archive, options: SnapshotOptions(parallel: 1))
        XCTAssertFalse(summary.failures.isEmpty)
        XCTAssertTrue(summary.failures.allSatisfy { $0.error.hasPrefix("HTTP 500") }, "\(summary.failures)")
        XCTAssertFalse(summary.kinds.isEmpty, "what did answer is kept")

        let unpacked = try UnpackedArchive(path: archive, temporaryRoot: directory)
        defer { unpacked.remove() }
        let manifest = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: unpacked.directory + "/cluster.json"))) as? [String: Any])
        let listed = try XCTUnwrap((manifest["snapshot"] as? [String: Any])?["failures"] as? [[String: String]])
        XCTAssertEqual(listed.count, summary.failures.count)
        XCTAssertTrue(listed.allSatisfy { $0["path"]?.hasPrefix("/") == true && $0["error"] != nil })
        // The partial snapshot still opens and serves.
        let replay = try ServedForSnapshot(path: archive)
        replay.stop()
    }

    func testARequestThatTakesTooLongIsListedAndTheRestCollected() throws {
        let live = try ServedForSnapshot(path: SnapshotTestSupport.basicFixture, handlers: [SlowNodes()])
        defer { live.stop() }
        let archive = directory + "/slow.tar.gz"
        let summary = try live.snapshot(to: archive, options: SnapshotOptions(requestTimeout: 1))
        XCTAssertEqual(summary.failures.map(\.path), ["/api/v1/nodes"])
        XCTAssertEqual(summary.failures.first?.error, "no complete answer within 1s (--request-timeout)")
        XCTAssertTrue(summary.kinds.contains("pods.core"))
    }

    func testAKindTheServerDoesNotServeIsNotedNotFailed() throws {
        let live = try ServedForSnapshot(path: SnapshotTestSupport.basicFixture, handlers: [NoVolumeAttachments()])
        defer { live.stop() }
        let summary = try live.snapshot(to: directory + "/older.tar.gz")
        XCTAssertEqual(summary.failures, [])
        XCTAssertEqual(summary.notServed, ["volumeattachments.storage.k8s.io"])
        XCTAssertFalse(summary.kinds.contains("volumeattachments.storage.k8s.io"))
    }

    func testAHostileArchiveIsRefusedWhenOpened() throws {
        let path = directory + "/hostile.tar.gz"
        let gzip = try GzipFileWriter(path: path)
        var block = try TarHeader.make(name: "objects/x.json", size: 0, modificationTime: 0, archive: path)
        // Rewrite the name to climb out, with a correct checksum, as a crafted archive would.
        let name = Array("../../x.json".utf8)
        for i in 0 ..< 100 { block[i] = i < name.count ? name[i] : 0 }
        for i in 148 ..< 156 { block[i] = 32 }
        let sum = TarHeader.octal(block.reduce(0) { $0 + Int($1) }, width: 7) + [0]
        for (i, b) in sum.enumerated() { block[148 + i] = b }
        try gzip.write(block)
        try gzip.write([UInt8](repeating: 0, count: 1024))
        try gzip.finish()
        XCTAssertThrowsError(try ClusterSource.open(path: path)) { error in
            XCTAssertTrue("\(error)".contains("refused entry '../../x.json'"), "\(error)")
        }
    }
}

/// Answers every other request with a 500, as an overloaded API server might.
final class FailEveryOther: ClusterRequestHandler, @unchecked Sendable {
    private let mutex = Mutex()
    private var count = 0

    func handle(_ request: HTTPRequest, connection: HTTPConnection) -> HandlerResult? {
        let fail = mutex.withLock { () -> Bool in
            count += 1
            return count % 2 == 0
        }
        guard fail else { return nil }
        let body = #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"etcdserver: request timed out","code":500}"#
        return .response(HTTPResponse(status: 500, headers: [("Content-Type", "application/json")], body: Array(body.utf8)))
    }
}

/// Answers the node list only after 3 seconds, as an API server under load might.
final class SlowNodes: ClusterRequestHandler, @unchecked Sendable {
    func handle(_ request: HTTPRequest, connection: HTTPConnection) -> HandlerResult? {
        if request.path == "/api/v1/nodes" && request.header("accept")?.contains("as=Table") != true { sleep(3) }
        return nil
    }
}

/// A cluster without the storage.k8s.io volume attachments API: 404, as for an API not installed.
final class NoVolumeAttachments: ClusterRequestHandler, @unchecked Sendable {
    func handle(_ request: HTTPRequest, connection: HTTPConnection) -> HandlerResult? {
        guard request.path.hasPrefix("/apis/storage.k8s.io/v1/volumeattachments") else { return nil }
        let body = #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","code":404}"#
        return .response(HTTPResponse(status: 404, headers: [("Content-Type", "application/json")], body: Array(body.utf8)))
    }
}
