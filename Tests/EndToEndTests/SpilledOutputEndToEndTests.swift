// Captured output past the memory bound, through the built binary: it goes to a nameless file
// under TMPDIR that the runner maps while the value lives, nothing is left in TMPDIR during or
// after the run, and when the file cannot grow (a file size limit) the output stays whole in
// memory and the run says why.

import Foundation
import XCTest

final class SpilledOutputEndToEndTests: XCTestCase {
    private var directory = ""
    private var tmp: String { directory + "/tmp" }

    override func setUpWithError() throws {
        _ = try ReplE2E.binary()
        directory = try ReplE2E.makeDirectory("spill")
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// 200,000 lines of 100 bytes (20 MB); `PPID` of a command is the runner.
    private func writeRunbook() throws -> String {
        let path = directory + "/big.runbook"
        try ReplE2E.write("""
            runbook "big output"
            param spill_dir

            step count "Count"
              big = $ yes "$(printf '%099d' 7)" | head -n 200000
              mapped = $ grep -c 'runbook-output-.*(deleted)' /proc/$PPID/maps || true
              left = $ ls -A "$spill_dir"
              print "rows={count(lines(big))} seven={count(grep(big, "7$"))} bytes={big.bytes} mapped={mapped} left=[{left}]"

            """, to: path)
        return path
    }

    func testAnOutputPastTheMemoryBoundIsMappedFromANamelessFile() throws {
        let runbook = try writeRunbook()
        let run = try ReplChild.run(["run", runbook, "spill_dir=\(tmp)", "--no-journal", "--no-color", "--capture-memory", "1"],
                                    directory: directory, environment: ReplE2E.environment(["TMPDIR": tmp]))
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("rows=200000 seven=200000 bytes=20000000 mapped=1 left=[]"), run.stdout)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tmp), [])
    }

    // /tmp may be a tmpfs, whose pages are memory: without TMPDIR the spill goes to /var/tmp.
    func testWithoutTMPDIRTheFileIsUnderVarTmp() throws {
        let path = directory + "/where.runbook"
        try ReplE2E.write("""
            runbook "where"
            step a "A"
              big = $ yes "$(printf '%099d' 7)" | head -n 50000
              where = $ grep -o '/[a-z/]*/runbook-output-[a-z0-9]* (deleted)' /proc/$PPID/maps | sed 's/-[a-z0-9]* (deleted)//' | sort -u
              print "rows={count(lines(big))} where={where}"

            """, to: path)
        var environment = ReplE2E.environment()
        environment["TMPDIR"] = nil
        let run = try ReplChild.run(["run", path, "--no-journal", "--no-color", "--capture-memory", "1"],
                                    directory: directory, environment: environment)
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("rows=50000 where=/var/tmp/runbook-output"), run.stdout)
    }

    func testAFileSizeLimitKeepsTheOutputWholeInMemoryAndSaysSo() throws {
        let runbook = try writeRunbook()
        // 4 MiB: the spill starts at 1 MiB and its writes fail past 4 MiB (EFBIG, not SIGXFSZ).
        let run = try ReplChild.run(["run", runbook, "spill_dir=\(tmp)", "--no-journal", "--no-color", "--capture-memory", "1"],
                                    directory: directory, environment: ReplE2E.environment(["TMPDIR": tmp]),
                                    launcher: ["/usr/bin/prlimit", "--fsize=4194304"])
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("rows=200000 seven=200000 bytes=20000000 mapped=0 left=[]"), run.stdout)
        XCTAssertTrue(run.stdout.contains("the output was kept in memory past 1 MiB: cannot write the temporary file: File too large"),
                      run.stdout)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tmp), [])
    }

    func testASpilledOutputCutAtTheHardLimitStopsTheDecision() throws {
        let path = directory + "/cut.runbook"
        try ReplE2E.write("""
            runbook "cut"
            step decide "Decide"
              big = $ yes "$(printf '%099d' 7)" | head -n 50000
              if count(lines(big)) > 10
                print "decided on part of it"

            """, to: path)
        let run = try ReplChild.run(["run", path, "--no-journal", "--no-color", "--capture-memory", "1", "--capture-limit", "2"],
                                    directory: directory, environment: ReplE2E.environment(["TMPDIR": tmp]))
        XCTAssertEqual(run.status, 4, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("lines() on a command's output that was cut: it printed 5000000 bytes and only the first 2097152 were kept"),
                      run.stdout)
        XCTAssertTrue(run.stdout.contains("decide"), run.stdout)
        XCTAssertFalse(run.stdout.contains("decided on part of it"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tmp), [])
    }

    func testTheMemoryBoundIsCheckedOnTheCommandLine() throws {
        let bad = try ReplChild.run(["run", try writeRunbook(), "spill_dir=x", "--no-journal", "--capture-memory", "0"],
                                    directory: directory)
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("--capture-memory is in MiB, from 1 to 16384"), bad.stderr)
    }
}
