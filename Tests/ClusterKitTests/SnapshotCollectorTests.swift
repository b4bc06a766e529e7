import XCTest
@testable import ClusterKit

final class SnapshotCollectorTests: XCTestCase {
    func testContextNamesBecomeClusterNames() {
        XCTAssertEqual(SnapshotCollector.clusterName("arn:aws:eks:eu-west-1:123456789012:cluster/prod"),
                       "arn-aws-eks-eu-west-1-123456789012-cluster-prod")
        XCTAssertEqual(SnapshotCollector.clusterName("kubernetes-admin@kind"), "kubernetes-admin-kind")
        XCTAssertEqual(SnapshotCollector.clusterName("prod_1.eu"), "prod_1.eu")
    }

    func testWhichPodsAreHealthy() {
        let ready: [String: Any] = ["name": "a", "ready": true, "restartCount": 0, "state": ["running": [:] as [String: Any]]]
        XCTAssertTrue(LogPlan.isHealthy(phase: "Running", statuses: [ready]))
        XCTAssertFalse(LogPlan.isHealthy(phase: "Pending", statuses: [ready]))
        var restarted = ready
        restarted["restartCount"] = 1
        XCTAssertFalse(LogPlan.isHealthy(phase: "Running", statuses: [restarted]))
        var notReady = ready
        notReady["ready"] = false
        XCTAssertFalse(LogPlan.isHealthy(phase: "Running", statuses: [notReady]))
        let initDone: [String: Any] = ["name": "init", "ready": false, "restartCount": 0,
                                       "state": ["terminated": ["reason": "Completed", "exitCode": 0] as [String: Any]]]
        XCTAssertTrue(LogPlan.isHealthy(phase: "Running", statuses: [initDone, ready]))
        let oom: [String: Any] = ["name": "b", "ready": false, "restartCount": 0,
                                  "state": ["terminated": ["reason": "OOMKilled", "exitCode": 137] as [String: Any]]]
        XCTAssertFalse(LogPlan.isHealthy(phase: "Running", statuses: [oom]))
    }

    func testNamesThatCannotBePathComponentsAreNotUsedForLogFiles() {
        XCTAssertTrue(LogPlan.isSafeName("api-5f6d7c8b9-xk2lp"))
        for name in ["", ".", "..", "a/b", "a b", "a%2f", "a?b", String(repeating: "a", count: 254)] {
            XCTAssertFalse(LogPlan.isSafeName(name), name)
        }
    }

    func testKindsKnowTheirPathsAndFiles() {
        let deployments = SnapshotKind("deployments", group: "apps")
        XCTAssertEqual(deployments.listPath(namespace: nil), "/apis/apps/v1/deployments")
        XCTAssertEqual(deployments.listPath(namespace: "shop"), "/apis/apps/v1/namespaces/shop/deployments")
        XCTAssertEqual(deployments.fileStem, "deployments.apps")
        let nodes = SnapshotKind("nodes", namespaced: false)
        XCTAssertEqual(nodes.listPath(namespace: "shop"), "/api/v1/nodes")
        XCTAssertEqual(nodes.fileStem, "nodes.core")
        XCTAssertEqual(Set(SnapshotKind.all.map(\.fileStem)).count, SnapshotKind.all.count)
    }
}
