import XCTest
@testable import RunbookKit

/// `cluster "…"` and `known-wrong "…"` in scenario files: parsing, errors at the line, the real
/// kubectl run against the cluster's server, and the known-wrong verdicts.
final class ScenarioClusterTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "scenario-cluster-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/clusters/tiny", withIntermediateDirectories: true)
        try "{}".write(toFile: directory + "/clusters/tiny/cluster.json", atomically: true, encoding: .utf8)
        try """
            runbook "Counts nodes"
            step nodes "How many nodes?"
              out = $ kubectl get nodes
              require out.ok else "kubectl failed: {out.stderr}"
              s = $ ssh-check
              diagnose "{count(table(out))} nodes"
            """.write(toFile: directory + "/count.runbook", atomically: true, encoding: .utf8)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func scenario(_ body: String) throws -> Scenario {
        try ScenarioParser.parse(SourceFile(path: directory + "/s.scenario", text: """
            scenario "Nodes"
            runbook "count.runbook"
            \(body)
            """))
    }

    func testClusterLineIsResolvedRelativeToTheScenario() throws {
        let s = try scenario("cluster \"clusters/tiny\"\nexpect status concluded")
        XCTAssertEqual(s.cluster?.path, "clusters/tiny")
        XCTAssertEqual(s.cluster?.resolvedPath, directory + "/clusters/tiny")
    }

    func testSecondClusterLineAndEmptyKnownWrongAreErrorsAtTheirLine() {
        XCTAssertThrowsError(try scenario("cluster \"a\"\ncluster \"b\"\nexpect status concluded")) { error in
            XCTAssertEqual((error as? Diagnostic)?.location?.line, 4)
            XCTAssertTrue("\(error)".contains("a second 'cluster' line"), "\(error)")
        }
        XCTAssertThrowsError(try scenario("known-wrong \" \"\nexpect status concluded")) { error in
            XCTAssertEqual((error as? Diagnostic)?.location?.line, 3)
            XCTAssertEqual((error as? Diagnostic)?.location?.column, 13)
        }
    }

    func testMissingClusterDirectoryIsAnErrorAtThePath() throws {
        let result = ScenarioRunner(clusters: FixedClusters(server: "http://127.0.0.1:1"))
            .run(try scenario("cluster \"clusters/none\"\nexpect status concluded"))
        XCTAssertTrue(result.isMalformed)
        XCTAssertEqual(result.errors.first?.location?.line, 3)
        XCTAssertEqual(result.errors.first?.location?.column, 9)
        XCTAssertTrue(result.errors.first?.message.contains("no cluster directory at \(directory)/clusters/none") == true,
                      result.errors.first?.message ?? "")
    }

    func testAServerThatCannotStartIsAnErrorAtThePath() throws {
        let clusters = FixedClusters(server: "http://127.0.0.1:1")
        clusters.failure = "cluster.json: format 7 is not format 1"
        let result = ScenarioRunner(clusters: clusters).run(try scenario("cluster \"clusters/tiny\"\nexpect status concluded"))
        XCTAssertEqual(result.errors.map(\.message),
                       ["cannot serve the cluster \(directory)/clusters/tiny: cluster.json: format 7 is not format 1"])
    }

    func testWithoutAProviderAClusterScenarioIsAnError() throws {
        let result = ScenarioRunner().run(try scenario("cluster \"clusters/tiny\"\nexpect status concluded"))
        XCTAssertEqual(result.errors.map(\.message), ["this runner serves no clusters: run the scenario with `runbook test`"])
    }

    /// The kubectl command runs for real (a child process) with the cluster's KUBECONFIG: here a
    /// server that refuses connections, whose address shows up in kubectl's own error.
    func testUnansweredKubectlRunsForRealAgainstTheCluster() throws {
        let result = ScenarioRunner(clusters: FixedClusters(server: "http://127.0.0.1:1"))
            .run(try scenario("cluster \"clusters/tiny\"\nexpect status failed"))
        XCTAssertTrue(result.passed, ScenarioReport.text(for: result))
        XCTAssertTrue(result.failure?.contains("127.0.0.1:1") == true, result.failure ?? "no failure")
    }

    func testAnsweredKubectlStaysCannedAndOtherCommandsStillNeedAnswers() throws {
        let result = ScenarioRunner(clusters: FixedClusters(server: "http://127.0.0.1:1"))
            .run(try scenario("""
                cluster "clusters/tiny"
                when $ kubectl get nodes
                  stdout
                    | NAME     STATUS   ROLES    AGE   VERSION
                    | cp-1     Ready    <none>   3d    v1.32.4
                expect conclusion "1 nodes"
                """))
        XCTAssertEqual(result.conclusion, "1 nodes")
        XCTAssertEqual(result.differences, ["no scenario answer for: ssh-check (add a 'when $ …' block for it)"])
    }

    func testQualifyingCommandsStartWithTheWordKubectlAndRunLocally() {
        XCTAssertTrue(LiveKubectl.qualifies(CommandRequest(script: "kubectl get pods -A")))
        XCTAssertTrue(LiveKubectl.qualifies(CommandRequest(script: "  kubectl events -n x 2>/dev/null || kubectl get events")))
        XCTAssertFalse(LiveKubectl.qualifies(CommandRequest(script: "kubectlx get pods")))
        XCTAssertFalse(LiveKubectl.qualifies(CommandRequest(script: "ssh node kubectl get pods")))
        XCTAssertFalse(LiveKubectl.qualifies(CommandRequest(script: "kubectl get pods", host: "node-1")))
        let prelude = "  kube() { kubectl ${ctx:+--context \"$ctx\"} \"$@\"; }\n  other() { ssh \"$@\"; }\n"
        XCTAssertTrue(LiveKubectl.qualifies(CommandRequest(script: "kube get pod x -o json"), prelude: prelude))
        XCTAssertFalse(LiveKubectl.qualifies(CommandRequest(script: "other get pod x"), prelude: prelude))
        XCTAssertFalse(LiveKubectl.qualifies(CommandRequest(script: "kube get pod x")))
    }

    // MARK: known-wrong

    private let nodes = """
        when $ kubectl get nodes
          stdout
            | NAME     STATUS   ROLES    AGE   VERSION
            | cp-1     Ready    <none>   3d    v1.32.4
        when $ ssh-check
        """

    func testKnownWrongPassesWhileTheRunbookIsWrongAndIsReportedAsWrong() throws {
        let result = ScenarioRunner().run(try scenario("""
            known-wrong "counts nodes instead of finding the broken one"
            \(nodes)
            expect conclusion ~ "worker-2 is NotReady"
            expect severity problem
            """))
        XCTAssertTrue(result.passed)
        XCTAssertTrue(result.isKnownWrong)
        XCTAssertEqual(result.wrong, [#"line 9: expected conclusion ~ "worker-2 is NotReady", got "1 nodes""#])
        XCTAssertEqual(ScenarioReport.text(for: result).split(separator: "\n").first.map(String.init),
                       "WRONG \(directory)/s.scenario — Nodes (known wrong: counts nodes instead of finding the broken one)")
        let outcome = ScenarioSuite.Outcome(results: [result])
        XCTAssertEqual(outcome.exitCode, 0)
        XCTAssertEqual(outcome.summary, "1 passed (1 of them known wrong), 0 failed")
    }

    func testKnownWrongFailsOnceTheRunbookIsRight() throws {
        let result = ScenarioRunner().run(try scenario("""
            known-wrong "said something else"
            \(nodes)
            expect conclusion "1 nodes"
            """))
        XCTAssertFalse(result.passed)
        XCTAssertEqual(result.differences,
                       ["line 3: every expectation holds, so the runbook now gives the right diagnosis: remove the known-wrong line"])
    }

    func testKnownWrongStillFailsOnACommandWithoutAnswer() throws {
        let result = ScenarioRunner().run(try scenario("""
            known-wrong "said something else"
            when $ kubectl get nodes
            expect conclusion "worker-2 is NotReady"
            """))
        XCTAssertFalse(result.passed)
        XCTAssertEqual(result.differences, ["no scenario answer for: ssh-check (add a 'when $ …' block for it)"])
    }
}

/// Hands out a kubeconfig for a fixed server address (no server of its own).
private final class FixedClusters: ScenarioClusters {
    let directory = NSTemporaryDirectory() + "fixed-clusters-\(UUID().uuidString)"
    let server: String
    var failure: String?

    init(server: String) { self.server = server }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func connection(to path: String) throws -> ClusterConnection {
        if let failure { throw ScenarioClusterError(failure) }
        try FileManager.default.createDirectory(atPath: directory + "/cache", withIntermediateDirectories: true)
        let kubeconfig = directory + "/kubeconfig"
        try """
            apiVersion: v1
            kind: Config
            clusters:
            - name: fixed
              cluster:
                server: \(server)
            users:
            - name: fixed
              user: {}
            contexts:
            - name: fixed
              context: {cluster: fixed, user: fixed}
            current-context: fixed

            """.write(toFile: kubeconfig, atomically: true, encoding: .utf8)
        return ClusterConnection(kubeconfig: kubeconfig, cacheDirectory: directory + "/cache")
    }

    func stopAll() {}
}
