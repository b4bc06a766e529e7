// Faults while a runbook runs: signals to the runner, kill -9, odd command output, a command
// that closes its stdout, and a journal directory on a full disk.

import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class HardeningFaultTests: XCTestCase {
    private var directory = ""
    private var journalDirectory: String { directory + "/journal" }
    /// Process groups to clean up if a test fails half-way.
    private var leftoverGroups: [pid_t] = []

    override func setUpWithError() throws {
        directory = try Hardening.makeDirectory("faults")
    }

    override func tearDown() {
        for group in leftoverGroups where group > 1 { kill(-group, SIGKILL) }
        try? FileManager.default.removeItem(atPath: directory)
    }

    private var environment: [String: String] {
        Hardening.environment(["RUNBOOK_JOURNAL_DIR": journalDirectory])
    }

    /// A runbook whose second step runs a long command that starts a background child too:
    /// the shell's pid goes to `shell.pid`, the background sleep's to `child.pid`.
    private func writeLongRunbook() throws {
        try Hardening.write("""
            runbook "long"
            param dir
            step quick "A quick step first"
              $ echo ready
            step long "A long command"
              $ sleep 300 & echo $! > "$dir/child.pid.tmp"; mv "$dir/child.pid.tmp" "$dir/child.pid"; echo $$ > "$dir/shell.pid.tmp"; mv "$dir/shell.pid.tmp" "$dir/shell.pid"; wait

            """, "long.runbook", in: directory)
    }

    private func interrupt(with signal: Int32, _ label: String) throws {
        try writeLongRunbook()
        let runner = try HardeningProcess(["run", "long.runbook", "dir=\(directory)"], directory: directory,
                                          environment: environment)
        guard let shell = Hardening.waitForLine(directory + "/shell.pid", seconds: 30).flatMap({ pid_t($0) }),
              let child = Hardening.waitForLine(directory + "/child.pid", seconds: 30).flatMap({ pid_t($0) }) else {
            runner.send(SIGKILL)
            return XCTFail("the long command did not start: \(runner.wait(timeout: 10).summary)")
        }
        leftoverGroups.append(shell)
        runner.send(signal)
        let result = runner.wait(timeout: 30)
        Hardening.assertClean(result, allowed: [3], "\(label) during a long command")
        XCTAssertTrue(Hardening.waitUntilGone(shell, seconds: 10), "\(label): the command (pid \(shell)) is still running")
        XCTAssertTrue(Hardening.waitUntilGone(child, seconds: 10), "\(label): its background child (pid \(child)) is still running")

        let journals = Hardening.journals(in: journalDirectory)
        XCTAssertEqual(journals.count, 1, "one journal expected in \(journalDirectory)")
        guard let journal = journals.first else { return }
        let objects = Hardening.journalObjects(journal)
        XCTAssertEqual(objects.first?["type"] as? String, "header")
        let end = objects.last
        XCTAssertEqual(end?["type"] as? String, "run_end", "the journal must be closed with run_end: \(objects.suffix(3))")
        XCTAssertEqual(end?["exit_code"] as? Int, 3)
        XCTAssertEqual(end?["status"] as? String, "aborted")
    }

    func testSIGINTEndsTheCommandAndClosesTheJournal() throws {
        try interrupt(with: SIGINT, "SIGINT")
    }

    func testSIGTERMEndsTheCommandAndClosesTheJournal() throws {
        try interrupt(with: SIGTERM, "SIGTERM")
    }

    /// kill -9 gives the runner no chance to clean up: the journal must still be valid JSON
    /// Lines up to the last event written (each event is one write of one whole line).
    func testKillNineLeavesAValidJournal() throws {
        try writeLongRunbook()
        let runner = try HardeningProcess(["run", "long.runbook", "dir=\(directory)"], directory: directory,
                                          environment: environment)
        guard let shell = Hardening.waitForLine(directory + "/shell.pid", seconds: 30).flatMap({ pid_t($0) }) else {
            runner.send(SIGKILL)
            return XCTFail("the long command did not start: \(runner.wait(timeout: 10).summary)")
        }
        leftoverGroups.append(shell)   // the watchdog ends it (HardeningKillNineTests); in case it did not
        runner.send(SIGKILL)
        let result = runner.wait(timeout: 30)
        XCTAssertEqual(result.signal, SIGKILL)

        let journals = Hardening.journals(in: journalDirectory)
        XCTAssertEqual(journals.count, 1)
        guard let journal = journals.first else { return }
        let objects = Hardening.journalObjects(journal)
        let types = objects.compactMap { $0["type"] as? String }
        XCTAssertEqual(types.first, "header")
        XCTAssertTrue(types.contains("step_end"), "the quick step was recorded: \(types)")
        XCTAssertEqual(types.last, "command_start", "the last event is the long command's start: \(types)")
        XCTAssertFalse(types.contains("run_end"))

        // `runbook report` reads what is there.
        let report = try Hardening.run(["report", journal], in: directory)
        Hardening.assertClean(report, allowed: [0], "a report of a killed run")
    }

    func testBinaryOutputAndNoTrailingNewline() throws {
        try Hardening.write(#"""
            runbook "odd output"
            step binary "Binary output"
              bin = $ printf '\000\001\002\377\376 ok \033[31mred\r\n\000'
              $ head -c 3000 /dev/urandom
              expect bin.exit == 0 else "the binary command failed"
            step noeol "No trailing newline"
              x = $ printf 'no newline at the end'
              $ printf 'last line without newline'
              expect x.stdout == "no newline at the end" else "captured '{x.stdout}'"
              $ printf 'to stderr without newline' >&2

            """#, "odd.runbook", in: directory)
        let result = try Hardening.run(["run", "odd.runbook"], in: directory, environment: environment)
        Hardening.assertClean(result, allowed: [0], "binary output and a missing final newline")
        XCTAssertTrue(result.out.contains("last line without newline"), result.summary + result.out)
        XCTAssertTrue(result.out.contains("to stderr without newline"), result.out)
        let journals = Hardening.journals(in: journalDirectory)
        XCTAssertEqual(journals.count, 1)
        let objects = journals.first.map { Hardening.journalObjects($0) } ?? []
        let outputs = objects.filter { $0["type"] as? String == "command_end" }.compactMap { $0["stdout"] as? String }
        XCTAssertTrue(outputs.contains("no newline at the end"), "\(outputs)")
        XCTAssertTrue(outputs.contains { $0.contains(" ok ") && $0.contains("red") }, "\(outputs.first ?? "")")
        XCTAssertEqual(objects.last?["type"] as? String, "run_end")
    }

    /// A command that closes its stdout and keeps running: the runner must wait for the
    /// exit (not stop at the end of output) and still read its stderr.
    func testCommandThatClosesStdoutAndKeepsRunning() throws {
        try Hardening.write("""
            runbook "closed stdout"
            step closed "Closes stdout, keeps running"
              $ echo before; exec >&-; sleep 2; echo after-on-stderr >&2
            step next "Runs after"
              $ echo next-step

            """, "closed.runbook", in: directory)
        let result = try Hardening.run(["run", "closed.runbook"], in: directory, environment: environment, timeout: 60)
        Hardening.assertClean(result, allowed: [0], "a command that closes stdout")
        XCTAssertGreaterThanOrEqual(result.seconds, 2, "the runner moved on before the command ended")
        for text in ["before", "after-on-stderr", "next-step"] {
            XCTAssertTrue(result.out.contains(text), "'\(text)' missing: \(result.out)")
        }
    }

    /// The journal directory on a full filesystem (a 64 KiB tmpfs, filled): the run must stop
    /// with a clear error and a non-zero exit rather than run commands without a record.
    func testFullDiskForTheJournalStopsTheRun() throws {
        guard geteuid() == 0 else { throw XCTSkip("needs root to mount a small tmpfs") }
        let mountPoint = directory + "/tiny"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        guard Hardening.tool("/bin/mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", mountPoint]) == 0 else {
            throw XCTSkip("mount -t tmpfs failed: no permission to mount here")
        }
        defer { Hardening.tool("/bin/umount", ["-l", mountPoint]) }
        // Fill it to the last byte.
        let filler = open(mountPoint + "/filler", O_WRONLY | O_CREAT, 0o600)
        XCTAssertGreaterThanOrEqual(filler, 0)
        let block = [UInt8](repeating: 0x41, count: 4096)
        while block.withUnsafeBytes({ write(filler, $0.baseAddress, $0.count) }) > 0 {}
        close(filler)

        try Hardening.write("""
            runbook "full disk"
            param dir
            step first "First"
              $ touch "$dir/first.ran"
            step second "Second"
              $ touch "$dir/second.ran"

            """, "disk.runbook", in: directory)
        let result = try Hardening.run(["run", "disk.runbook", "dir=\(directory)"], in: directory,
                                       environment: Hardening.environment(["RUNBOOK_JOURNAL_DIR": mountPoint + "/journal"]))
        XCTAssertNil(result.signal, result.summary)
        XCTAssertFalse(result.timedOut, result.summary)
        XCTAssertNotEqual(result.status, 0, "the run must fail: \(result.summary)")
        XCTAssertTrue((result.err + result.out).contains("No space left on device"), "a clear error: \(result.summary)")
        XCTAssertFalse(Hardening.exists(directory + "/second.ran"), "the run went on without a record")
        XCTAssertFalse(Hardening.exists(directory + "/first.ran"),
                       "the first step's command ran although the journal header could not be written (no record of it exists)")
    }

    /// The disk fills in the middle of a step (its first command fills it): the step's next
    /// command must not run, since its record could not be written.
    func testDiskFillingMidStepStopsBeforeTheNextCommand() throws {
        guard geteuid() == 0 else { throw XCTSkip("needs root to mount a small tmpfs") }
        let mountPoint = directory + "/tiny-mid"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        guard Hardening.tool("/bin/mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", mountPoint]) == 0 else {
            throw XCTSkip("mount -t tmpfs failed: no permission to mount here")
        }
        defer { Hardening.tool("/bin/umount", ["-l", mountPoint]) }
        try Hardening.write("""
            runbook "fills the disk"
            param dir
            param disk
            step fill "Fill, then go on"
              $ dd if=/dev/zero of="$disk/filler" bs=4k count=1000 2>/dev/null; yes x | head -c 12000
              $ touch "$dir/second.ran"

            """, "fill.runbook", in: directory)
        let result = try Hardening.run(["run", "fill.runbook", "dir=\(directory)", "disk=\(mountPoint)",
                                        "--journal", mountPoint + "/journal.jsonl"], in: directory, environment: environment)
        XCTAssertNil(result.signal, result.summary)
        XCTAssertNotEqual(result.status, 0, result.summary)
        XCTAssertTrue(result.out.contains("stopped rather than run without a record"), result.summary)
        XCTAssertFalse(Hardening.exists(directory + "/second.ran"), "a command ran without a record: \(result.summary)")
    }
}
