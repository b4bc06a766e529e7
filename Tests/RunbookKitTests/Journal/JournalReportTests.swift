import Foundation
import XCTest
@testable import RunbookKit

final class JournalReportTests: XCTestCase {
    private func sampleJournal() throws -> Journal {
        let fixture = try JournalFixture()
        let writer = try fixture.writer()
        for event in fixture.sampleEvents() { writer.handle(event) }
        writer.close()
        return try JournalReader.read(path: fixture.path())
    }

    func testMarkdownHasHeaderTimelineEvidenceFindingsAndConclusion() throws {
        let report = JournalReport.markdown(try sampleJournal())

        XCTAssertTrue(report.hasPrefix("# Incident record: Pod keeps restarting\n"), report)
        XCTAssertTrue(report.contains("- **Runbook:** `runbooks/crashloop.runbook`"))
        XCTAssertTrue(report.contains("git commit `abc1234`"))
        XCTAssertTrue(report.contains("- **Operator:** oncall on bastion-1"))
        XCTAssertTrue(report.contains("- **Started:** 2024-05-01 03:15:09 UTC"))
        XCTAssertTrue(report.contains("**concluded** (exit 0)"))
        XCTAssertTrue(report.contains("| pod | `web-1` |"))
        XCTAssertTrue(report.contains("**Diagnosis:** The application fails at start: fix its configuration."))

        // Timeline rows: time, step, what happened.
        XCTAssertTrue(report.contains("| Time (UTC) | Step | What happened |"))
        XCTAssertTrue(report.contains("| 03:15:10 | status | Step started: Is the pod crash-looping? |"), report)
        XCTAssertTrue(report.contains("| 03:15:12 | status | `$ kubectl get pod \"$pod\"` on localhost: exit 0 in 0.250 s (evidence E1) |"), report)
        XCTAssertTrue(report.contains("| 03:15:14 | status | **Finding: web-1 is crash-looping (evidence E1)** |"), report)
        XCTAssertTrue(report.contains("Branch: reason == CrashLoopBackOff: continue"))
        XCTAssertTrue(report.contains("`$ kubectl logs \"$pod\" --previous` on node-7: exit 1 in 1.5 s (evidence E2)"), report)
        XCTAssertTrue(report.contains("Asked “Does the log show the application's own error?” → yes (by the operator)"))
        XCTAssertTrue(report.contains("Note: Deploy 42 changed the config map"))
        XCTAssertTrue(report.contains("Marked ok: confirmed by hand"))
        XCTAssertTrue(report.contains("Run ended: concluded (exit 0) after 3.5 s"))
        XCTAssertFalse(report.contains("CrashLoopBackOff | "), "variables stay out of the timeline")

        // Evidence: the command behind the finding, and the failed one.
        XCTAssertTrue(report.contains("### E1: step `status`, `$ kubectl get pod \"$pod\"` on localhost (exit 0)\n\nstdout:\n\n```text\nCrashLoopBackOff\n```\n"), report)
        XCTAssertTrue(report.contains("### E2: step `logs`, `$ kubectl logs \"$pod\" --previous` on node-7 (exit 1)"))
        XCTAssertTrue(report.contains("stderr:\n\n```text\nError: config file /etc/app.yaml not found\n```"))

        XCTAssertTrue(report.contains("## Findings\n\n1. **web-1 is crash-looping** (step `status`, evidence E1)\n"), report)
        XCTAssertTrue(report.contains("## Conclusion\n\nThe application fails at start: fix its configuration. (step `logs`)\n"), report)

        // Sections in order.
        let order = ["## Parameters", "## Timeline", "## Evidence", "## Findings", "## Conclusion"].map {
            report.range(of: $0)!.lowerBound
        }
        XCTAssertEqual(order, order.sorted())
    }

    func testEvidenceShowsOnlyTheFirstLinesOfLongOutput() throws {
        let fixture = try JournalFixture()
        let writer = try fixture.writer()
        let lines = (1...50).map { "line \($0)" }.joined(separator: "\n") + "\n"
        writer.handle(.runStarted(fixture.header()))
        writer.handle(.stepStarted(stepID: "disk", title: "Disk", host: "node-1"))
        writer.handle(.commandEnded(id: 1, stepID: "disk", host: "node-1", script: "df -h\ndf -i",
                                    result: CommandResult(stdout: lines, exitCode: 0, duration: 0.1)))
        writer.handle(.finding(stepID: "disk", message: "/var is 97% full", evidence: lines, host: "node-1"))
        writer.handle(.failed(stepID: "disk", message: "cannot continue with a full disk"))
        writer.close()

        let report = JournalReport.markdown(try JournalReader.read(path: fixture.path()))
        // The first and last ten lines: the end of an output is where errors usually are.
        XCTAssertTrue(report.contains("stdout (first 10 and last 10 lines):"), report)
        XCTAssertTrue(report.contains("line 10\n… 30 more lines …\nline 41\n"), report)
        XCTAssertTrue(report.contains("line 50\n```"))
        XCTAssertFalse(report.contains("line 11\n"))
        XCTAssertFalse(report.contains("line 40\n"))
        XCTAssertTrue(report.contains("`$ df -h …` on node-1"), "multi-line commands show their first line")
        XCTAssertTrue(report.contains("```sh\ndf -h\ndf -i\n```"))
        XCTAssertTrue(report.contains("**Failed:** cannot continue with a full disk (step `disk`)"))
        XCTAssertTrue(report.contains("- **Ended:** the run did not finish"))
    }

    func testMarkdownEscapesPipesAndBackticksInCells() throws {
        let fixture = try JournalFixture()
        let writer = try fixture.writer()
        writer.handle(.runStarted(fixture.header()))
        writer.handle(.commandEnded(id: 1, stepID: "s", host: nil, script: "ps aux | grep `whoami`",
                                    result: CommandResult(exitCode: 0, duration: 0)))
        writer.handle(.note(stepID: "s", text: "a|b\nc"))
        writer.close()
        let report = JournalReport.markdown(try JournalReader.read(path: fixture.path()))
        XCTAssertTrue(report.contains("| `` $ ps aux \\| grep `whoami` `` on localhost: exit 0"), report)
        XCTAssertTrue(report.contains("Note: a\\|b c |"), report)
    }

    func testJSONReportIsStructured() throws {
        let text = JournalReport.json(try sampleJournal())
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        XCTAssertEqual(object["title"] as? String, "Pod keeps restarting")
        XCTAssertEqual(object["status"] as? String, "concluded")
        XCTAssertEqual(object["start"] as? String, "2024-05-01T03:15:09.042Z")
        XCTAssertEqual((object["parameters"] as? [String: String])?["pod"], "web-1")
        let timeline = try XCTUnwrap(object["timeline"] as? [[String: Any]])
        XCTAssertEqual(timeline.count, 14)
        XCTAssertEqual(timeline[1]["command"] as? String, "kubectl get pod \"$pod\"")
        XCTAssertEqual(timeline[1]["evidence"] as? String, "E1")
        let evidence = try XCTUnwrap(object["evidence"] as? [[String: Any]])
        XCTAssertEqual(evidence.map { $0["id"] as? String }, ["E1", "E2"])
        let findings = try XCTUnwrap(object["findings"] as? [[String: Any]])
        XCTAssertEqual(findings.first?["message"] as? String, "web-1 is crash-looping")
        let conclusions = try XCTUnwrap(object["conclusions"] as? [[String: Any]])
        XCTAssertEqual(conclusions.first?["message"] as? String, "The application fails at start: fix its configuration.")
    }
}
