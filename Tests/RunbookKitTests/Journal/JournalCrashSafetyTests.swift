import Foundation
import XCTest
@testable import RunbookKit

/// `kill -9` of the runner must leave a journal that reads back up to the last event.
final class JournalCrashSafetyTests: XCTestCase {
    private static let helperVariable = "RUNBOOK_JOURNAL_CRASH_HELPER"

    /// Runs in a child process started by `testKill9LeavesAReadableJournal`: writes events
    /// until it is killed. Does nothing in a normal test run.
    func testCrashHelperWritesUntilKilled() throws {
        guard let path = ProcessInfo.processInfo.environment[Self.helperVariable] else { return }
        let writer = try JournalWriter(path: path)
        // No JournalFixture here: this process dies by SIGKILL and could not remove its directory.
        writer.handle(.runStarted(RunHeader(runbookPath: "crash.runbook", runbookTitle: "Crash", contentHash: "h",
                                            gitCommit: nil, parameters: [:], user: "u", host: "h", startTime: Date(),
                                            toolVersion: "0", mode: .run)))
        let output = String(repeating: "output line with some text\n", count: 300)   // ~8 KiB per record
        var step = 0
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            step += 1
            writer.handle(.stepStarted(stepID: "s\(step)", title: "step \(step)", host: nil))
            writer.handle(.commandEnded(id: step, stepID: "s\(step)", host: nil, script: "cat",
                                        result: CommandResult(stdout: output, duration: 0.001)))
            writer.handle(.variable(name: "n", value: .number(Double(step))))
        }
    }

    func testKill9LeavesAReadableJournal() throws {
        #if os(Linux)
        let fixture = try JournalFixture()
        let path = fixture.path("crash.jsonl")
        // Re-run this test binary on the helper test alone.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = [String(reflecting: Self.self) + "/testCrashHelperWritesUntilKilled"]
        var environment = ProcessInfo.processInfo.environment
        environment[Self.helperVariable] = path
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()

        // Let it write a good number of records, then kill it mid-stream.
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if let size = try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int, size > 400_000 { break }
            usleep(10_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal)

        let journal = try JournalReader.read(path: path)
        XCTAssertEqual(journal.damagedLines, [], "only the last line may be incomplete")
        XCTAssertGreaterThan(journal.events.count, 30)
        // Events come in order, complete: every step_start is followed by its command and variable.
        for (index, event) in journal.events.enumerated() {
            let expected = ["step_start", "command_end", "variable"][index % 3]
            XCTAssertEqual(event.type, expected, "event \(index)")
        }
        #else
        throw XCTSkip("re-running the test binary as a helper is set up for Linux's XCTest runner")
        #endif
    }
}
