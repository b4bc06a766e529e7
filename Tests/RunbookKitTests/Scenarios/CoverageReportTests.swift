import XCTest
@testable import RunbookKit

final class CoverageReportTests: XCTestCase {
    private var clusters = ""

    override func setUpWithError() throws {
        clusters = NSTemporaryDirectory() + "coverage-\(UUID().uuidString)/runbooks/clusters"
        try FileManager.default.createDirectory(atPath: clusters + "/node-down", withIntermediateDirectories: true)
        try #"{"format": 1, "description": "worker-2 is NotReady: its kubelet stopped."}"#
            .write(toFile: clusters + "/node-down/cluster.json", atomically: true, encoding: .utf8)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: (clusters as NSString).deletingLastPathComponent)
    }

    private func result(_ runbook: String, conclusion: String, wrong: String? = nil) -> ScenarioResult {
        var r = ScenarioResult(scenarioPath: "/somewhere/runbooks/scenarios/\(runbook)/cluster-node-down.scenario", title: "t")
        r.runbookPath = "/somewhere/runbooks/\(runbook).runbook"
        r.clusterPath = clusters + "/node-down"
        r.status = "concluded"
        r.conclusion = conclusion
        r.severity = .problem
        r.conclusionSteps = ["node-notready/verdict", "network/verdict", "node-notready/verdict", "verdict"]
        if let wrong {
            r.knownWrong = wrong
            r.wrong = ["line 5: expected conclusion ~ \"x\", got \"y\""]
        }
        return r
    }

    func testTableAndCausesFromClusterScenariosOnly() {
        let plain = ScenarioResult(scenarioPath: "runbooks/scenarios/x/canned.scenario", title: "canned")
        let text = CoverageReport.generated([
            result("node-notready", conclusion: "worker-2 is NotReady | since 2026-12-07T10:21:10Z\nNext: restart it"),
            result("cluster-triage", conclusion: "3 pods failing", wrong: "leads with the pods"),
            plain,
        ])
        XCTAssertTrue(text.contains("1 clusters, 2 scenarios, 1 right, 1 wrong."), text)
        XCTAssertTrue(text.contains("| `node-down` | `cluster-triage` | 3 pods failing (problem) | WRONG: leads with the pods |"), text)
        XCTAssertTrue(text.contains(#"| `node-down` | `node-notready` | worker-2 is NotReady \| since <time> / Next: restart it (problem) | right |"#), text)
        XCTAssertTrue(text.contains("### `node-down`\n\nworker-2 is NotReady: its kubelet stopped.\n"), text)
        XCTAssertTrue(text.contains("- `node-notready` → step `verdict (via node-notready/verdict, network/verdict)`: `runbooks/scenarios/node-notready/cluster-node-down.scenario` (right)"), text)
        XCTAssertFalse(text.contains("canned"))
    }

    func testDocumentKeepsTheHandWrittenPartAndReplacesTheGeneratedOne() {
        let head = "# Coverage\n\nWritten by hand.\n"
        let first = CoverageReport.document(keeping: head, results: [result("node-notready", conclusion: "old")])
        XCTAssertTrue(first.hasPrefix(head + "\n" + CoverageReport.marker + "\n\n"))
        let second = CoverageReport.document(keeping: first, results: [result("node-notready", conclusion: "new")])
        XCTAssertTrue(second.hasPrefix(head + "\n" + CoverageReport.marker))
        XCTAssertTrue(second.contains("| new (problem) |"))
        XCTAssertFalse(second.contains("| old (problem) |"))
        XCTAssertEqual(CoverageReport.document(keeping: second, results: [result("node-notready", conclusion: "new")]), second)
    }

    func testMeasuredSecondsAreNotWrittenOut() {
        XCTAssertEqual(CoverageReport.diagnosis(result("x", conclusion: "worker-1: behind by 419.6 s, worker-2: ahead by 12 s; 3 sockets")),
                       "worker-1: behind by N s, worker-2: ahead by N s; 3 sockets (problem)")
    }

    func testLongDiagnosesAreCut() {
        let long = String(repeating: "a", count: CoverageReport.diagnosisLimit + 50)
        XCTAssertEqual(CoverageReport.diagnosis(result("x", conclusion: long)),
                       String(repeating: "a", count: CoverageReport.diagnosisLimit) + "… (problem)")
    }

    func testAClusterWithoutDescriptionSaysSo() {
        XCTAssertEqual(CoverageReport.description(ofCluster: "/nonexistent/c"), "(no description in /nonexistent/c/cluster.json)")
    }
}
