// Stopping the runner while a command runs, besides Ctrl-C and SIGTERM (HardeningFaultTests):
// a dropped terminal or bastion session (SIGHUP), `kill -USR1`, `kill -USR2`, an alarm. Each
// must end the running command's process group and close the journal with an aborted run_end,
// as Ctrl-C does, instead of killing the runner at once and leaving the command running.
// And kill -9 (or the OOM killer, or a crash), which gives the runner no chance to end the
// command: its watchdog must, within a second or two.

import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class HardeningStopTests: XCTestCase {
    private var directory = ""
    private var journal: String { directory + "/run.jsonl" }
    /// Commands to kill in tearDown if a test failed half-way.
    private var leftovers: [pid_t] = []

    override func setUpWithError() throws {
        directory = try Hardening.makeDirectory("signals")
        try Hardening.write("""
            runbook "sleeps"
            step long "A long command"
              $ sleep 300

            """, "sleep.runbook", in: directory)
    }

    override func tearDown() {
        for pid in leftovers where pid > 1 && !E2E.processIsGone(pid) { kill(pid, SIGKILL) }
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func stop(with signal: Int32, _ label: String) throws {
        let runner = try HardeningProcess(["run", "sleep.runbook", "--journal", journal], directory: directory)
        let sleeps = ProcessTree.waitForDescendants(of: runner.pid, named: "sleep", count: 1, seconds: 30)
        guard let command = sleeps.first else {
            runner.send(SIGKILL)
            return XCTFail("\(label): the command did not start: \(runner.wait(timeout: 10).summary)")
        }
        leftovers.append(command)
        runner.send(signal)
        let result = runner.wait(timeout: 30)
        Hardening.assertClean(result, allowed: [3], "\(label) during a long command")
        XCTAssertTrue(Hardening.waitUntilGone(command, seconds: 5), "\(label): the command (pid \(command)) is still running")
        assertAbortedRecord(label)
    }

    /// The journal ends with a run_end record of an aborted run (matched loosely: the
    /// journal's schema may grow).
    private func assertAbortedRecord(_ label: String, file: StaticString = #filePath, line: UInt = #line) {
        let text = String(decoding: Hardening.read(journal) ?? Data(), as: UTF8.self)
        let ends = text.split(separator: "\n").filter {
            $0.range(of: #""type"\s*:\s*"run_end""#, options: .regularExpression) != nil
        }
        XCTAssertEqual(ends.count, 1, "\(label): one run_end record expected in:\n\(text.suffix(1500))", file: file, line: line)
        XCTAssertTrue(ends.first?.contains("aborted") ?? false, "\(label): the run must end as aborted: \(ends)",
                      file: file, line: line)
    }

    func testSIGHUPEndsTheCommandAndClosesTheJournal() throws {
        try stop(with: SIGHUP, "SIGHUP")
    }

    func testSIGUSR1EndsTheCommandAndClosesTheJournal() throws {
        try stop(with: SIGUSR1, "SIGUSR1")
    }

    func testSIGUSR2EndsTheCommandAndClosesTheJournal() throws {
        try stop(with: SIGUSR2, "SIGUSR2")
    }

    func testSIGALRMEndsTheCommandAndClosesTheJournal() throws {
        try stop(with: SIGALRM, "SIGALRM")
    }

    /// A real hangup: the runner on a tmux terminal whose session is closed. The pane's shell
    /// gets SIGHUP from the kernel, and as it dies the kernel sends SIGHUP to the foreground
    /// process group, the runner. The command runs in a group of its own, so nothing else
    /// tells it to stop.
    func testTerminalHangupEndsTheRunWithARecord() throws {
        let terminal = try TmuxTerminal(directory: directory)
        defer { terminal.shutdown() }
        try Hardening.write("""
            runbook "sleeps on a terminal"
            param dir
            step long "A long command"
              $ echo $PPID $$ > "$dir/pids.tmp"; mv "$dir/pids.tmp" "$dir/pids"; exec sleep 300

            """, "tty.runbook", in: directory)
        let command = [Hardening.binary, "run", directory + "/tty.runbook", "--journal", journal, "dir=\(directory)"]
            .map(ReplE2E.shellQuote).joined(separator: " ")
        try terminal.start("hup", command: command)
        guard let pids = Hardening.waitForLine(directory + "/pids", seconds: 30)?.split(separator: " ").compactMap({ pid_t($0) }),
              pids.count == 2 else {
            return XCTFail("the command did not start on the terminal: \(terminal.screen("hup"))")
        }
        let (runner, sleep) = (pids[0], pids[1])
        leftovers += [runner, sleep]
        _ = try ReplE2E.runTool(["tmux", "-S", terminal.socket, "kill-session", "-t", "hup"])
        XCTAssertTrue(Hardening.waitUntilGone(runner, seconds: 30), "the runner survived the hangup")
        XCTAssertTrue(Hardening.waitUntilGone(sleep, seconds: 5), "the command (pid \(sleep)) outlived the hangup")
        assertAbortedRecord("hangup")
    }

    /// Runs `command` as the only step, waits for `sleeps` sleep processes under the runner,
    /// kills the runner with SIGKILL and expects every one of them gone within 5 s.
    private func killRunner(during command: String, sleeps expected: Int) throws {
        try Hardening.write("""
            runbook "killed"
            step long "A long command"
              $ \(command)

            """, "kill.runbook", in: directory)
        let runner = try HardeningProcess(["run", "kill.runbook", "--no-journal"], directory: directory)
        let sleeps = ProcessTree.waitForDescendants(of: runner.pid, named: "sleep", count: expected, seconds: 30)
        leftovers += sleeps
        guard sleeps.count == expected else {
            runner.send(SIGKILL)
            return XCTFail("\(command): \(sleeps.count) of \(expected) sleeps started: \(runner.wait(timeout: 10).summary)")
        }
        // Commands are registered with the watchdog once they have run 20 ms (see
        // `Supervision.watchdogDelay`): kill after that, as an operator's kill -9 would come.
        usleep(200_000)
        runner.send(SIGKILL)
        XCTAssertEqual(runner.wait(timeout: 30).signal, SIGKILL)
        for sleep in sleeps {
            XCTAssertTrue(E2E.waitUntilGone(sleep, seconds: 5), "\(command): sleep (pid \(sleep)) outlived the runner")
        }
    }

    func testKillNineEndsTheCommand() throws {
        try killRunner(during: "sleep 300", sleeps: 1)
    }

    func testKillNineEndsTheCommandsBackgroundChildren() throws {
        try killRunner(during: "sh -c 'sleep 300 & sleep 300'", sleeps: 2)
    }
}
