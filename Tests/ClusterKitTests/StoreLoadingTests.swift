import Foundation
import XCTest
@testable import ClusterKit

/// Loading a cluster directory: what is filled in, and errors that name file and field.
final class StoreLoadingTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "store-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/objects", withIntermediateDirectories: true)
        try write("cluster.json", #"{"format": 1, "source": "fixture", "name": "t", "recordedAt": "2026-01-15T10:00:00Z"}"#)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    func write(_ path: String, _ text: String) throws {
        try text.write(toFile: "\(directory)/\(path)", atomically: true, encoding: .utf8)
    }

    func loadError() -> String {
        do { _ = try ClusterStore.load(directory: directory); return "loaded" } catch { return "\(error)" }
    }

    func testATypedListFillsKindNamespaceAndUID() throws {
        try write("objects/pods.json", #"{"apiVersion":"v1","kind":"PodList","items":[{"metadata":{"name":"b"}},{"metadata":{"name":"a","namespace":"x"}}]}"#)
        let store = try ClusterStore.load(directory: directory)
        let pods = store.list(ResourceCatalog.pods, namespace: nil)
        XCTAssertEqual(pods.map(\.name), ["b", "a"], "sorted by namespace, then name")
        XCTAssertEqual(pods.map(\.namespace), ["default", "x"])
        XCTAssertEqual(pods[0].json["kind"], .string("Pod"))
        XCTAssertFalse(pods[0].uid.isEmpty)
        XCTAssertEqual(try ClusterStore.load(directory: directory).list(ResourceCatalog.pods, namespace: nil)[0].uid, pods[0].uid,
                       "the filled-in uid is the same on every load")
    }

    func testAMalformedFileNamesFileLineAndColumn() throws {
        try write("objects/bad.json", "{\n  \"kind\": \"Pod\",\n  \"metadata\": {\"name\": }\n}\n")
        XCTAssertEqual(loadError(), "\(directory)/objects/bad.json:3:24: unexpected character '}'")
    }

    func testAMissingFieldNamesFileAndField() throws {
        try write("objects/pods.json", #"{"apiVersion":"v1","kind":"PodList","items":[{"metadata":{"name":"a"}},{"metadata":{}}]}"#)
        XCTAssertEqual(loadError(), "\(directory)/objects/pods.json: items[1].metadata.name: missing or empty")
    }

    func testAnUnknownKindAndAClusterScopedNamespace() throws {
        try write("objects/x.json", #"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"}}"#)
        XCTAssertEqual(loadError(), "\(directory)/objects/x.json: kind: Widget (example.com/v1) is not a kind this server serves")
        try write("objects/x.json", #"{"apiVersion":"v1","kind":"Node","metadata":{"name":"n","namespace":"default"}}"#)
        XCTAssertEqual(loadError(), "\(directory)/objects/x.json: metadata.namespace: Node is cluster-scoped and has no namespace")
    }

    func testManifestErrors() throws {
        try write("cluster.json", #"{"format": 2, "name": "t", "recordedAt": "2026-01-15T10:00:00Z"}"#)
        XCTAssertEqual(loadError(), "\(directory)/cluster.json: format: 2 is not a format this runbook reads (expected 1)")
        try write("cluster.json", #"{"format": 1, "name": "t", "recordedAt": "yesterday"}"#)
        XCTAssertEqual(loadError(), "\(directory)/cluster.json: recordedAt: \"yesterday\" is not an RFC 3339 time such as 2026-01-02T03:04:05Z")
        try FileManager.default.removeItem(atPath: "\(directory)/cluster.json")
        XCTAssertTrue(loadError().hasSuffix("not a cluster directory (no cluster.json; docs/SNAPSHOTS.md describes the layout)"), loadError())
    }

    func testHostileValuesAreErrorsOrHarmless() throws {
        try write("objects/deep.json", String(repeating: "[", count: 300) + String(repeating: "]", count: 300))
        XCTAssertEqual(loadError(), "\(directory)/objects/deep.json:1:257: nested more than 256 levels deep")
        try FileManager.default.removeItem(atPath: "\(directory)/objects/deep.json")
        try write("objects/p.json", #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"../../etc"}}"#)
        XCTAssertEqual(loadError(), "\(directory)/objects/p.json: metadata.name: \"../../etc\" is not a valid name")
        try write("objects/p.json", #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"a"},{"name":"b"}]},"status":{"containerStatuses":[{"name":"a","restartCount":9223372036854775807,"state":{}},{"name":"b","restartCount":1e400,"state":{}}]}}"#)
        let store = try ClusterStore.load(directory: directory)
        let pod = store.list(ResourceCatalog.pods, namespace: nil)[0]
        XCTAssertEqual(PodPrinter.summary(pod.json, now: RFC3339.now()).restarts, "0", "out-of-range counts are ignored, not added")
        XCTAssertNil(store.log(namespace: "default", pod: "..", container: "a", previous: false))
    }

    func testShiftTimesMovesEveryTimestamp() throws {
        try write("cluster.json", #"{"format": 1, "name": "t", "recordedAt": "2026-01-15T10:00:00Z", "shiftTimes": true}"#)
        try write("objects/p.json", #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","creationTimestamp":"2026-01-15T09:00:00Z"},"status":{"startTime":"2026-01-15T09:30:00.123456Z","message":"not a time"}}"#)
        let pod = try ClusterStore.load(directory: directory).list(ResourceCatalog.pods, namespace: nil)[0].json
        let created = RFC3339.parse(pod.at("metadata.creationTimestamp")!.string!)!
        XCTAssertEqual(RFC3339.now() - created, 3600, accuracy: 5)
        XCTAssertTrue(pod.at("status.startTime")!.string!.hasSuffix("Z"))
        XCTAssertEqual(pod.at("status.startTime")!.string!.count, "2026-01-15T09:30:00.123456Z".count)
        XCTAssertEqual(pod.at("status.message"), .string("not a time"))
    }

    func testTheMutablePathBumpsTheResourceVersion() throws {
        let store = try ClusterStore.load(directory: directory)
        let before = Int(store.resourceVersion)!
        let pod = StoredObject(resource: ResourceCatalog.pods, namespace: "default", name: "n", uid: "u",
                               json: try JSONParser.parse(#"{"kind":"Pod","apiVersion":"v1","metadata":{"name":"n"}}"#))
        let stored = store.insert(pod)
        XCTAssertEqual(stored.json.at("metadata.resourceVersion"), .string(String(before + 1)))
        XCTAssertNotNil(store.get(ResourceCatalog.pods, namespace: "default", name: "n"))
        XCTAssertTrue(store.delete(ResourceCatalog.pods, namespace: "default", name: "n"))
        XCTAssertNil(store.get(ResourceCatalog.pods, namespace: "default", name: "n"))
        XCTAssertEqual(Int(store.resourceVersion)!, before + 2)
    }
}
