// LocalExecutor: timeouts, leftovers and the end of the whole process group.

import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import RunbookKit

final class LocalExecutorProcessGroupTests: XCTestCase {
    let executor = LocalExecutor(cancellation: Cancellation())
    var directory = ""

    override func setUp() {
        directory = HostTest.makeTemporaryDirectory()
    }

    override func tearDown() {
        HostTest.removeDirectory(directory)
    }

    func testTimeoutEndsTheWholeGroup() throws {
        let pidFile = directory + "/grandchild"
        let groupFile = directory + "/group"
        let script = "echo $$ > '\(groupFile)'; sleep 300 & echo $! > '\(pidFile)'; sleep 300"
        let started = Date()
        // 1 s: time enough, even on a loaded machine, for the script to write its files.
        let result = executor.run(CommandRequest(script: script, timeout: 1, killGrace: 2), onLine: { _, _ in })
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
        XCTAssertTrue(result.timedOut)
        XCTAssertEqual(result.exitCode, 124)
        XCTAssertFalse(result.cancelled)
        let grandchild = try XCTUnwrap(HostTest.readPID(pidFile))
        let group = try XCTUnwrap(HostTest.readPID(groupFile))
        XCTAssertFalse(HostTest.processExists(grandchild), "background sleep survived the timeout")
        XCTAssertEqual(kill(-group, 0), -1)
        XCTAssertEqual(errno, ESRCH)
    }

    func testCommandIgnoringTermIsKilledAfterGrace() throws {
        let groupFile = directory + "/group"
        let script = "echo $$ > '\(groupFile)'; trap '' TERM; sleep 300"
        let started = Date()
        let result = executor.run(CommandRequest(script: script, timeout: 1, killGrace: 0.5), onLine: { _, _ in })
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertLessThan(elapsed, 10)
        XCTAssertGreaterThanOrEqual(elapsed, 1.4, "SIGKILL came before the grace period ended")
        XCTAssertTrue(result.timedOut)
        XCTAssertEqual(result.exitCode, 124)
        let group = try XCTUnwrap(HostTest.readPID(groupFile))
        XCTAssertFalse(HostTest.groupExists(group))
    }

    func testBackgroundLeftoverDoesNotDelayOrOutliveTheCommand() throws {
        let pidFile = directory + "/background"
        let script = "sleep 100 & echo $! > '\(pidFile)'; echo done"
        let started = Date()
        let lines = LineCollector()
        let result = executor.run(CommandRequest(script: script, timeout: 60), onLine: lines.callback)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
        XCTAssertEqual(result.exitCode, 0)
        XCTAssertFalse(result.timedOut)
        XCTAssertEqual(result.stdout, "done\n")
        XCTAssertEqual(lines.lines(.stdout), ["done"])
        let background = try XCTUnwrap(HostTest.readPID(pidFile))
        XCTAssertFalse(HostTest.processExists(background), "background sleep outlived its command")
    }

    func testLeftoverIgnoringTermIsKilledToo() throws {
        let pidFile = directory + "/background"
        let script = "(trap '' TERM; sleep 100) & echo $! > '\(pidFile)'"
        let started = Date()
        let result = executor.run(CommandRequest(script: script, timeout: 60, killGrace: 0.3), onLine: { _, _ in })
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
        XCTAssertEqual(result.exitCode, 0)
        let background = try XCTUnwrap(HostTest.readPID(pidFile))
        XCTAssertFalse(HostTest.processExists(background))
    }

    func testCommandThatClosesStdoutIsStillTimed() {
        let started = Date()
        let result = executor.run(CommandRequest(script: "exec >&- 2>&-; sleep 300", timeout: 0.5, killGrace: 1),
                                  onLine: { _, _ in })
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
        XCTAssertTrue(result.timedOut)
        XCTAssertEqual(result.exitCode, 124)
    }

    func testCommandThatClosesStdoutEndsNormally() {
        let result = executor.run(CommandRequest(script: "echo before; exec >&-; sleep 0.3; exit 4", timeout: 30),
                                  onLine: { _, _ in })
        XCTAssertEqual(result.stdout, "before\n")
        XCTAssertEqual(result.exitCode, 4)
        XCTAssertFalse(result.timedOut)
        XCTAssertGreaterThanOrEqual(result.duration, 0.25)
    }

    func testOutputBeforeTimeoutIsKept() {
        let lines = LineCollector()
        let result = executor.run(CommandRequest(script: "echo started; sleep 300", timeout: 0.5),
                                  onLine: lines.callback)
        XCTAssertTrue(result.timedOut)
        XCTAssertEqual(result.stdout, "started\n")
        XCTAssertEqual(lines.lines(.stdout), ["started"])
    }
}
