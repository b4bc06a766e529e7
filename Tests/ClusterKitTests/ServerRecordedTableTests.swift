import Foundation
import XCTest
@testable import ClusterKit

/// A snapshot's recorded Tables (`tables/`) are served as recorded, filtered like the list.
final class ServerRecordedTableTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "recorded-\(UUID().uuidString)"
        for sub in ["objects", "tables"] {
            try FileManager.default.createDirectory(atPath: "\(directory)/\(sub)", withIntermediateDirectories: true)
        }
        try write("cluster.json", #"{"format": 1, "source": "snapshot", "name": "rec", "recordedAt": "2026-01-15T10:00:00Z"}"#)
        try write("objects/pods.json", #"""
            {"apiVersion": "v1", "kind": "PodList", "items": [
              {"metadata": {"name": "a", "namespace": "ns", "uid": "uid-a", "labels": {"app": "x"}}, "status": {"phase": "Running"}},
              {"metadata": {"name": "b", "namespace": "ns", "uid": "uid-b", "labels": {"app": "y"}}, "status": {"phase": "Running"}}
            ]}
            """#)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    func write(_ path: String, _ text: String) throws {
        try text.write(toFile: "\(directory)/\(path)", atomically: true, encoding: .utf8)
    }

    func recordTable(uids: [String]) throws {
        let rows = uids.map { uid in
            #"{"cells": ["\#(uid == "uid-a" ? "a" : "b")", "recorded-\#(uid)", "7d"], "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": {"name": "\#(uid == "uid-a" ? "a" : "b")", "namespace": "ns", "uid": "\#(uid)"}}}"#
        }
        try write("tables/pods.core.json", #"""
            {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": "9"},
             "columnDefinitions": [
               {"name": "Name", "type": "string", "format": "name", "description": "", "priority": 0},
               {"name": "Status", "type": "string", "format": "", "description": "", "priority": 0},
               {"name": "Age", "type": "string", "format": "", "description": "", "priority": 0}],
             "rows": [\#(rows.joined(separator: ","))]}
            """#)
    }

    func testTheRecordedCellsAreServedAndFiltered() throws {
        try recordTable(uids: ["uid-a", "uid-b"])
        let cluster = try ServedCluster(directory: directory)
        XCTAssertEqual(try cluster.output("get", "pods", "-A"), """
            NAMESPACE   NAME   STATUS           AGE
            ns          a      recorded-uid-a   7d
            ns          b      recorded-uid-b   7d

            """)
        XCTAssertEqual(try cluster.output("get", "pods", "-n", "ns", "-l", "app=y"), """
            NAME   STATUS           AGE
            b      recorded-uid-b   7d

            """)
    }

    func testATableWithoutARowForEveryObjectIsComputed() throws {
        try recordTable(uids: ["uid-a"])
        let cluster = try ServedCluster(directory: directory)
        XCTAssertEqual(try cluster.output("get", "pods", "-n", "ns", "-o", "custom-columns=NAME:.metadata.name"), "NAME\na\nb\n")
        let table = try cluster.output("get", "pods", "-n", "ns")
        XCTAssertTrue(table.hasPrefix("NAME   READY   STATUS    RESTARTS   AGE\n"), table)
    }
}
