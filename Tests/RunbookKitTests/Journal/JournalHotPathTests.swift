import Foundation
import XCTest
@testable import RunbookKit

/// The specialised writer of the four per-step records produces exactly what the `Codable`
/// encoder makes of the same entry: one schema, whichever path writes it.
final class JournalHotPathTests: XCTestCase {
    func testWritesTheSameBytesAsTheCodableEncoder() throws {
        let time = Date(timeIntervalSince1970: 1_714_533_309.042)
        let paths = [StepPath(step: "s"), StepPath(target: "node-1", calls: ["pod-crashloop", "node-health"], step: "disk")]
        let tricky = "quote \" backslash \\ nl \n tab \t esc \u{1B} 节点 🚀"
        var events: [RunEvent] = []
        for path in paths {
            events += [
                .stepStarted(StepStart(path: path, title: tricky, host: nil)),
                .stepStarted(StepStart(path: path, title: "t", host: "h")),
                .stepEnded(StepEnd(path: path, outcome: .finding, duration: 0.001234, next: nil)),
                .stepEnded(StepEnd(path: path, outcome: .unreachable, duration: 12, next: "next-step")),
                .stepEnded(StepEnd(path: path, outcome: .ok, duration: .infinity, next: nil)),
                .commandStarted(CommandStart(id: 7, path: path, host: nil, script: tricky)),
                .commandStarted(CommandStart(id: -1, path: path, host: "[x]", script: "")),
                .commandEnded(CommandEnd(id: 1234567, path: path, host: "h", script: "ls",
                                         result: CommandResult(stdout: tricky, stderr: "e", exitCode: -9, timedOut: true,
                                                               cancelled: true, unreachable: true, duration: 3.5,
                                                               stdoutBytes: 1 << 40, stderrBytes: 0),
                                         stdoutCut: true, stderrCut: false)),
                .commandEnded(CommandEnd(id: 0, path: path, host: nil, script: "true", result: CommandResult())),
                .branch(BranchTaken(path: path, description: tricky)),
                .variable(VariableSet(path: path, name: "n", value: .number(42))),
                .variable(VariableSet(path: path, name: "x", value: .number(-0.125), redacted: true, cut: true)),
            ]
        }
        for value: Value in [.null, .bool(true), .bool(false), .string(tricky), .string(""), .number(1e300), .number(.nan)] {
            events.append(.variable(VariableSet(path: nil, name: "v", value: value)))
        }
        for event in events {
            let fast = try XCTUnwrap(JournalHotPath.line(for: event, at: time), "\(event)")
            let codable = try JournalLineEncoder.line(JournalEntry(time: time, event: event))
            XCTAssertEqual(String(decoding: fast, as: UTF8.self), String(decoding: codable, as: UTF8.self))
        }
        XCTAssertNil(JournalHotPath.line(for: .note(Note(path: nil, text: "n")), at: time), "other records go through Codable")
        XCTAssertNil(JournalHotPath.line(for: .variable(VariableSet(path: nil, name: "l", value: .list([]))), at: time))
        XCTAssertNil(JournalHotPath.line(for: .branch(BranchTaken(path: paths[0], description: "d", loop: .start(header: "h", items: 1))), at: time))
    }
}
