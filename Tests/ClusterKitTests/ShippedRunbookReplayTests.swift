import Foundation
import XCTest

/// A shipped runbook run against a recorded cluster (`--snapshot`): the nodes cannot be
/// reached in a replay, so node-notready must say "unknown" with the recorded state, never
/// call the node down because ssh failed.
final class ShippedRunbookReplayTests: SnapshotTestCase {
    private var root: String { SnapshotTestSupport.repositoryRoot }

    func testNodeNotReadyInAReplayIsUnknownAndReportsTheRecordedState() throws {
        let result = try SnapshotTestSupport.run(
            [root + "/.build/debug/runbook", "run", root + "/runbooks/node-notready.runbook",
             "--snapshot", root + "/runbooks/clusters/node-notready-kubelet-stopped",
             "--journal", directory + "/run.jsonl", "--no-color", "node=worker-2"],
            environment: ["KUBECONFIG": directory + "/no-such-kubeconfig", "KUBECACHEDIR": directory + "/cache"])
        let output = result.stdout + result.stderr
        XCTAssertEqual(result.status, 4, "a node that cannot be reached in a replay means 'could not tell': \(output)")
        XCTAssertTrue(output.contains("Ready is Unknown (Kubelet stopped posting node status.)"), output)
        XCTAssertTrue(output.contains("its Lease was last renewed at"), output)
        XCTAssertTrue(output.contains("replays a recorded snapshot"), output)
        XCTAssertFalse(output.contains("does not answer ssh"), output)
        XCTAssertFalse(output.contains("pod network does not work"), output)
    }
}
