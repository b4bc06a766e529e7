import Foundation
import XCTest
@testable import RunbookKit

/// A journal that cannot be written must say so instead of losing the record silently.
final class JournalDiskFullTests: XCTestCase {
    /// /dev/full fails every write with ENOSPC; no privileges needed.
    func testWriteErrorOnDevFull() throws {
        guard FileManager.default.fileExists(atPath: "/dev/full") else { throw XCTSkip("no /dev/full on this system") }
        let fixture = try JournalFixture()
        let writer = try JournalWriter(path: "/dev/full")
        writer.handle(.runStarted(fixture.header()))
        let error = try XCTUnwrap(writer.writeError)
        XCTAssertTrue(error.contains("No space left on device"), error)
        XCTAssertThrowsError(try writer.checkHealthy()) { thrown in
            guard case JournalError.writeFailed(let path, _) = thrown else { return XCTFail("unexpected \(thrown)") }
            XCTAssertEqual(path, "/dev/full")
        }
        // Later events neither crash nor replace the first error.
        for event in fixture.sampleEvents() { writer.handle(event) }
        XCTAssertEqual(writer.writeError, error)
        writer.close()
    }

    /// A real full filesystem: a 64 KiB tmpfs, filled up. Needs root (mount).
    func testWriteErrorOnFullTmpfs() throws {
        let fixture = try JournalFixture()
        let mountPoint = fixture.path("tiny")
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        try Self.mountTinyTmpfs(at: mountPoint)
        defer { withExtendedLifetime(fixture) {} }   // its directory goes only after the unmount
        defer { _ = Self.run("/bin/umount", [mountPoint]) }

        // Fill the filesystem to the last byte.
        let filler = open(mountPoint + "/filler", O_WRONLY | O_CREAT, 0o600)
        XCTAssertGreaterThanOrEqual(filler, 0)
        let block = [UInt8](repeating: 0x41, count: 4096)
        var result = 0
        repeat { result = block.withUnsafeBytes { write(filler, $0.baseAddress, $0.count) } } while result > 0
        XCTAssertEqual(errno, ENOSPC)
        close(filler)

        let writer = try JournalWriter(path: mountPoint + "/journal/run.jsonl")
        writer.handle(.runStarted(fixture.header()))
        writer.handle(.stepStarted(stepID: "s", title: "t", host: nil))
        let error = try XCTUnwrap(writer.writeError, "writing to a full filesystem must be reported")
        XCTAssertTrue(error.contains("No space left on device"), error)
        XCTAssertThrowsError(try writer.checkHealthy())
        writer.close()
    }

    /// Space for the header but not for a big command result: the journal keeps everything
    /// before the failure, and the reader copes with whatever part of the line made it.
    func testJournalStaysReadableWhenTheDiskFillsMidRun() throws {
        let fixture = try JournalFixture()
        let mountPoint = fixture.path("tiny")
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        try Self.mountTinyTmpfs(at: mountPoint)
        defer { withExtendedLifetime(fixture) {} }   // its directory goes only after the unmount
        defer { _ = Self.run("/bin/umount", [mountPoint]) }

        let writer = try JournalWriter(path: mountPoint + "/run.jsonl", outputLimit: 1 << 20)
        writer.handle(.runStarted(fixture.header()))
        writer.handle(.stepStarted(stepID: "logs", title: "Read the logs", host: nil))
        XCTAssertNil(writer.writeError)
        let huge = String(repeating: "x", count: 200 * 1024)
        writer.handle(.commandEnded(id: 1, stepID: "logs", host: nil, script: "cat big",
                                    result: CommandResult(stdout: huge, duration: 0)))
        XCTAssertNotNil(writer.writeError)
        writer.handle(.stepEnded(stepID: "logs", outcome: .ok, duration: 1))
        writer.close()

        let journal = try JournalReader.read(path: mountPoint + "/run.jsonl")
        XCTAssertEqual(journal.header.runbookTitle, "Pod keeps restarting")
        XCTAssertEqual(journal.events.map(\.type), ["step_start"])
        XCTAssertEqual(journal.damagedLines, [])
    }

    private static func mountTinyTmpfs(at path: String) throws {
        guard geteuid() == 0 else {
            throw XCTSkip("needs root to mount a 64 KiB tmpfs (the /dev/full test covers ENOSPC without it)")
        }
        let status = run("/bin/mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", path])
        if status != 0 {
            throw XCTSkip("mount -t tmpfs failed (exit \(status)); no permission to mount here")
        }
    }

    @discardableResult
    private static func run(_ tool: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        do {
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus
        } catch {
            return -1
        }
    }
}
