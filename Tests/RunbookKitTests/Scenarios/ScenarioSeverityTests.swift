import Foundation
import XCTest
@testable import RunbookKit

/// `expect severity` and `expect exit` in scenarios: what the run found out and the exit code
/// `runbook run` would give.
final class ScenarioSeverityTests: XCTestCase {
    private var runbookPath = ""

    override func setUpWithError() throws {
        runbookPath = NSTemporaryDirectory() + "severity-\(getpid())-\(UUID().uuidString).runbook"
        try """
        runbook "Severity"
        step look "Look"
          r = $ probe
          expect r.stdout != "slow" else warn "the probe is slow"
          if r.stdout == "ok" or r.stdout == "slow"
            conclude ok "healthy"
          else if r.stdout == "broken"
            diagnose "it is broken"
          else if r.stdout == "odd"
            expect r.stdout == "ok" else "the probe is odd"
          else
            conclude unknown "the probe said {r.stdout}"
        """.write(toFile: runbookPath, atomically: true, encoding: .utf8)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: runbookPath)
    }

    private func run(probe: String, _ expectations: String) throws -> ScenarioResult {
        try ScenarioFixtures.run(text: """
            scenario "Probe says \(probe)"
            runbook "\(runbookPath)"
            when $ probe
              stdout "\(probe)"
            \(expectations)
            """)
    }

    func testMatchingSeverityAndExitPass() throws {
        let cases: [(probe: String, severity: String, exit: Int32)] = [
            ("ok", "ok", 0), ("slow", "ok", 0), ("broken", "problem", 1), ("odd", "problem", 1), ("mute", "unknown", 4),
        ]
        for c in cases {
            let result = try run(probe: c.probe, "expect severity \(c.severity)\nexpect exit \(c.exit)")
            XCTAssertTrue(result.passed, "\(c.probe): " + ScenarioReport.text(for: result))
            XCTAssertEqual(result.severity?.rawValue, c.severity, c.probe)
            XCTAssertEqual(result.exitCode, c.exit, c.probe)
        }
    }

    func testAWarningLeavesSeverityOkAndExitZero() throws {
        let result = try run(probe: "slow", "expect severity ok\nexpect exit 0\nexpect findings 1\nexpect finding ~ \"slow\"")
        XCTAssertTrue(result.passed, ScenarioReport.text(for: result))
    }

    func testWrongSeverityOrExitFailsNamingWhatTheRunGave() throws {
        let cases: [(probe: String, expectation: String, difference: String)] = [
            ("broken", "expect severity ok", "line 5: expected severity ok, got problem (the run concluded"),
            ("mute", "expect exit 0", "line 5: expected exit 0, got 4 (the run concluded"),
        ]
        for c in cases {
            let result = try run(probe: c.probe, c.expectation)
            XCTAssertFalse(result.passed, c.expectation)
            XCTAssertFalse(result.isMalformed, c.expectation)
            XCTAssertEqual(result.differences.count, 1, "\(result.differences)")
            XCTAssertTrue(result.differences.first?.hasPrefix(c.difference) ?? false, "\(result.differences)")
        }
    }

    func testBothWrongAreBothReported() throws {
        let result = try run(probe: "ok", "expect severity unknown\nexpect exit 4")
        XCTAssertFalse(result.passed)
        XCTAssertTrue(result.differences.contains { $0.contains("expected severity unknown, got ok") }, "\(result.differences)")
        XCTAssertTrue(result.differences.contains { $0.contains("expected exit 4, got 0") }, "\(result.differences)")
    }

    func testSeverityAndExitParse() throws {
        let scenario = try ScenarioFixtures.scenario("scenario \"t\"\nrunbook \"x\"\nexpect severity problem\nexpect exit 1\n")
        let kinds = scenario.expectations.map(\.kind)
        guard kinds.count == 2, case .severity(let severity) = kinds[0], case .exitCode(let code) = kinds[1]
        else { return XCTFail("\(kinds)") }
        XCTAssertEqual(severity, .problem)
        XCTAssertEqual(code, 1)
    }
}
