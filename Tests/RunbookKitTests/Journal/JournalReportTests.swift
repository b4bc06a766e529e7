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
        XCTAssertTrue(report.contains("**concluded** (exit 0)\n- **Severity:** Healthy (ok)\n"), report)
        XCTAssertTrue(report.contains("| pod | `web-1` |"))
        XCTAssertTrue(report.contains("**Diagnosis:** Healthy — The application fails at start: fix its configuration."))

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
        XCTAssertTrue(report.contains("Run ended: concluded, healthy (exit 0) after 3.5 s"))
        XCTAssertFalse(report.contains("CrashLoopBackOff | "), "variables stay out of the timeline")

        // Evidence: the command behind the finding, and the failed one.
        XCTAssertTrue(report.contains("### E1: step `status`, `$ kubectl get pod \"$pod\"` on localhost (exit 0)\n\nstdout:\n\n```text\nCrashLoopBackOff\n```\n"), report)
        XCTAssertTrue(report.contains("### E2: step `logs`, `$ kubectl logs \"$pod\" --previous` on node-7 (exit 1)"))
        XCTAssertTrue(report.contains("stderr:\n\n```text\nError: config file /etc/app.yaml not found\n```"))

        XCTAssertTrue(report.contains("## Findings\n\n1. **web-1 is crash-looping** (failing, step `status`, evidence E1)\n"), report)
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

    // MARK: Severity

    /// A journal of one step that records a warning and a failing finding, then ends with `events`.
    private func severityJournal(_ ending: [RunEvent]) throws -> Journal {
        let fixture = try JournalFixture()
        let writer = try fixture.writer()
        writer.handle(.runStarted(fixture.header()))
        writer.handle(.stepStarted(stepID: "disk", title: "Disk", host: nil))
        writer.handle(.commandEnded(id: 1, stepID: "disk", host: nil, script: "df -h /var",
                                    result: CommandResult(stdout: "/var 97%\n", exitCode: 0, duration: 0.1)))
        writer.handle(.finding(Finding(path: StepPath(step: "disk"), message: "/var is 97% full", evidence: "/var 97%\n",
                                       severity: .failing)))
        writer.handle(.finding(Finding(path: StepPath(step: "disk"), message: "the load is high", severity: .warning)))
        for event in ending { writer.handle(event) }
        writer.close()
        return try JournalReader.read(path: fixture.path())
    }

    private func conclusion(_ message: String, _ severity: ConclusionSeverity) -> RunEvent {
        .concluded(Conclusion(path: StepPath(step: "disk"), message: message, severity: severity))
    }

    private func end(_ status: RunStatus, _ exitCode: Int32, _ severity: Severity) -> RunEvent {
        .runEnded(RunEnd(status: status, exitCode: exitCode, severity: severity, duration: 1.5))
    }

    func testMarkdownShowsTheSeverityOfTheRunAndOfEachFinding() throws {
        let report = JournalReport.markdown(try severityJournal([conclusion("/var is full", .problem), end(.concluded, 1, .problem)]))
        XCTAssertTrue(report.contains("**concluded** (exit 1)\n- **Severity:** Problem (problem)\n"), report)
        XCTAssertTrue(report.contains("\n**Diagnosis:** Problem — /var is full\n"), report)
        XCTAssertTrue(report.contains("1. **/var is 97% full** (failing, step `disk`, evidence E1)\n"), report)
        XCTAssertTrue(report.contains("2. **the load is high** (warning, step `disk`"), report)
        XCTAssertTrue(report.contains("| disk | **Finding: /var is 97% full (evidence E1)** |"), report)
        XCTAssertTrue(report.contains("| disk | **Warning: the load is high"), report)
        XCTAssertTrue(report.contains("| disk | **Diagnosis: /var is full** |"), report)
        XCTAssertTrue(report.contains("Run ended: concluded, problem (exit 1) after 1.5 s"), report)
    }

    func testDiagnosisLineSaysHealthyProblemOrCouldNotTell() throws {
        let healthy = JournalReport.markdown(try severityJournal([conclusion("all fine", .ok), end(.concluded, 0, .ok)]))
        XCTAssertTrue(healthy.contains("\n**Diagnosis:** Healthy — all fine\n"), healthy)
        XCTAssertTrue(healthy.contains("- **Severity:** Healthy (ok)\n"), healthy)
        XCTAssertTrue(healthy.contains("| disk | **Healthy: all fine** |"), healthy)

        let unknown = JournalReport.markdown(try severityJournal([conclusion("no cluster", .unknown), end(.concluded, 4, .unknown)]))
        XCTAssertTrue(unknown.contains("\n**Diagnosis:** Could not tell — no cluster\n"), unknown)
        XCTAssertTrue(unknown.contains("- **Severity:** Could not tell (unknown)\n"), unknown)
        XCTAssertTrue(unknown.contains("| disk | **Could not tell: no cluster** |"), unknown)

        // A plain conclusion: the run's severity decides, here the failing finding.
        let plain = JournalReport.markdown(try severityJournal([conclusion("see the findings", .unstated), end(.concluded, 1, .problem)]))
        XCTAssertTrue(plain.contains("\n**Diagnosis:** Problem — see the findings\n"), plain)
        XCTAssertTrue(plain.contains("| disk | **Conclusion: see the findings** |"), plain)

        // No conclusion: what the run found out all the same.
        let failed = JournalReport.markdown(try severityJournal([
            .failed(stepID: "disk", message: "cannot read the disk"), end(.failed, 4, .unknown)]))
        XCTAssertTrue(failed.contains("\n**Diagnosis:** Could not tell — the run failed: cannot read the disk\n"), failed)

        // The journal ends before the run: the conclusion and findings so far.
        let unfinished = JournalReport.markdown(try severityJournal([conclusion("/var is full", .problem)]))
        XCTAssertTrue(unfinished.contains("\n**Diagnosis:** Problem — /var is full\n"), unfinished)
        XCTAssertFalse(unfinished.contains("**Severity:**"), unfinished)
    }

    func testJSONReportCarriesTheSeverities() throws {
        let text = JournalReport.json(try severityJournal([conclusion("no cluster", .unknown), end(.concluded, 4, .unknown)]))
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        XCTAssertEqual(object["severity"] as? String, "unknown")
        XCTAssertEqual(object["exit_code"] as? Int, 4)
        let findings = try XCTUnwrap(object["findings"] as? [[String: Any]])
        XCTAssertEqual(findings.map { $0["severity"] as? String }, ["failing", "warning"])
        let conclusions = try XCTUnwrap(object["conclusions"] as? [[String: Any]])
        XCTAssertEqual(conclusions.first?["severity"] as? String, "unknown")

        let unfinished = JournalReport.json(try severityJournal([conclusion("ok so far", .ok)]))
        let partial = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(unfinished.utf8)) as? [String: Any])
        XCTAssertEqual(partial["severity"] as? String, "problem", "a failing finding is a problem whatever the conclusion")
    }
}
