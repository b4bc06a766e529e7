import Foundation
import XCTest
@testable import RunbookKit

final class ResumePointTests: XCTestCase {
    private func journal(_ events: [RunEvent]) throws -> Journal {
        let fixture = try JournalFixture()
        let writer = try fixture.writer(secrets: ["tok-1"])
        writer.handle(.runStarted(fixture.header()))
        for event in events { writer.handle(event) }
        writer.close()
        return try JournalReader.read(path: fixture.path())
    }

    func testInterruptedStepIsRestartedWithVariablesAndAnswers() throws {
        let point = ResumePoint(journal: try journal([
            .stepStarted(stepID: "a", title: "A", host: nil),
            .variable(name: "node", value: "node-1"),
            .variable(name: "token", value: "tok-1"),
            .answer(stepID: "a", question: "Go on?", questionID: "go", choice: "yes", source: "operator"),
            .stepEnded(stepID: "a", outcome: "ok", duration: 1),
            .stepStarted(stepID: "b", title: "B", host: nil),
            .variable(name: "node", value: "node-2"),
        ]))
        XCTAssertEqual(point.position, .restart(step: "b"))
        XCTAssertEqual(point.variables, ["node": "node-2", "token": "********"])
        XCTAssertEqual(point.redactedVariables, ["token"])
        XCTAssertEqual(point.answers, ["go": "yes"])
        XCTAssertEqual(point.completedSteps, ["a"])
        XCTAssertEqual(point.contentHash, "sha256:0123456789abcdef0123456789abcdef")
        XCTAssertEqual(point.runbookPath, "runbooks/crashloop.runbook")
        XCTAssertEqual(point.parameters["pod"], "web-1")
        XCTAssertNil(point.runStatus)
    }

    func testAfterTheLastEndedStep() throws {
        let point = ResumePoint(journal: try journal([
            .stepStarted(stepID: "a", title: "A", host: nil),
            .stepEnded(stepID: "a", outcome: "finding", duration: 1),
        ]))
        XCTAssertEqual(point.position, .after(step: "a"))
    }

    func testFailedStepIsRestarted() throws {
        let point = ResumePoint(journal: try journal([
            .stepStarted(stepID: "a", title: "A", host: nil),
            .stepEnded(stepID: "a", outcome: "ok", duration: 1),
            .stepStarted(stepID: "b", title: "B", host: nil),
            .failed(stepID: "b", message: "timeout"),
            .stepEnded(stepID: "b", outcome: "failed", duration: 1),
            .runEnded(status: "failed", exitCode: 1, duration: 2),
        ]))
        XCTAssertEqual(point.position, .restart(step: "b"))
        XCTAssertEqual(point.runStatus, "failed")
    }

    func testNestedStepsRestartTheOutermost() throws {
        let point = ResumePoint(journal: try journal([
            .stepStarted(stepID: "node", title: "Node", host: nil),
            .stepStarted(stepID: "disk", title: "Disk (called runbook)", host: "node-1"),
            .stepEnded(stepID: "disk", outcome: "ok", duration: 1),
            .stepStarted(stepID: "load", title: "Load (called runbook)", host: "node-1"),
        ]))
        XCTAssertEqual(point.position, .restart(step: "node"))
    }

    func testNothingStarted() throws {
        XCTAssertEqual(ResumePoint(journal: try journal([])).position, .beginning)
    }
}
