// `runbook run` exit codes for each kind of conclusion, and `--format json`: the built binary
// as a child process, in a scratch directory.

import Foundation
import XCTest

final class EndToEndSeverityTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws {
        dir = try E2E.makeDirectory("severity")
        try E2E.write("""
        runbook "severity"
        param kind
        step look "Look"
          r = $ echo "load 9"
          expect r.stdout == "load 1" else warn "load is high: {r.stdout}"
          if kind == "ok"
            conclude ok "all fine"
          else if kind == "warn"
            conclude ok "fine apart from the load"
          else if kind == "diagnose"
            diagnose "the disk is full"
          else if kind == "finding"
            expect r.stdout == "load 0" else "the load is not zero"
            conclude "plain conclusion"
          else if kind == "unknown"
            conclude unknown "cannot reach the cluster"
          else if kind == "fail"
            fail "stopped before it could tell"
          else if kind == "plain"
            conclude "plain conclusion"
        """, to: "s.runbook", in: dir)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: dir)
    }

    private func run(_ args: [String], file: StaticString = #filePath, line: UInt = #line) throws -> E2EResult {
        let result = try E2E.run(["run", "s.runbook", "--no-journal", "--no-color"] + args, in: dir,
                                 file: file, line: line)
        XCTAssertNil(result.signal, "the runner died of signal \(result.signal ?? 0)\n\(result.stderr)", file: file, line: line)
        return result
    }

    /// The one JSON document on stdout; fails the test when stdout holds anything else.
    private func json(_ result: E2EResult, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let text = result.stdout
        XCTAssertTrue(text.hasSuffix("}\n"), "stdout ends with the document: \(text)", file: file, line: line)
        XCTAssertEqual(text.filter { $0 == "\n" }.count, 1, "exactly one line on stdout: \(text)", file: file, line: line)
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try XCTUnwrap(object as? [String: Any], "not an object: \(text)", file: file, line: line)
    }

    func testExitCodeOfEachKindOfEnd() throws {
        let cases: [(kind: String, exit: Int32, shown: String)] = [
            ("ok", 0, "all fine"),
            ("warn", 0, "fine apart from the load"),
            ("plain", 0, "plain conclusion"),
            ("diagnose", 1, "the disk is full"),
            ("finding", 1, "the load is not zero"),
            ("unknown", 4, "cannot reach the cluster"),
            ("fail", 4, "stopped before it could tell"),
        ]
        for c in cases {
            let result = try run(["kind=" + c.kind])
            XCTAssertEqual(result.exitCode, c.exit, "\(c.kind): \(result.stdout)\n\(result.stderr)")
            XCTAssertTrue(result.stdout.contains(c.shown), "\(c.kind): \(result.stdout)")
            XCTAssertTrue(result.stdout.contains("load is high: load 9"), "the warning is shown (\(c.kind)): \(result.stdout)")
        }
    }

    func testJSONResultOfEachKindOfEnd() throws {
        let cases: [(kind: String, exit: Int, status: String, severity: String, conclusion: String?)] = [
            ("ok", 0, "concluded", "ok", "all fine"),
            ("diagnose", 1, "concluded", "problem", "the disk is full"),
            ("finding", 1, "concluded", "problem", "plain conclusion"),
            ("unknown", 4, "concluded", "unknown", "cannot reach the cluster"),
            ("fail", 4, "failed", "unknown", nil),
        ]
        for c in cases {
            let result = try run(["kind=" + c.kind, "--format", "json"])
            XCTAssertEqual(result.exitCode, Int32(c.exit), "\(c.kind): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("Look"), "the human output goes to stderr (\(c.kind)): \(result.stderr)")
            let object = try json(result)
            XCTAssertEqual(object["status"] as? String, c.status, c.kind)
            XCTAssertEqual(object["severity"] as? String, c.severity, c.kind)
            XCTAssertEqual(object["exit_code"] as? Int, c.exit, c.kind)
            XCTAssertEqual(object["conclusion"] as? String, c.conclusion, c.kind)
            XCTAssertEqual(object["runbook"] as? String, "severity")
            XCTAssertEqual((object["targets"] as? [Any])?.count, 0, "one target: no per-host entries")
            let findings = try XCTUnwrap(object["findings"] as? [[String: Any]], c.kind)
            XCTAssertEqual(findings.first?["severity"] as? String, "warning", c.kind)
            XCTAssertEqual(findings.first?["step"] as? String, "look", c.kind)
            XCTAssertEqual(findings.first?["message"] as? String, "load is high: load 9", c.kind)
            if c.kind == "finding" {
                XCTAssertEqual(findings.map { $0["severity"] as? String }, ["warning", "failing"])
            } else {
                XCTAssertEqual(findings.count, 1, c.kind)
            }
        }
    }

    func testJSONResultOfAFanOutHasOneEntryPerHost() throws {
        let cases: [(kind: String, exit: Int, severity: String, conclusion: String)] = [
            ("diagnose", 1, "problem", "the disk is full"),
            ("unknown", 4, "unknown", "cannot reach the cluster"),
        ]
        for c in cases {
            let result = try run(["kind=" + c.kind, "--hosts", "localhost,local", "--format", "json"])
            XCTAssertEqual(result.exitCode, Int32(c.exit), result.stderr)
            let object = try json(result)
            XCTAssertEqual(object["severity"] as? String, c.severity, c.kind)
            XCTAssertEqual(object["status"] as? String, "concluded", "every host concluded: \(c.kind)")
            XCTAssertEqual(object["exit_code"] as? Int, c.exit, c.kind)
            let targets = try XCTUnwrap(object["targets"] as? [[String: Any]], "\(object)")
            XCTAssertEqual(targets.map { $0["host"] as? String }, ["localhost", "local"], c.kind)
            for target in targets {
                XCTAssertEqual(target["status"] as? String, "concluded", c.kind)
                XCTAssertEqual(target["severity"] as? String, c.severity, c.kind)
                XCTAssertEqual(target["exit_code"] as? Int, c.exit, c.kind)
                XCTAssertEqual(target["conclusion"] as? String, c.conclusion, c.kind)
                let findings = try XCTUnwrap(target["findings"] as? [[String: Any]], c.kind)
                XCTAssertEqual(findings.map { $0["severity"] as? String }, ["warning"], c.kind)
                XCTAssertEqual(findings.first?["host"] as? String, target["host"] as? String, c.kind)
            }
            XCTAssertEqual((object["findings"] as? [Any])?.count, 2, "the run's findings are every host's")
        }
    }

    func testCheckWarnsAboutAPlainConclusionButPasses() throws {
        let result = try E2E.run(["check", "--no-color", "s.runbook"], in: dir)
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        XCTAssertEqual(result.stdout, "s.runbook: ok (1 step)\n")
        let warnings = result.stderr.split(separator: "\n").filter { $0.contains(": warning: ") }
        XCTAssertEqual(warnings.count, 2, result.stderr)
        XCTAssertTrue(warnings.first?.hasPrefix("s.runbook:14:5: warning: a plain `conclude`") ?? false, result.stderr)
        XCTAssertTrue(warnings.last?.hasPrefix("s.runbook:20:5: warning: ") ?? false, result.stderr)

        try E2E.write("runbook \"t\"\nstep a \"A\"\n  diagnose \"x\"\n", to: "d.runbook", in: dir)
        let clean = try E2E.run(["check", "--no-color", "d.runbook"], in: dir)
        XCTAssertEqual(clean.exitCode, 0)
        XCTAssertEqual(clean.stderr, "")
        let run = try E2E.run(["run", "s.runbook", "--no-journal", "--no-color", "kind=plain"], in: dir)
        XCTAssertEqual(run.exitCode, 0)
        XCTAssertFalse(run.stderr.contains("warning"), "running says nothing about it: \(run.stderr)")
    }
}
