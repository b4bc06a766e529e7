import Foundation
import XCTest
@testable import RunbookKit

final class JournalWriterTests: XCTestCase {
    func testWritesHeaderThenEventsAndReadsThemBack() throws {
        let fixture = try JournalFixture()
        let writer = try fixture.writer()
        for event in fixture.sampleEvents() { writer.handle(event) }
        writer.close()
        XCTAssertNil(writer.writeError)

        let journal = try JournalReader.read(path: fixture.path())
        XCTAssertEqual(journal.header.runbookPath, "runbooks/crashloop.runbook")
        XCTAssertEqual(journal.header.runbookTitle, "Pod keeps restarting")
        XCTAssertEqual(journal.header.contentHash, "sha256:0123456789abcdef0123456789abcdef")
        XCTAssertEqual(journal.header.gitCommit, "abc1234")
        XCTAssertEqual(journal.header.parameters, ["pod": "web-1", "namespace": "default"])
        XCTAssertEqual(journal.header.user, "oncall")
        XCTAssertEqual(journal.header.host, "bastion-1")
        XCTAssertEqual(journal.header.toolVersion, "0.1.0")
        XCTAssertEqual(journal.header.mode, .run)
        XCTAssertEqual(journal.header.startTime.timeIntervalSince1970, fixture.start.timeIntervalSince1970, accuracy: 0.001)
        XCTAssertFalse(journal.truncatedLastLine)
        XCTAssertEqual(journal.damagedLines, [])

        // commandOutput is not journaled; everything else is, in order.
        XCTAssertEqual(journal.events.map(\.type), [
            "step_start", "command_start", "command_end", "variable", "finding", "branch", "step_end",
            "step_start", "command_end", "decision", "message", "note", "mark", "conclusion", "step_end",
            "run_end",
        ])
        guard case .commandEnded(let failed) = journal.events[8].kind else { return XCTFail("expected command_end") }
        XCTAssertEqual(failed.step, "logs")
        XCTAssertEqual(failed.host, "node-7")
        XCTAssertEqual(failed.command, "kubectl logs \"$pod\" --previous")
        XCTAssertEqual(failed.exitCode, 1)
        XCTAssertEqual(failed.duration, 1.5, accuracy: 0.0005)
        XCTAssertEqual(failed.stderr, "Error: config file /etc/app.yaml not found\n")
        XCTAssertFalse(failed.succeeded)
        let start = failed.start(endedAt: journal.events[8].time)
        XCTAssertEqual(journal.events[8].time.timeIntervalSince(start), 1.5, accuracy: 0.002)
        XCTAssertEqual(journal.events[10].kind, .message(stepID: "logs", text: "Checked the previous container"))
        XCTAssertEqual(journal.events.last?.kind, .runEnded(status: .concluded, exitCode: 0, duration: 3.5))
    }

    func testRawRecordsCarryTypeTimeAndFieldNames() throws {
        let fixture = try JournalFixture()
        let writer = try fixture.writer()
        for event in fixture.sampleEvents() { writer.handle(event) }
        writer.close()

        let objects = try fixture.objects()
        XCTAssertEqual(objects[0]["type"] as? String, "header")
        XCTAssertEqual(objects[0]["startTime"] as? String, "2024-05-01T03:15:09.042Z")
        XCTAssertEqual(objects[0]["runbookPath"] as? String, "runbooks/crashloop.runbook")
        XCTAssertEqual(objects[0]["format"] as? Int, RunHeader.currentFormat)
        for object in objects {
            XCTAssertNotNil(object["type"] as? String)
            XCTAssertNotNil((object["t"] as? String).flatMap(JournalTime.parse), "bad t in \(object)")
        }
        let commandEnd = try XCTUnwrap(objects.first { $0["type"] as? String == "command_end" })
        for key in ["id", "path", "script", "result", "stdoutCut", "stderrCut"] {
            XCTAssertNotNil(commandEnd[key], "command_end lacks \(key)")
        }
        let result = try XCTUnwrap(commandEnd["result"] as? [String: Any])
        for key in ["stdout", "stderr", "exitCode", "timedOut", "cancelled", "unreachable", "duration", "stdoutBytes", "stderrBytes"] {
            XCTAssertNotNil(result[key], "command_end's result lacks \(key)")
        }
        XCTAssertEqual((commandEnd["path"] as? [String: Any])?["step"] as? String, "status")
        XCTAssertEqual(objects[1]["t"] as? String, "2024-05-01T03:15:10.042Z")
    }

    func testEachEventIsACompleteLineOnDiskAsSoonAsHandleReturns() throws {
        let fixture = try JournalFixture()
        let writer = try fixture.writer()
        var expectedLines = 0
        for event in fixture.sampleEvents() {
            writer.handle(event)
            if case .commandOutput = event { } else { expectedLines += 1 }
            // Read through a separate descriptor: nothing may sit in a buffer of the writer.
            let data = try XCTUnwrap(FileManager.default.contents(atPath: fixture.path()))
            XCTAssertEqual(data.last, UInt8(ascii: "\n"), "partial line after \(event)")
            XCTAssertEqual(data.filter { $0 == UInt8(ascii: "\n") }.count, expectedLines)
            let journal = try JournalReader.parse(data)
            XCTAssertFalse(journal.truncatedLastLine)
            XCTAssertEqual(journal.events.count, expectedLines - 1)
        }
        writer.close()
    }

