// The watchdog: what it ends when the runner's end of its socket closes (as at the runner's
// death), and what it leaves alone.

import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import RunbookKit

final class WatchdogTests: XCTestCase {
    var directory = ""
    var started: [SpawnedChild] = []

    override func setUp() {
        directory = HostTest.makeTemporaryDirectory()
        // The groups' orphans come back to this process to be reaped, so that tearDown sees
        // them gone at once.
        _ = ProcessGroupTerminator.adoptsOrphans
    }

    override func tearDown() {
        for child in started {
            ProcessGroupTerminator.end(group: child.processGroup, graceDeadline: SystemCalls.now() + 1)
            var status: Int32 = 0
            waitpid(child.pid, &status, WNOHANG)
            for descriptor in [child.stdoutDescriptor, child.stderrDescriptor, child.exitDescriptor] where descriptor >= 0 {
                close(descriptor)
            }
        }
        HostTest.removeDirectory(directory)
    }

    /// A process group of a shell and two background sleeps; returns the group and the pids.
    private func startGroup(_ name: String) throws -> (group: pid_t, pids: [pid_t]) {
        let file = directory + "/" + name
        let script = "sleep 300 & a=$!; sleep 300 & echo $$ $a $! > '\(file).tmp'; mv '\(file).tmp' '\(file)'; wait"
        let child = try ChildSpawner.spawn(arguments: ["/bin/sh", "-c", script], environment: [:]).get()
        started.append(child)
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: file) && Date() < deadline { usleep(10_000) }
        let text = try String(contentsOfFile: file, encoding: .utf8)
        return (child.processGroup, text.split(whereSeparator: \.isWhitespace).compactMap { pid_t($0) })
    }

    private func assertEnded(_ pids: [pid_t], file: StaticString = #filePath, line: UInt = #line) {
        for pid in pids {
            XCTAssertTrue(HostTest.waitUntilNotRunning(pid, seconds: 5), "pid \(pid) still runs", file: file, line: line)
        }
    }

    func testEndsRegisteredGroupsWhenTheRunnersEndCloses() throws {
        let watchdog = Watchdog()
        let first = try startGroup("first")
        let second = try startGroup("second")
        XCTAssertEqual(first.pids.count, 3)
        watchdog.watch(.group(first.group))
        watchdog.watch(.process(second.pids[1]))
        watchdog.release()
        assertEnded(first.pids + [second.pids[1]])
        XCTAssertTrue(HostTest.processIsRunning(second.pids[0]), "a process that was not registered was ended")
    }

    func testForgottenGroupsAreLeftAlone() throws {
        let watchdog = Watchdog()
        let group = try startGroup("group")
        watchdog.watch(.group(group.group))
        watchdog.watch(.group(999_999_999))
        watchdog.forget(.group(group.group))
        let helper = try XCTUnwrap(watchdog.helperProcess)
        watchdog.release()
        // The helper still had something registered: it signals it (no such group) and exits
        // after its grace second. The forgotten group must still be running then.
        XCTAssertTrue(HostTest.waitUntilNotRunning(helper, seconds: 10), "the helper did not exit")
        for pid in group.pids { XCTAssertTrue(HostTest.processIsRunning(pid), "pid \(pid) was ended after being forgotten") }
    }

    func testAHelperThatDiedIsReplaced() throws {
        let watchdog = Watchdog()
        watchdog.watch(.group(999_999_999))
        let first = try XCTUnwrap(watchdog.helperProcess)
        kill(first, SIGKILL)
        XCTAssertTrue(HostTest.waitUntilNotRunning(first, seconds: 5))
        let group = try startGroup("group")
        watchdog.watch(.group(group.group))
        let second = try XCTUnwrap(watchdog.helperProcess)
        XCTAssertNotEqual(first, second, "the registration went to a dead helper")
        watchdog.release()
        assertEnded(group.pids)
    }
}
