import Foundation
import XCTest
@testable import ClusterKit

/// The node test bed served by the one API server, through the real kubectl: its nodes and
/// pods come back from the store like any recorded object, exec runs the command sent as
/// repeated parameters, and without the test bed every write is still refused.
final class TestBedServerTests: XCTestCase {
    static let pod = #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"dbg","labels":{"app.kubernetes.io/managed-by":"runbook"}},"spec":{"nodeName":"n1","containers":[{"name":"c","image":"busybox"}]}}"#

    func served(_ store: ClusterStore, _ spec: String = "n1=local,sick=notready") throws -> ServedCluster {
        try ServedCluster(store: store, handlers: [TestBed(store: store, nodes: try TestBedNode.parse(spec))])
    }

    func testNodesPodsAndExecComeFromTheOneServer() throws {
        let cluster = try served(ClusterStore.empty(name: "test-bed"))
        let nodes = try cluster.output("get", "nodes", "--no-headers")
        XCTAssertTrue(nodes.contains("n1 ") && nodes.contains(" Ready "), nodes)
        XCTAssertTrue(nodes.contains("sick ") && nodes.contains(" NotReady "), nodes)
        XCTAssertEqual(try cluster.output("get", "nodes", "-l", "kubernetes.io/hostname=sick", "-o", "name"), "node/sick\n")

        let created = try cluster.run(["create", "--validate=false", "-f", "-"], stdin: Self.pod)
        XCTAssertEqual(created.status, 0, created.stderr)
        XCTAssertEqual(created.stdout, "pod/dbg created\n")
        let pods = try cluster.output("get", "pods", "-A", "-l", "app.kubernetes.io/managed-by=runbook")
        XCTAssertTrue(pods.contains("default") && pods.contains("dbg") && pods.contains("Running"), pods)
        XCTAssertEqual(try cluster.output("get", "pod", "dbg", "-o", "jsonpath={.spec.nodeName}"), "n1")

        // Each word is one `command` parameter; spaces, quotes and '&' arrive as sent.
        let exec = try cluster.run(["exec", "dbg", "--", "sh", "-c", #"printf '%s|' "$@"; exit 3"#, "sh", "a b", "x&y=z", "'q'"])
        XCTAssertEqual(exec.stdout, "a b|x&y=z|'q'|")
        XCTAssertEqual(exec.status, 3, exec.stderr)

        let again = try cluster.run(["create", "--validate=false", "-f", "-"], stdin: Self.pod)
        XCTAssertTrue(again.stderr.contains(#"Error from server (AlreadyExists): error when creating "STDIN": pods "dbg" already exists"#), again.stderr)
        XCTAssertEqual(try cluster.output("delete", "pod", "dbg", "--wait=false"), "pod \"dbg\" deleted\n")
        XCTAssertEqual(try cluster.output("get", "pods", "-A", "-o", "name"), "")
        let gone = try cluster.run(["exec", "dbg", "--", "true"])
        XCTAssertTrue(gone.stderr.contains(#"pods "dbg" not found"#), gone.stderr)
    }

    func testDiscoveryListsTheWritesOnlyWithTheTestBed() throws {
        let store = try ClusterStore.load(directory: "\(ServedCluster.fixtures)/basic")
        let plain = try ServedCluster(store: store)
        let readOnly = try plain.output("api-resources", "--api-group=", "-o", "wide", "--no-headers")
        let podsLine = readOnly.split(separator: "\n").first { $0.hasPrefix("pods ") }.map(String.init) ?? ""
        XCTAssertTrue(podsLine.contains(" get,list "), podsLine)
        let refused = try plain.run(["create", "--validate=false", "-f", "-"], stdin: Self.pod)
        XCTAssertTrue(refused.stderr.contains("read-only: this is a recorded cluster, POST"), refused.stderr)

        let bedStore = try ClusterStore.load(directory: "\(ServedCluster.fixtures)/basic")
        let bed = try served(bedStore, "node-1=local,n1=local")
        let wide = try bed.output("api-resources", "--api-group=", "-o", "wide", "--no-headers")
        let line = wide.split(separator: "\n").first { $0.hasPrefix("pods ") }.map(String.init) ?? ""
        XCTAssertTrue(line.contains(" get,list,create,delete "), line)
        let document = try bed.output("get", "--raw", "/api/v1")
        XCTAssertTrue(document.contains(#""name":"pods/exec""#), document)
        XCTAssertFalse(try plain.output("get", "--raw", "/api/v1").contains("pods/exec"))
        // The recorded node is kept as recorded; the one the directory lacks is made.
        let recorded = try XCTUnwrap(store.get(TestBedPods.nodesResource, namespace: nil, name: "node-1"))
        let kept = try XCTUnwrap(bedStore.get(TestBedPods.nodesResource, namespace: nil, name: "node-1"))
        XCTAssertEqual(kept.uid, recorded.uid)
        XCTAssertEqual(kept.json.at("metadata.labels"), recorded.json.at("metadata.labels"))
        XCTAssertTrue(try bed.output("get", "nodes", "-o", "name").contains("node/n1\n"))
        // Other writes stay refused as before, with the test bed on.
        let patch = try bed.run(["label", "node", "node-1", "a=b"])
        XCTAssertTrue(patch.stderr.contains("read-only: this is a recorded cluster, PATCH"), patch.stderr)
    }

    func testPolicyRefusesAsRBACWould() throws {
        let store = ClusterStore.empty(name: "test-bed")
        let cluster = try ServedCluster(store: store, handlers: [
            TestBed(store: store, nodes: try TestBedNode.parse("n1=local"),
                    policy: try TestBedPolicy.parse(forbid: ["list:nodes", "create:pods/exec"], podSecurity: nil)),
        ])
        let nodes = try cluster.run(["get", "nodes"])
        XCTAssertTrue(nodes.stderr.contains(#"Error from server (Forbidden): nodes is forbidden: User "system:serviceaccount:ops:runbook" cannot list resource "nodes" in API group "" at the cluster scope"#), nodes.stderr)
        XCTAssertEqual(try cluster.run(["create", "--validate=false", "-f", "-"], stdin: Self.pod).status, 0)
        let exec = try cluster.run(["exec", "dbg", "--", "true"])
        XCTAssertNotEqual(exec.status, 0)
        XCTAssertTrue(exec.stderr.contains(#"cannot create resource "pods/exec""#), exec.stderr)
    }
}