    func testEscapesControlCharactersQuotesAndKeepsUnicode() throws {
        let fixture = try JournalFixture()
        let writer = try fixture.writer()
        let tricky = "quote \" backslash \\ tab \t nl \n cr \r nul \u{0} esc \u{1B}[31m bell \u{7} 节点 café 🚀"
        writer.handle(.runStarted(fixture.header()))
        writer.handle(.message(stepID: "s", text: tricky))
        writer.close()

        let raw = try String(contentsOfFile: fixture.path(), encoding: .utf8)
        XCTAssertTrue(raw.contains("\\u0000"))
        XCTAssertTrue(raw.contains("\\u001b[31m"))
        XCTAssertTrue(raw.contains("\\u0007"))
        XCTAssertTrue(raw.contains("节点 café 🚀"))
        XCTAssertEqual(raw.split(separator: "\n").count, 2)
        let journal = try JournalReader.read(path: fixture.path())
        XCTAssertEqual(journal.events.first?.kind, .message(stepID: "s", text: tricky))
    }

    func testCreatesParentDirectoriesAndAppends() throws {
        let fixture = try JournalFixture()
        let nested = fixture.path("a/b/c/run.jsonl")
        var writer: JournalWriter? = try JournalWriter(path: nested)
        writer?.handle(.runStarted(fixture.header()))
        writer = nil   // deinit closes
        writer = try JournalWriter(path: nested)
        writer?.handle(.note(stepID: nil, text: "appended"))
        writer?.close()
        let journal = try JournalReader.read(path: nested)
        XCTAssertEqual(journal.events.map(\.kind), [.note(stepID: nil, text: "appended")])
        let mode = try FileManager.default.attributesOfItem(atPath: nested)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)
    }

    func testDirectoryJournalIsNamedAfterTimeRunbookAndPid() throws {
        let fixture = try JournalFixture()
        let writer = try JournalWriter(directory: fixture.directory + "/journal",
                                       runbookPath: "/srv/runbooks/node health.runbook", startTime: fixture.start)
        writer.close()
        XCTAssertEqual(writer.path, fixture.directory + "/journal/20240501-031509-node_health-\(getpid()).jsonl")
        XCTAssertTrue(FileManager.default.fileExists(atPath: writer.path))

        let second = try JournalWriter(directory: fixture.directory + "/journal",
                                       runbookPath: "/srv/runbooks/node health.runbook", startTime: fixture.start)
        second.close()
        XCTAssertEqual(second.path, fixture.directory + "/journal/20240501-031509-node_health-\(getpid())-2.jsonl")

        XCTAssertEqual(JournalWriter.fileName(runbookPath: "", startTime: fixture.start, pid: 7), "20240501-031509-run-7.jsonl")
        XCTAssertEqual(JournalWriter.defaultDirectory(environment: [:], currentDirectory: "/work"), "/work/.runbook/journal")
        XCTAssertEqual(JournalWriter.defaultDirectory(environment: ["RUNBOOK_JOURNAL_DIR": "/var/log/rb"], currentDirectory: "/work"),
                       "/var/log/rb")
    }

    func testOpeningAnImpossiblePathThrows() {
        XCTAssertThrowsError(try JournalWriter(path: "/proc/definitely/not/here.jsonl")) { error in
            guard case JournalError.cannotOpen = error else { return XCTFail("unexpected \(error)") }
        }
    }

    func testEventsAfterCloseAreIgnored() throws {
        let fixture = try JournalFixture()
        let writer = try fixture.writer()
        writer.handle(.runStarted(fixture.header()))
        writer.close()
        writer.handle(.note(stepID: nil, text: "late"))
        writer.close()
        XCTAssertEqual(try JournalReader.read(path: fixture.path()).events.count, 0)
        XCTAssertNoThrow(try writer.checkHealthy())
    }

    func testTimeFormatRoundTrips() {
        let date = Date(timeIntervalSince1970: 1_714_533_309.042)
        XCTAssertEqual(JournalTime.iso8601(date), "2024-05-01T03:15:09.042Z")
        XCTAssertEqual(JournalTime.parse("2024-05-01T03:15:09.042Z")!.timeIntervalSince1970, 1_714_533_309.042, accuracy: 0.0001)
        XCTAssertEqual(JournalTime.parse("2024-05-01T03:15:09Z")!.timeIntervalSince1970, 1_714_533_309, accuracy: 0.0001)
        XCTAssertNil(JournalTime.parse("yesterday"))
        XCTAssertEqual(JournalTime.fileStamp(date), "20240501-031509")
    }

    func testRefusesASymbolicLinkAnotherUsersFileAndAJournalInUse() throws {
        let fixture = try JournalFixture()
        let target = fixture.path("elsewhere.txt")
        FileManager.default.createFile(atPath: target, contents: Data("someone else's\n".utf8))
        try FileManager.default.createSymbolicLink(atPath: fixture.path("link.jsonl"), withDestinationPath: target)
        XCTAssertThrowsError(try JournalWriter(path: fixture.path("link.jsonl"))) { error in
            XCTAssertTrue("\(error)".contains("symbolic link"), "\(error)")
        }
        XCTAssertEqual(try String(contentsOfFile: target, encoding: .utf8), "someone else's\n", "nothing was appended through the link")

        if geteuid() == 0 {
            let foreign = fixture.path("foreign.jsonl")
            FileManager.default.createFile(atPath: foreign, contents: Data())
            XCTAssertEqual(chown(foreign, 65534, 65534), 0)
            XCTAssertThrowsError(try JournalWriter(path: foreign)) { error in
                XCTAssertTrue("\(error)".contains("owned by another user"), "\(error)")
            }
        }

        let first = try fixture.writer("busy.jsonl")
        XCTAssertThrowsError(try fixture.writer("busy.jsonl")) { error in
            XCTAssertEqual(error as? JournalError, .inUse(path: fixture.path("busy.jsonl")))
        }
        first.close()
        XCTAssertNoThrow(try fixture.writer("busy.jsonl").close(), "a closed journal can be appended to again")
    }
}
