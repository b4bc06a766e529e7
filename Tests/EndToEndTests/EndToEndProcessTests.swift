// Process groups, timeouts, Ctrl-C and colour: the runner as the operating system sees it.

import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class EndToEndProcessTests: XCTestCase {
    private var dir = ""
    /// Processes a test started indirectly, killed in tearDown if a test failed half-way.
    private var leftovers: [pid_t] = []

    override func setUpWithError() throws {
        dir = try E2E.makeDirectory("process")
    }

    override func tearDown() {
        for pid in leftovers where pid > 1 && !E2E.processIsGone(pid) { kill(pid, SIGKILL) }
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// A command that starts a background grandchild and hangs waiting for it.
    private let hangingRunbook = """
    runbook "hangs"
    param dir
    step hang "Hang"
      timeout 1s $ echo $$ > "$dir/pgid"; sleep 300 & echo $! > "$dir/pid"; wait
    step after "After"
      $ touch "$dir/after"
    """

    func testTimeoutEndsTheWholeProcessGroup() throws {
        try E2E.write(hangingRunbook, to: "t.runbook", in: dir)
        let result = try E2E.run(["run", "t.runbook", "--no-journal", "dir=\(dir)"], in: dir, timeout: 20)
        XCTAssertFalse(result.timedOut)
        XCTAssertLessThan(result.duration, 20, "a 1 s timeout must end the run well within 20 s")
        let grandchild = try XCTUnwrap(E2E.read(dir + "/pid").flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) },
                                       "the command did not start its background process")
        let shell = try XCTUnwrap(E2E.read(dir + "/pgid").flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
        leftovers += [grandchild, shell]
        XCTAssertTrue(E2E.waitUntilGone(grandchild, seconds: 5), "the background `sleep 300` (pid \(grandchild)) outlived the timeout")
        XCTAssertEqual(kill(grandchild, 0), -1)
        XCTAssertEqual(errno, ESRCH, "kill(pid, 0) must fail with ESRCH: the grandchild is gone")
        XCTAssertTrue(kill(-shell, 0) == -1 && errno == ESRCH, "a process of the command's group (pgid \(shell)) is alive")
        XCTAssertEqual(result.exitCode, 4)
        XCTAssertTrue(result.stdout.contains("⏱ timed out after"), result.stdout)
        XCTAssertTrue(result.stdout.contains("timed out after 1.0s"), result.stdout)
        XCTAssertFalse(E2E.exists(dir + "/after"), "the run must stop at the timed-out command")
    }

    func testTimedOutCaptureIsAValueNotAFailure() throws {
        try E2E.write("""
        runbook "captured timeout"
        step s "S"
          r = timeout 300ms $ sleep 30
          print "timed_out={r.timed_out} exit={r.exit} ok={r.ok}"
        """, to: "t.runbook", in: dir)
        let result = try E2E.run(["run", "t.runbook", "--no-journal"], in: dir, timeout: 20)
        XCTAssertEqual(result.exitCode, 0, result.stdout)
        XCTAssertTrue(result.stdout.contains("timed_out=true exit=124 ok=false"), result.stdout)
    }

    func testInterruptEndsTheCommandsGroupAndExitsThree() throws {
        try E2E.write("""
        runbook "interrupted"
        param dir
        step long "Long"
          $ echo $$ > "$dir/pgid"; sleep 300 & echo $! > "$dir/pid"; echo started; wait
        step after "After"
          $ touch "$dir/after"
        """, to: "i.runbook", in: dir)
        let running = try E2EProcess(arguments: ["run", "i.runbook", "--no-journal", "dir=\(dir)"],
                                         directory: dir, environment: nil, stdin: nil)
        guard let pidText = E2E.waitForFile(dir + "/pid", seconds: 15) else {
            running.interrupt()
            let result = running.wait(timeout: 10)
            return XCTFail("the long command never started\n\(result.stdout)\n\(result.stderr)")
        }
        let grandchild = try XCTUnwrap(pid_t(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
        let shell = try XCTUnwrap(E2E.read(dir + "/pgid").flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
        leftovers += [grandchild, shell]
        XCTAssertFalse(E2E.processIsGone(grandchild), "the grandchild should be running before the interrupt")
        running.interrupt()   // SIGINT to the runner only, as a terminal's Ctrl-C would (it has its own group)
        let result = running.wait(timeout: 20)
        XCTAssertFalse(result.timedOut, "the runner did not stop after SIGINT")
        XCTAssertNil(result.signal, "the runner must handle SIGINT, not die of it")
        XCTAssertEqual(result.exitCode, 3, result.stdout)
        XCTAssertTrue(result.stdout.contains("interrupted by the operator"), result.stdout)
        XCTAssertTrue(E2E.waitUntilGone(grandchild, seconds: 5), "the command's background process survived Ctrl-C")
        XCTAssertTrue(kill(-shell, 0) == -1 && errno == ESRCH, "a process of the command's group (pgid \(shell)) is alive")
        XCTAssertFalse(E2E.exists(dir + "/after"), "no step may run after Ctrl-C")
    }

    // MARK: Colour

    /// Runs with stdout on a pseudo-terminal (where colour would be on), returns what it printed.
    private func runOnTerminal(_ arguments: [String], environment: [String: String]) throws -> String {
        guard let pty = PseudoTerminalCalls.load() else { throw XCTSkip("no pseudo-terminal functions in libc") }
        let master = pty.openpt(O_RDWR | O_NOCTTY)
        guard master >= 0, pty.grantpt(master) == 0, pty.unlockpt(master) == 0, let name = pty.ptsname(master) else {
            throw XCTSkip("no pseudo-terminal available")
        }
        let slave = open(String(cString: name), O_RDWR | O_NOCTTY)
        guard slave >= 0 else { close(master); throw XCTSkip("cannot open the pseudo-terminal") }
        let output = E2ELockedData()
        let reader = Thread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = read(master, &buffer, buffer.count)
                if n <= 0 { break }   // EIO once the last writer has closed the slave
                output.append(Data(buffer[0..<n]))
            }
        }
        reader.start()
        let running = try E2EProcess(arguments: arguments, directory: dir, environment: environment, stdin: nil,
                                         stdout: FileHandle(fileDescriptor: slave, closeOnDealloc: false))
        close(slave)
        let result = running.wait(timeout: 30)
        XCTAssertFalse(result.timedOut)
        let deadline = Date().addingTimeInterval(5)
        while !reader.isFinished && Date() < deadline { usleep(10_000) }
        close(master)
        return String(decoding: output.value, as: UTF8.self)
    }

    func testColourOnlyOnATerminalAndNeverWithNoColor() throws {
        try E2E.write("""
        runbook "colour"
        step s "S"
          $ echo hello
          expect false else "a finding, in yellow on a terminal"
        """, to: "c.runbook", in: dir)
        let args = ["run", "c.runbook", "--no-journal"]
        let coloured = try runOnTerminal(args, environment: E2E.environment(["TERM": "xterm"]))
        XCTAssertTrue(coloured.contains("\u{1B}["), "on a terminal the output is coloured (else this test proves nothing): \(coloured)")
        XCTAssertTrue(coloured.contains("hello"))

        let noColorEnv = try runOnTerminal(args, environment: E2E.environment(["TERM": "xterm", "NO_COLOR": "1"]))
        XCTAssertTrue(noColorEnv.contains("hello"), noColorEnv)
        XCTAssertFalse(noColorEnv.contains("\u{1B}"), "NO_COLOR=1 must give no escape codes: \(noColorEnv.debugDescription)")

        let flag = try runOnTerminal(args + ["--no-color"], environment: E2E.environment(["TERM": "xterm"]))
        XCTAssertTrue(flag.contains("hello"), flag)
        XCTAssertFalse(flag.contains("\u{1B}"), "--no-color must give no escape codes: \(flag.debugDescription)")

        let piped = try E2E.run(args, in: dir, environment: E2E.environment(["TERM": "xterm"]))
        XCTAssertFalse(piped.stdout.contains("\u{1B}"), "no colour when stdout is not a terminal")
        XCTAssertFalse(piped.stderr.contains("\u{1B}"))
    }

    func testCheckErrorsHaveNoEscapeCodesWithNoColor() throws {
        try E2E.write("runbook \"b\"\nstep s \"S\"\n  goto nowhere\n", to: "b.runbook", in: dir)
        for args in [["check", "--no-color", "b.runbook"], ["check", "b.runbook"]] {
            let result = try E2E.run(args, in: dir, environment: E2E.environment(["TERM": "xterm", "NO_COLOR": "1"]))
            XCTAssertEqual(result.exitCode, 2)
            XCTAssertTrue(result.stderr.contains("b.runbook:3:8: error: no step 'nowhere'"), result.stderr)
            XCTAssertFalse(result.stderr.contains("\u{1B}"), result.stderr.debugDescription)
        }
    }
}

/// posix_openpt & co. are not visible through the Glibc module; look them up in libc.
private struct PseudoTerminalCalls {
    let openpt: @convention(c) (Int32) -> Int32
    let grantpt: @convention(c) (Int32) -> Int32
    let unlockpt: @convention(c) (Int32) -> Int32
    let ptsname: @convention(c) (Int32) -> UnsafeMutablePointer<CChar>?

    static func load() -> PseudoTerminalCalls? {
        let handle = dlopen(nil, RTLD_NOW)
        func symbol(_ name: String) -> UnsafeMutableRawPointer? { dlsym(handle, name) }
        guard let o = symbol("posix_openpt"), let g = symbol("grantpt"), let u = symbol("unlockpt"),
              let p = symbol("ptsname") else { return nil }
        return PseudoTerminalCalls(
            openpt: unsafeBitCast(o, to: (@convention(c) (Int32) -> Int32).self),
            grantpt: unsafeBitCast(g, to: (@convention(c) (Int32) -> Int32).self),
            unlockpt: unsafeBitCast(u, to: (@convention(c) (Int32) -> Int32).self),
            ptsname: unsafeBitCast(p, to: (@convention(c) (Int32) -> UnsafeMutablePointer<CChar>?).self))
    }
}
