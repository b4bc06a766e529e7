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

    func testInterruptedStepIsRestartedWithTypedVariablesAndAnswers() throws {
        let point = ResumePoint(journal: try journal([
            .stepStarted(stepID: "a", title: "A", host: nil),
            .variable(stepID: "a", name: "node", value: .string("node-1")),
            .variable(stepID: "a", name: "token", value: .string("tok-1")),
            .variable(stepID: "a", name: "ready", value: .bool(false)),
            .variable(stepID: "a", name: "pods", value: .list([])),
            .answer(stepID: "a", question: "Go on?", questionID: "go", choice: "yes"),
            .stepEnded(stepID: "a", outcome: .ok, duration: 1, next: "b"),
            .stepStarted(stepID: "b", title: "B", host: nil),
            .variable(stepID: "b", name: "node", value: .string("node-2")),
        ]))
        let target = try XCTUnwrap(point.targets.first)
        XCTAssertEqual(point.targets.count, 1)
        XCTAssertEqual(target.position, .at("b"))
        XCTAssertEqual(target.variables["node"]?.value, .string("node-2"))
        XCTAssertEqual(target.variables["ready"]?.value, .bool(false))
        XCTAssertEqual(target.variables["pods"]?.value, .list([]))
        XCTAssertEqual(target.variables["token"]?.value, .string("********"))
        XCTAssertEqual(target.variables["token"]?.redacted, true)
        XCTAssertEqual(target.variables["node"]?.redacted, false)
        XCTAssertEqual(point.answers, ["go": "yes"])
        XCTAssertEqual(target.completedSteps, ["a"])
        XCTAssertEqual(point.header.contentHash, "sha256:0123456789abcdef0123456789abcdef")
        XCTAssertEqual(point.header.parameters["pod"], "web-1")
        XCTAssertNil(point.runStatus)
    }

    func testGoesOnWithTheStepTheLastEndedStepNamed() throws {
        let point = ResumePoint(journal: try journal([
            .stepStarted(stepID: "a", title: "A", host: nil),
            .stepEnded(stepID: "a", outcome: .finding, duration: 1, next: "d"),
        ]))
        XCTAssertEqual(point.targets[0].position, .at("d"))
    }

    func testFailedStepIsRestarted() throws {
        let point = ResumePoint(journal: try journal([
            .stepStarted(stepID: "a", title: "A", host: nil),
            .stepEnded(stepID: "a", outcome: .ok, duration: 1, next: "b"),
            .stepStarted(stepID: "b", title: "B", host: nil),
            .failed(stepID: "b", message: "timeout"),
            .stepEnded(stepID: "b", outcome: .failed, duration: 1),
            .runEnded(status: .failed, exitCode: 1, duration: 2),
        ]))
        XCTAssertEqual(point.targets[0].position, .at("b"))
        XCTAssertEqual(point.runStatus, .failed)
    }

    func testStepsOfCalledRunbooksRestartTheCallersStep() throws {
        let callee = StepPath(calls: ["node-health"], step: "disk")
        let point = ResumePoint(journal: try journal([
            .stepStarted(stepID: "node", title: "Node", host: nil),
            .stepStarted(StepStart(path: callee, title: "Disk (called runbook)", host: "node-1")),
            .stepEnded(StepEnd(path: callee, outcome: .ok, duration: 1, next: "load")),
        ]))
        XCTAssertEqual(point.targets[0].position, .at("node"))
    }

    func testEachHostOfAFanOutHasItsOwnPosition() throws {
        let fixture = try JournalFixture()
        let writer = try fixture.writer()
        var header = fixture.header()
        header.plan.targets = RunTargets(hosts: ["h1", "h2", "h3"])
        writer.handle(.runStarted(header))
        func path(_ host: String, _ step: String) -> StepPath { StepPath(target: host, step: step) }
        writer.handle(.stepEnded(StepEnd(path: path("h1", "a"), outcome: .ok, duration: 1, next: "b")))
        writer.handle(.stepEnded(StepEnd(path: path("h2", "a"), outcome: .ok, duration: 1, next: "b")))
        writer.handle(.stepStarted(StepStart(path: path("h2", "b"), title: "B")))
        writer.handle(.concluded(Conclusion(path: path("h3", "a"), message: "fine", severity: .ok)))
        writer.handle(.targetEnded(TargetEnd(target: "h3", status: .concluded, exitCode: 0, severity: .ok, conclusion: "fine")))
        writer.handle(.variable(VariableSet(path: path("h1", "a"), name: "n", value: .number(1))))
        writer.close()
        let point = ResumePoint(journal: try JournalReader.read(path: fixture.path()))
        XCTAssertEqual(point.targets.map(\.target), ["h1", "h2", "h3"])
        XCTAssertEqual(point.targets.map(\.position), [.at("b"), .at("b"), .finished(.concluded)])
        XCTAssertEqual(point.unfinished.map(\.target), ["h1", "h2"])
        XCTAssertEqual(point.targets[0].variables["n"]?.value, .number(1))
        XCTAssertNil(point.targets[1].variables["n"])
        XCTAssertEqual(point.conclusions["h3"], ResumePoint.Concluded(message: "fine", severity: .ok))
    }

    func testOperatorMovesInTheReplDecideWhereItGoesOn() throws {
        let point = ResumePoint(journal: try journal([
            .stepStarted(stepID: "a", title: "A", host: nil),
            .stepEnded(stepID: "a", outcome: .ok, duration: 1, next: "b"),
            .cursor(CursorMove(target: nil, step: "d", reason: "goto")),
        ]))
        XCTAssertEqual(point.targets[0].position, .at("d"))
    }

    func testNothingStarted() throws {
        XCTAssertEqual(ResumePoint(journal: try journal([])).targets[0].position, .beginning)
    }
}
