import Foundation
import XCTest
@testable import RunbookKit

final class JournalTruncationTests: XCTestCase {
    func testBigOutputsAreCutWithMarkerAndTotalSize() throws {
        let fixture = try JournalFixture()
        let writer = try fixture.writer()
        let big = String(repeating: "0123456789abcdef\n", count: 4096)   // 68 KiB
        writer.handle(.runStarted(fixture.header()))
        writer.handle(.commandEnded(id: 1, stepID: "logs", host: nil, script: "journalctl -u kubelet",
                                    result: CommandResult(stdout: big, stderr: "short", exitCode: 0, duration: 2)))
        writer.close()

        let objects = try fixture.objects()
        let record = objects[1]
        let result = try XCTUnwrap(record["result"] as? [String: Any])
        let stdout = try XCTUnwrap(result["stdout"] as? String)
        XCTAssertLessThanOrEqual(stdout.utf8.count, 16 * 1024)
        XCTAssertGreaterThan(stdout.utf8.count, 16 * 1024 - 4)
        XCTAssertTrue(big.hasPrefix(stdout))
        XCTAssertEqual(record["stdoutCut"] as? Bool, true)
        XCTAssertEqual((result["stdoutBytes"] as? NSNumber)?.intValue, big.utf8.count)
        XCTAssertEqual(result["stderr"] as? String, "short")
        XCTAssertEqual(record["stderrCut"] as? Bool, false)

        let journal = try JournalReader.read(path: fixture.path())
        guard case .commandEnded(let command) = journal.events[0].kind else { return XCTFail() }
        XCTAssertTrue(command.stdoutTruncated)
        XCTAssertEqual(command.stdoutBytes, big.utf8.count)
        XCTAssertFalse(command.stderrTruncated)
    }

    func testCutNeverSplitsACharacter() throws {
        let fixture = try JournalFixture()
        let writer = try fixture.writer(outputLimit: 10)
        writer.handle(.runStarted(fixture.header()))
        // "节" is 3 bytes: 10 bytes would end in the middle of the fourth one.
        writer.handle(.commandEnded(id: 1, stepID: "s", host: nil, script: "x",
                                    result: CommandResult(stdout: "节点节点节点", duration: 0)))
        writer.close()
        let journal = try JournalReader.read(path: fixture.path())
        guard case .commandEnded(let command) = journal.events[0].kind else { return XCTFail() }
        XCTAssertEqual(command.stdout, "节点节")
        XCTAssertTrue(command.stdoutTruncated)
        XCTAssertEqual(command.stdoutBytes, 18)
    }

    func testOutputAlreadyCutByTheExecutorIsMarked() throws {
        let fixture = try JournalFixture()
        let writer = try fixture.writer()
        writer.handle(.runStarted(fixture.header()))
        writer.handle(.commandEnded(id: 1, stepID: "s", host: nil, script: "yes | head -c 5000000",
                                    result: CommandResult(stdout: "y\ny\n", duration: 0, stdoutBytes: 5_000_000)))
        writer.close()
        let record = try fixture.objects()[1]
        XCTAssertEqual(record["stdoutCut"] as? Bool, true)
        XCTAssertEqual(((record["result"] as? [String: Any])?["stdoutBytes"] as? NSNumber)?.intValue, 5_000_000)
    }

    func testReaderToleratesATruncatedLastLine() throws {
        let fixture = try JournalFixture()
        let writer = try fixture.writer()
        for event in fixture.sampleEvents().prefix(5) { writer.handle(event) }
        writer.close()
        var data = try XCTUnwrap(FileManager.default.contents(atPath: fixture.path()))
        let complete = try JournalReader.parse(data)
        data.append(contentsOf: Array(#"{"type":"step_end","t":"2024-05-01T03:15:20.000Z","path":{"step":"sta"#.utf8))

        let journal = try JournalReader.parse(data)
        XCTAssertTrue(journal.truncatedLastLine)
        XCTAssertEqual(journal.events, complete.events)
        XCTAssertEqual(journal.damagedLines, [])
        XCTAssertTrue(JournalReport.markdown(journal).contains("interrupted"))
    }

    func testReaderListsDamagedUnknownAndIncompleteLinesLoudly() throws {
        let fixture = try JournalFixture()
        let writer = try fixture.writer()
        writer.handle(.runStarted(fixture.header()))
        writer.close()
        let header = try String(contentsOfFile: fixture.path(), encoding: .utf8)
        let text = header + """
        {"type":"note","t":"2024-05-01T03:15:10.000Z","text":"one"}
        {"type":"note","t":"2024-05-0
        {"type":"note","t":"2024-05-01T03:15:12.000Z","text":"two"}
        {"type":"from_the_future","t":"2024-05-01T03:15:13.000Z"}
        {"type":"step_end","t":"2024-05-01T03:15:14.000Z","outcome":"ok","duration":1}
        {"type":"step_end","t":"2024-05-01T03:15:15.000Z","path":{"calls":[],"step":"a"},"outcome":"exploded","duration":1}

        """
        let journal = try JournalReader.parse(Data(text.utf8))
        XCTAssertEqual(journal.damagedLines, [3, 5, 6, 7])
        XCTAssertEqual(journal.problems[1].reason, "unknown record type 'from_the_future'")
        XCTAssertEqual(journal.problems[2].reason, "missing field 'path'")
        XCTAssertFalse(journal.truncatedLastLine)
        XCTAssertEqual(journal.events.map(\.kind), [.note(stepID: nil, text: "one"), .note(stepID: nil, text: "two")])
    }

    func testReaderRefusesAnotherFormatVersion() {
        let old = #"{"type":"header","t":"2024-05-01T03:15:09.042Z","journal_version":1,"runbook":"r.runbook"}"# + "\n"
        XCTAssertThrowsError(try JournalReader.parse(Data(old.utf8))) { error in
            XCTAssertEqual(error as? JournalReadError, .unsupportedFormat(path: "journal", format: 1))
        }
    }

    func testReaderRejectsAFileWithoutHeader() {
        XCTAssertThrowsError(try JournalReader.parse(Data(#"{"type":"note","text":"x"}\n"#.utf8))) { error in
            XCTAssertEqual(error as? JournalReadError, .missingHeader(path: "journal"))
        }
        XCTAssertThrowsError(try JournalReader.parse(Data()))
        XCTAssertThrowsError(try JournalReader.read(path: "/nonexistent/journal.jsonl"))
    }
}
