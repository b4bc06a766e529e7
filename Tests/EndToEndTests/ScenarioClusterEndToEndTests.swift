import XCTest

/// `runbook test` with a `cluster` line: the real binary serves the cluster directory with its
/// own API server and runs the real kubectl against it; errors point at the `cluster` line.
final class ScenarioClusterEndToEndTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = try E2E.makeDirectory("scenario-cluster")
        try E2E.write("""
            runbook "Nodes"
            step nodes "Which nodes are NotReady?"
              out = $ kubectl get nodes
              require out.ok else "kubectl failed: {out.stderr}"
              bad = []
              foreach n in table(out)
                if n.STATUS != "Ready"
                  bad = bad + [n.NAME]
              diagnose "{count(table(out))} nodes; not Ready: {join(bad, ", ")}"
            """, to: "nodes.runbook", in: directory)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func scenario(cluster: String, expect: String) throws -> String {
        try E2E.write("""
            scenario "Nodes of a fixture cluster"
            runbook "nodes.runbook"
            cluster "\(cluster)"
            \(expect)
            """, to: "s.scenario", in: directory)
        return directory + "/s.scenario"
    }

    func testKubectlRunsAgainstTheServedCluster() throws {
        let path = try scenario(cluster: E2E.repositoryRoot + "/Tests/fixtures/clusters/basic",
                                expect: "expect conclusion ~ \"^\\\\d+ nodes; not Ready: \\\\S\"")
        let result = try E2E.run(["test", "--no-color", path], in: directory, environment: E2E.environment(["KUBECONFIG": "/nonexistent"]))
        XCTAssertEqual(result.exitCode, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix("PASS \(path)"), result.stdout)
    }

    func testAKnownWrongScenarioIsReportedAsWrongAndPasses() throws {
        let path = try scenario(cluster: E2E.repositoryRoot + "/Tests/fixtures/clusters/basic",
                                expect: "known-wrong \"counts nodes\"\nexpect conclusion ~ \"kubelet stopped\"")
        let result = try E2E.run(["test", "--no-color", path], in: directory)
        XCTAssertEqual(result.exitCode, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix("WRONG \(path) — Nodes of a fixture cluster (known wrong: counts nodes)\n    said: concluded "), result.stdout)
        XCTAssertTrue(result.stdout.hasSuffix("1 passed (1 of them known wrong), 0 failed\n"), result.stdout)
    }

    func testMissingClusterDirectoryIsAnErrorAtTheClusterLine() throws {
        let path = try scenario(cluster: "clusters/none", expect: "expect status concluded")
        let result = try E2E.run(["test", "--no-color", path], in: directory)
        XCTAssertEqual(result.exitCode, 2)
        XCTAssertTrue(result.stderr.contains("\(path):3:9: error: no cluster directory at \(directory)/clusters/none"), result.stderr)
    }

    func testAClusterTheServerCannotLoadIsAnErrorAtTheClusterLine() throws {
        try E2E.write("{\"format\": 99}", to: "clusters/bad/cluster.json", in: directory)
        let path = try scenario(cluster: "clusters/bad", expect: "expect status concluded")
        let result = try E2E.run(["test", "--no-color", path], in: directory)
        XCTAssertEqual(result.exitCode, 2)
        XCTAssertTrue(result.stderr.contains("\(path):3:9: error: cannot serve the cluster \(directory)/clusters/bad: "), result.stderr)
    }

    func testCoverageCheckFailsOnAStaleFileAndPassesOnceWritten() throws {
        let path = try scenario(cluster: E2E.repositoryRoot + "/Tests/fixtures/clusters/basic", expect: "expect status concluded")
        try E2E.write("# Coverage\n", to: "COVERAGE.md", in: directory)
        let coverage = directory + "/COVERAGE.md"
        let stale = try E2E.run(["test", "--no-color", "--coverage-check", coverage, path], in: directory)
        XCTAssertEqual(stale.exitCode, 1)
        XCTAssertTrue(stale.stderr.contains("error: \(coverage) is stale: run `runbook test --coverage \(coverage) \(path)`"), stale.stderr)
        XCTAssertEqual(try E2E.run(["test", "--coverage", coverage, path], in: directory).exitCode, 0)
        XCTAssertTrue(E2E.read(coverage)?.hasPrefix("# Coverage\n\n<!-- Generated below") == true)
        XCTAssertEqual(try E2E.run(["test", "--coverage-check", coverage, path], in: directory).exitCode, 0)
    }
}
