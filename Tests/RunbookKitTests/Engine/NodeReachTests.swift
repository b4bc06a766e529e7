import Foundation
import XCTest
@testable import RunbookKit

/// The node options kept in a run's targets: written and read back, and absent from older
/// journals, which still read.
final class NodeReachTests: XCTestCase {
    func testTargetsKeepTheNodeOptionsAndOlderRecordsStillRead() throws {
        var targets = RunTargets(hosts: ["node/n1"], parallel: 4)
        targets.nodes = NodeReach(transport: .auto, debugImage: "registry.local/busybox:1", debugNamespace: "tools", nodeTimeout: 90)
        let data = try JSONEncoder().encode(targets)
        XCTAssertEqual(try JSONDecoder().decode(RunTargets.self, from: data), targets)
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertTrue(text.contains(#""transport":"auto""#), text)

        let older = #"{"hosts":["node/n1"],"sshOptions":[],"parallel":16}"#
        let read = try JSONDecoder().decode(RunTargets.self, from: Data(older.utf8))
        XCTAssertNil(read.nodes)
        XCTAssertEqual(read.hosts, ["node/n1"])
        XCTAssertTrue(NodeReach().isDefault)
        XCTAssertFalse(targets.nodes!.isDefault)
    }

    func testAnUnknownTransportIsAnErrorNotAGuess() {
        let bad = #"{"hosts":[],"sshOptions":[],"parallel":16,"nodes":{"transport":"telnet","debugImage":"b","debugNamespace":"d"}}"#
        XCTAssertThrowsError(try JSONDecoder().decode(RunTargets.self, from: Data(bad.utf8)))
    }
}
