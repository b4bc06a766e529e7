// Input at the limits, through the built binary: patterns that backtrack for ever, numbers
// too large for an integer, waits of weeks, lines longer than a piece with a secret across
// the cut, no threads to be had, Windows inventory files. Each must end with a clear message
// (and its position where it has one), never a trap, a stack trace or a hang.

import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class HardeningLimitsTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = try Hardening.makeDirectory("limits")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func run(_ name: String, _ arguments: [String] = [], timeout: Double = 60) throws -> HardeningResult {
        try Hardening.run(["run", name, "--no-journal"] + arguments, in: directory, timeout: timeout)
    }

    // MARK: Regular expressions

    func testABacktrackingPatternEndsWithAnErrorNamingIt() throws {
        try Hardening.write("""
        runbook "regex"
        step scan "Scan"
          t = $ printf '%01000d!' 0 | tr 0 a
          if t matches "(a*)*b"
            print "matched"
        """, "regex.runbook", in: directory)
        let result = try run("regex.runbook", timeout: 60)
        Hardening.assertClean(result, allowed: [4], "a backtracking pattern")
        XCTAssertLessThan(result.seconds, 30, result.summary)
        XCTAssertTrue(result.out.contains("regex.runbook:4:6") && result.out.contains("\"(a*)*b\""),
                      "the failure names the position and the pattern: \(result.out)")
        XCTAssertTrue(result.out.contains("Failed in scan"), "and the step: \(result.out)")
    }

    // MARK: Numbers

    func testHugeNumbersFromOutputAreErrorsNotTraps() throws {
        for (name, expression) in [("index", "out[n]"), ("field", "field(out, n)")] {
            for value in ["1e19", "inf"] {
                try Hardening.write("""
                runbook "numbers"
                step s "S"
                  out = $ printf 'a b c\\n'
                  n = $ echo \(value)
                  print "{\(expression)}"
                """, "\(name).runbook", in: directory)
                let result = try run("\(name).runbook")
                Hardening.assertClean(result, allowed: [4], "\(expression) with \(value)")
                XCTAssertTrue(result.out.contains("\(name).runbook:5:") && result.out.contains("out of range"),
                              "\(expression) with \(value): \(result.out)")
            }
        }
    }

    func testAnOutOfRangeLiteralIsACheckError() throws {
        try Hardening.write("""
        runbook "literal"
        step s "S"
          out = $ printf 'a\\n'
          print "{out[10000000000000000000]}"
        """, "literal.runbook", in: directory)
        let result = try Hardening.run(["check", "literal.runbook"], in: directory)
        Hardening.assertClean(result, allowed: [2], "an index literal beyond Int")
        Hardening.assertPosition(result, in: "literal.runbook", line: 4)
    }

    func testAWaitOf600HoursStartsAndSIGTERMEndsIt() throws {
        try Hardening.write("""
        runbook "wait"
        step s "S"
          retry 3 every 600h until false
            $ true
        """, "wait.runbook", in: directory)
        let process = try HardeningProcess(["run", "wait.runbook", "--no-journal"], directory: directory)
        let waiting = ReplE2E.eventually(30) { process.stdoutSoFar.contains("next in") }
        XCTAssertTrue(waiting, "the retry never started waiting: \(process.stdoutSoFar)")
        usleep(200_000)
        process.send(SIGTERM)
        let result = process.wait(timeout: 15)
        Hardening.assertClean(result, allowed: [3], "SIGTERM during a 600 h wait")
    }

    // MARK: Threads

    /// At the process limit no thread can be started (RLIMIT_NPROC 1 for `nobody`, since
    /// root is exempt): a parallel foreach must not hang; each iteration that could not run
    /// fails with the reason.
    func testParallelForeachFinishesWhenNoThreadCanStart() throws {
        guard geteuid() == 0, getpwnam("nobody") != nil,
              FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"),
              FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit") else {
            throw XCTSkip("needs root, a 'nobody' user, setpriv and prlimit to run at a process limit")
        }
        try Hardening.write("""
        runbook "parallel"
        step s "S"
          foreach x in [1, 2, 3, 4]  parallel 4
            print "item {x}"
        """, "parallel.runbook", in: directory)
        chmod(directory, 0o755)
        chmod(directory + "/parallel.runbook", 0o644)
        let process = try HardeningProcess(["--nproc=1:1", "/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup",
                                            "--clear-groups", Hardening.binary, "run", "parallel.runbook", "--no-journal"],
                                           directory: directory, executable: "/usr/bin/prlimit")
        let result = process.wait(timeout: 60)
        if result.err.contains("setpriv:") || result.err.contains("prlimit:") {
            throw XCTSkip("cannot run as nobody at a process limit here: \(result.err)")
        }
        Hardening.assertClean(result, allowed: [1], "a parallel foreach with no threads to be had")
        XCTAssertTrue(result.out.contains("not run:"), result.summary + result.out)
        XCTAssertFalse(result.out.contains("item 1"), "an iteration ran although no thread was there for it")
    }

    // MARK: Secrets in long lines

    func testASecretAcrossTheCutOfALongLineNeverShows() throws {
        let secret = "tok-" + UUID().uuidString
        try Hardening.write("""
        runbook "long"
        secret param token
        step s "S"
          $ head -c 65530 /dev/zero | tr '\\0' x; printf '%s' "$token"; head -c 100 /dev/zero | tr '\\0' y; echo
        """, "long.runbook", in: directory)
        let result = try run("long.runbook", ["token=" + secret])
        Hardening.assertClean(result, allowed: [0], "a secret across the cut of a long line")
        XCTAssertTrue(result.out.contains("yyyy"), "the line was shown: \(result.summary)")
        for length in stride(from: 6, to: secret.count, by: 6) {
            XCTAssertFalse(result.out.contains(String(secret.prefix(length))), "the start of the secret shows")
            XCTAssertFalse(result.out.contains(String(secret.suffix(length))), "the end of the secret shows")
        }
    }

    // MARK: Inventories

    private func writeInventory() throws {
        try Hardening.write("""
        runbook "hosts"
        step s "S"
          print "on {target}"
        """, "hosts.runbook", in: directory)
        var bytes = Data([0xEF, 0xBB, 0xBF])
        bytes.append(Data("# saved on Windows\r\n[web]\r\nweb1\r\nweb2  # the new one\r\n\r\n[db]\r\ndb1\r\n".utf8))
        try Hardening.write(bytes, "hosts.txt", in: directory)
    }

    func testAnInventoryWithCRLFAndABOMIsRead() throws {
        try writeInventory()
        let result = try run("hosts.runbook", ["--inventory", "hosts.txt", "--group", "web"])
        Hardening.assertClean(result, allowed: [0], "a CRLF inventory with a BOM")
        XCTAssertTrue(result.out.contains("on 2 hosts"), result.out)
        XCTAssertTrue(result.out.contains("on web1") && result.out.contains("on web2"), result.out)
        XCTAssertFalse(result.out.contains("db1"), result.out)
    }

    func testAnUnknownGroupListsTheGroupsThatExist() throws {
        try writeInventory()
        let result = try run("hosts.runbook", ["--inventory", "hosts.txt", "--group", "cache"])
        Hardening.assertClean(result, allowed: [2], "an unknown group")
        XCTAssertTrue(result.err.contains("no group [cache]") && result.err.contains("web, db"), result.summary)
        XCTAssertFalse(result.err.contains("USAGE") || result.err.contains("--help"), "no usage dump: \(result.err)")
    }
}
