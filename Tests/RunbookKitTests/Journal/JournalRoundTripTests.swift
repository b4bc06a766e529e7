import Foundation
import XCTest
@testable import RunbookKit

/// Every event kind written by the journal writer and read back by the reader is the same
/// event: one schema, used both ways.
final class JournalRoundTripTests: XCTestCase {
    private func roundTrip(_ events: [RunEvent], secrets: [String] = []) throws -> Journal {
        let fixture = try JournalFixture()
        let writer = try fixture.writer(secrets: secrets)
        var header = fixture.header()
        header.plan = RunPlan(targets: RunTargets(hosts: ["h1", "h2"], inventory: "inv", group: "web", sshConfig: "cfg",
                                                  sshOptions: ["ConnectTimeout=3"], parallel: 4),
                              answers: ["go": "yes"], assumeYes: true, defaultTimeout: 12.5, fromStep: "b")
        header.secretParameters = ["token"]
        header.preludes = ["kube() { kubectl \"$@\"; }"]
        writer.handle(.runStarted(header))
        for event in events { writer.handle(event) }
        writer.close()
        XCTAssertNil(writer.writeError)
        let journal = try JournalReader.read(path: fixture.path())
        XCTAssertEqual(journal.header.plan, header.plan)
        XCTAssertEqual(journal.header.secretParameters, ["token"])
        XCTAssertEqual(journal.header.preludes, header.preludes)
        XCTAssertEqual(journal.problems, [])
        return journal
    }

    func testEveryKindOfEventComesBackTheSame() throws {
        let path = StepPath(target: "h1", calls: ["pod-crashloop", "node-health"], step: "disk")
        let result = CommandResult(stdout: "out\n", stderr: "err", exitCode: 3, timedOut: true, cancelled: false,
                                   unreachable: true, duration: 1.25, stdoutBytes: 4, stderrBytes: 3)
        let events: [RunEvent] = [
            .resumed(Resumption(user: "u", pid: 7, toolVersion: "0.1.0", positions: ["h1": "b", "": "c"], notRestored: ["x (why)"])),
            .stepStarted(StepStart(path: path, title: "Disk", host: "node-1")),
            .commandStarted(CommandStart(id: 1, path: path, host: "node-1", script: "df -h")),
            .commandEnded(CommandEnd(id: 1, path: path, host: "node-1", script: "df -h", result: result)),
            .finding(Finding(path: path, message: "full", evidence: "100%", host: "node-1")),
            .finding(Finding(path: path, message: "nearly full", evidence: "85%", host: nil, severity: .warning)),
            .branch(BranchTaken(path: path, description: "if x → true")),
            .branch(BranchTaken(path: path, description: "foreach p in pods: 2 items",
                                loop: .start(header: "foreach p in pods", items: 2))),
            .branch(BranchTaken(path: path, description: "foreach p in pods: 1 iteration",
                                loop: .end(header: "foreach p in pods", iterations: 1))),
            .decision(Decision(path: path, kind: .confirm, prompt: "Delete?", answer: "yes", source: .assumeYes)),
            .decision(Decision(path: nil, kind: .ask, id: "go", prompt: "Go?", answer: nil, source: .nobody)),
            .decision(Decision(path: nil, kind: .set, id: "n", prompt: "set n", answer: "3", source: .operator)),
            .message(Message(path: path, text: "hello")),
            .note(Note(path: nil, text: "a note")),
            .mark(Mark(path: path, outcome: "failed", remark: "by hand")),
            .variable(VariableSet(path: path, name: "v", value: .map(["z", "a"], ["z": .list([.bool(false), .null]), "a": .number(2.5)])) ),
            .variable(VariableSet(path: nil, name: "r", value: .result(result))),
            .variable(VariableSet(path: nil, name: "s", value: .string(""))),
            .cursor(CursorMove(target: nil, step: nil, reason: "skip")),
            .stepEnded(StepEnd(path: path, outcome: .unreachable, duration: 2, next: "e")),
            .concluded(Conclusion(path: path, message: "done")),
            .concluded(Conclusion(path: path, message: "broken", severity: .problem)),
            .failed(Failure(path: nil, message: "boom")),
            .targetEnded(TargetEnd(target: "h1", status: .unreachable, exitCode: 4, severity: .unknown, conclusion: nil, reason: "Connection refused")),
            .runEnded(RunEnd(status: .aborted, exitCode: 3, severity: .unknown, duration: 9.5)),
        ]
        let journal = try roundTrip(events)
        XCTAssertEqual(journal.entries.count, events.count)
        for (written, read) in zip(events, journal.entries.map(\.event)) {
            if case .variable(let w) = written, case .variable(let r) = read, case .map(_, let values) = w.value {
                // JSON objects keep no order a decoder sees: keys come back sorted.
                XCTAssertEqual(r.value, .map(["a", "z"], values))
                continue
            }
            XCTAssertEqual(read, written)
        }
    }

    func testSecretsAreMaskedInValuesButNeverInStructure() throws {
        // A short secret that is also a record type's letter, a key's and a step id's.
        let journal = try roundTrip([
            .stepStarted(StepStart(path: StepPath(step: "type"), title: "type")),
            .message(Message(path: StepPath(step: "type"), text: "the type is here")),
            .variable(VariableSet(path: nil, name: "k", value: .list([.string("type"), .number(1)]))),
        ], secrets: ["type"])
        XCTAssertEqual(journal.entries.count, 3)
        guard case .message(let message) = journal.entries[1].event,
              case .variable(let variable) = journal.entries[2].event else { return XCTFail() }
        XCTAssertEqual(message.path?.step, "type", "paths are structure, not values")
        XCTAssertEqual(message.text, "the ******** is here")
        XCTAssertEqual(variable.value, .list([.string("********"), .number(1)]))
        XCTAssertTrue(variable.redacted, "resume must know the value was masked")
    }

    func testLongValuesAreCutAndMarked() throws {
        let long = String(repeating: "x", count: RunEvent.journaledValueLimit + 10)
        let journal = try roundTrip([.variable(VariableSet(path: nil, name: "big", value: .string(long)))])
        guard case .variable(let variable) = journal.entries[0].event else { return XCTFail() }
        XCTAssertTrue(variable.cut)
        XCTAssertEqual(variable.value.text.utf8.count, RunEvent.journaledValueLimit)
    }
}
