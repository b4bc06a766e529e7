import XCTest
@testable import RunbookKit

final class ScenarioRunnerTests: XCTestCase {
    func testPassingScenarioRecordsPathAndConfirmation() {
        let result = ScenarioFixtures.run("service-down/restarted.scenario")
        XCTAssertTrue(result.passed, ScenarioReport.text(for: result))
        XCTAssertEqual(result.title, "The service was stopped and comes back after a restart")
        XCTAssertEqual(result.steps, ["status"])
        XCTAssertEqual(result.status, "concluded")
        XCTAssertEqual(result.confirmations, ["Restart api?"])
        XCTAssertEqual(ScenarioReport.text(for: result),
                       "PASS \(ScenarioFixtures.path("service-down/restarted.scenario")) — The service was stopped and comes back after a restart\n")
    }

    func testWrongConclusionShowsPathAndFirstDifference() {
        let result = ScenarioFixtures.run("failing/wrong-conclusion.scenario")
        XCTAssertFalse(result.passed)
        XCTAssertFalse(result.isMalformed)
        XCTAssertEqual(result.differences,
                       [#"line 12: expected conclusion "web was stopped; restarted it", got "web is up and listens on 8080""#])
        let lines = ScenarioReport.text(for: result).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines, [
            "FAIL \(ScenarioFixtures.path("failing/wrong-conclusion.scenario")) — Expects a restart, but the service was running",
            #"    path: status → port (concluded "web is up and listens on 8080")"#,
            #"    first difference: line 12: expected conclusion "web was stopped; restarted it", got "web is up and listens on 8080""#,
        ])
    }

    func testUnansweredCommandFailsNamingTheCommand() {
        let result = ScenarioFixtures.run("failing/unanswered-command.scenario")
        XCTAssertFalse(result.passed)
        XCTAssertEqual(result.differences.first,
                       #"no scenario answer for: systemctl restart "$service" (add a 'when $ …' block for it)"#)
        // The interpreter saw the command fail the way a missing program does.
        XCTAssertEqual(result.failure, #"`systemctl restart "$service"` failed with exit code 127"#)
    }

    func testUnansweredCommandFailsEvenWhenTheRunbookToleratesIt() throws {
        // allow-fail hides the exit code from the runbook, not from the scenario.
        let runbookPath = NSTemporaryDirectory() + "tolerant-\(UUID().uuidString).runbook"
        try "runbook \"Tolerant\"\nstep only \"Anything?\"\n  allow-fail $ some-probe\n  conclude \"done\"\n"
            .write(toFile: runbookPath, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: runbookPath) }
        let result = try ScenarioFixtures.run(text: """
            scenario "Misses the probe"
            runbook "\(runbookPath)"
            expect conclusion "done"
            """)
        XCTAssertEqual(result.conclusion, "done")
        XCTAssertEqual(result.differences, ["no scenario answer for: some-probe (add a 'when $ …' block for it)"])
    }

    func testUnusedWhenBlockFailsTheScenario() {
        let result = ScenarioFixtures.run("failing/unused-answer.scenario")
        XCTAssertEqual(result.conclusion, "web is up and listens on 8080")
        XCTAssertEqual(result.differences,
                       ["unused answer at \(ScenarioFixtures.path("failing/unused-answer.scenario")):10 (when $ uptime)"])
    }

    func testRepeatedCommandIsAnsweredInOrder() {
        let result = ScenarioFixtures.run("poll/in-order.scenario")
        XCTAssertTrue(result.passed, ScenarioReport.text(for: result))
        XCTAssertEqual(result.conclusion, "healthy after ok")
    }

    func testRepeatAnswersEveryTime() {
        let result = ScenarioFixtures.run("poll/never-healthy.scenario")
        XCTAssertTrue(result.passed, ScenarioReport.text(for: result))
        XCTAssertEqual(result.failure, #"probe.stdout == "ok" did not hold after 4 attempts"#)
    }

    func testAnswersArePickedByHost() {
        let result = ScenarioFixtures.run("disks/per-host.scenario")
        XCTAssertTrue(result.passed, ScenarioReport.text(for: result))
        XCTAssertEqual(result.findings, ["node-2: the root filesystem is 97% full"])
    }

    func testQuestionWithoutAnswerFailsClearly() {
        let result = ScenarioFixtures.run("failing/unanswered-question.scenario")
        XCTAssertFalse(result.passed)
        XCTAssertEqual(result.differences.first,
                       "question 'cause' has no answer in the scenario (Does the log show a configuration error?): add  answer cause = yes  (choices: yes, no)")
    }

    func testAnswersAndParametersReachTheRun() {
        let result = ScenarioFixtures.run("service-down/config-error.scenario")
        XCTAssertTrue(result.passed, ScenarioReport.text(for: result))
        XCTAssertEqual(result.conclusion, "web fails on its configuration: fix it and restart")
        XCTAssertEqual(result.steps, ["status", "logs"])
    }

    func testMalformedScenarioReportsFileLineAndColumn() {
        let path = ScenarioFixtures.path("malformed/bad-status.scenario")
        let result = ScenarioRunner().run(path: path)
        XCTAssertTrue(result.isMalformed)
        XCTAssertEqual(result.errors.map(\.description),
                       ["\(path):6:15: error: unknown status 'sleeping': expected concluded, completed, failed, aborted"])
        XCTAssertEqual(ScenarioSuite.Outcome(results: [result]).exitCode, 2)
    }

    func testScenarioNamingUnknownParameterOrQuestionIsMalformed() throws {
        let result = try ScenarioFixtures.run(text: """
            scenario "Typos"
            runbook "service-down.runbook"
            param servise = "api"
            answer couse = yes
            expect status completed
            """)
        XCTAssertEqual(result.errors.map(\.description), [
            "\(ScenarioFixtures.path("inline.scenario")):3:7: error: the runbook has no parameter 'servise' (its parameters: service, port)",
            "\(ScenarioFixtures.path("inline.scenario")):4:8: error: the runbook asks no question 'couse' (its questions: cause)",
        ])
    }

    func testAnswerThatIsNotAChoiceIsMalformed() throws {
        let result = try ScenarioFixtures.run(text: """
            scenario "Bad choice"
            runbook "service-down.runbook"
            answer cause = maybe
            expect status completed
            """)
        XCTAssertEqual(result.errors.first?.message, "'maybe' is not a choice of 'cause' (choices: yes, no)")
    }

    func testMissingRunbookIsAnError() throws {
        let result = try ScenarioFixtures.run(text: """
            scenario "Nowhere"
            runbook "no-such.runbook"
            expect status completed
            """)
        XCTAssertTrue(result.isMalformed)
        XCTAssertEqual(result.errors.first.map { "\($0.location!.line):\($0.location!.column)" }, "2:9")
    }

    func testNothingRealRuns() throws {
        let marker = NSTemporaryDirectory() + "scenario-marker-\(UUID().uuidString)"
        let runbookPath = NSTemporaryDirectory() + "touch-\(UUID().uuidString).runbook"
        try "runbook \"Touch\"\nstep touch \"Touch a file\"\n  $ touch \(marker)\n  conclude \"touched\"\n"
            .write(toFile: runbookPath, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: runbookPath) }
        let answered = try ScenarioFixtures.run(text: """
            scenario "Answered"
            runbook "\(runbookPath)"
            when $ touch \(marker)
            expect conclusion "touched"
            """)
        let unanswered = try ScenarioFixtures.run(text: """
            scenario "Unanswered"
            runbook "\(runbookPath)"
            expect conclusion "touched"
            """)
        XCTAssertTrue(answered.passed, ScenarioReport.text(for: answered))
        XCTAssertFalse(unanswered.passed)
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker), "a scenario ran a real command")
    }

    func testExpectationsAreCheckedInFileOrder() throws {
        let result = try ScenarioFixtures.run(text: """
            scenario "Several wrong expectations"
            runbook "service-down.runbook"
            when $ systemctl is-active "$service"
              stdout "active"
            when ~ "^ss "
              stdout "only a header"
            expect steps status, logs
            expect findings 0
            expect finding ~ "port 9090"
            expect status concluded
            """)
        XCTAssertEqual(result.differences, [
            #"no scenario answer for: journalctl -u "$service" -n 20 --no-pager (add a 'when $ …' block for it)"#,
            "line 7: expected steps status, logs; visited status, port, logs (step 2 is port, expected logs)",
            #"line 8: expected 0 findings, got 1: "nothing listens on port 8080""#,
            #"line 9: expected a finding ~ "port 9090", got "nothing listens on port 8080""#,
            #"line 10: expected status concluded, but the run failed: `journalctl -u "$service" -n 20 --no-pager` failed with exit code 127"#,
        ])
    }
}
