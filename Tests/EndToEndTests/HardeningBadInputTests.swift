// Bad input to `runbook check` / `runbook run`: every case must end with a clear error, the
// right exit code (2 for a runbook that cannot be used), no trap and no hang; where the
// problem has a position, stderr names it as file:line:col.

import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class HardeningBadInputTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = try Hardening.makeDirectory("bad-input")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func check(_ name: String, timeout: Double = 60) throws -> HardeningResult {
        try Hardening.run(["check", name], in: directory, timeout: timeout)
    }

    // MARK: Files that are not runbooks

    func testEmptyFile() throws {
        try Hardening.write("", "empty.runbook", in: directory)
        let result = try check("empty.runbook")
        Hardening.assertClean(result, allowed: [2], "an empty file")
        Hardening.assertPosition(result, in: "empty.runbook", line: 1)
    }

    func testBinaryFile() throws {
        var bytes = Data("runbook \"x\"\nstep a \"A\"\n  $ true\n".utf8)
        bytes.append(contentsOf: [0x00, 0x01, 0x02, 0xFF, 0x7F, 0x00, 0x89, 0x50, 0x4E, 0x47])
        try Hardening.write(bytes, "binary.runbook", in: directory)
        let result = try check("binary.runbook")
        Hardening.assertClean(result, allowed: [2], "a binary file")
        Hardening.assertPosition(result, in: "binary.runbook", line: 4)
        XCTAssertTrue(result.err.contains("binary") || result.err.contains("NUL"), result.summary)
    }

    func testInvalidUTF8() throws {
        var bytes = Data("runbook \"caf".utf8)
        bytes.append(0xE9)   // Latin-1 é: not UTF-8
        bytes.append(contentsOf: Data("\"\nstep a \"A\"\n  $ true\n".utf8))
        try Hardening.write(bytes, "latin1.runbook", in: directory)
        let result = try check("latin1.runbook")
        Hardening.assertClean(result, allowed: [2], "invalid UTF-8")
        Hardening.assertPosition(result, in: "latin1.runbook", line: 1)
        XCTAssertTrue(result.err.contains("UTF-8"), result.summary)
    }

    func testDirectory() throws {
        try FileManager.default.createDirectory(atPath: directory + "/dir.runbook", withIntermediateDirectories: true)
        let result = try check("dir.runbook")
        Hardening.assertClean(result, allowed: [2], "a directory")
        XCTAssertTrue(result.err.contains("dir.runbook") && result.err.contains("directory"), result.summary)
        let run = try Hardening.run(["run", "dir.runbook", "--no-journal"], in: directory)
        Hardening.assertClean(run, allowed: [2], "running a directory")
    }

    func testMissingFile() throws {
        let result = try check("missing.runbook")
        Hardening.assertClean(result, allowed: [2], "a missing file")
        XCTAssertTrue(result.err.contains("missing.runbook") && result.err.contains("no such file"), result.summary)
        let run = try Hardening.run(["run", "missing.runbook", "--no-journal"], in: directory)
        Hardening.assertClean(run, allowed: [2], "running a missing file")
    }

    /// Root reads any file whatever its mode, so as root the binary runs as `nobody`
    /// (setpriv); as another user, mode 000 is enough.
    func testUnreadableFile() throws {
        let path = try Hardening.write("runbook \"x\"\nstep a \"A\"\n  $ true\n", "secret.runbook", in: directory)
        chmod(path, 0o000)
        defer { chmod(path, 0o644) }
        let result: HardeningResult
        if geteuid() == 0 {
            let setpriv = "/usr/bin/setpriv"
            guard FileManager.default.isExecutableFile(atPath: setpriv), getpwnam("nobody") != nil else {
                throw XCTSkip("running as root, and neither setpriv nor a 'nobody' user is there to drop privileges: root reads any file")
            }
            // nobody must be able to reach the binary and the directory (not the file).
            chmod(directory, 0o755)
            let process = try HardeningProcess(["--reuid=nobody", "--regid=nogroup", "--clear-groups", Hardening.binary,
                                                "check", path],
                                               directory: directory, executable: setpriv)
            result = process.wait(timeout: 60)
            if result.status == 127 || result.err.contains("setpriv:") {
                throw XCTSkip("setpriv cannot drop to nobody here: \(result.err)")
            }
        } else {
            result = try check("secret.runbook")
        }
        Hardening.assertClean(result, allowed: [2], "an unreadable file")
        XCTAssertTrue(result.err.contains("secret.runbook") && result.err.contains("cannot be read"), result.summary)
    }

    // MARK: Deep nesting: the parser, checker and printer must not overflow the stack

    /// 10,000 nested `if` blocks need at least 50 MB of indentation (one space per level),
    /// beyond the 16 MiB a runbook may have: the loader must refuse it cleanly.
    func testTenThousandNestedBlocksAreRefusedCleanly() throws {
        try writeNestedIfs(10_000, "nest10k.runbook")
        let result = try check("nest10k.runbook", timeout: 120)
        Hardening.assertClean(result, allowed: [0, 2], "10,000 nested blocks")
    }

    /// As deep as fits in 16 MiB with one space per level (5,000 levels, 12.5 MB).
    /// Today the debug build overflows the stack in the recursive parser (parseBlock →
    /// parseStatement → parseIf → parseIndentedBlock) at about 1,730 levels.
    func testFiveThousandNestedBlocks() throws {
        try writeNestedIfs(5_000, "nest5k.runbook")
        let result = try check("nest5k.runbook", timeout: 120)
        Hardening.assertClean(result, allowed: [0, 2], "5,000 nested blocks")
        if result.status == 2 { Hardening.assertPosition(result, in: "nest5k.runbook") }
    }

    /// 10,000-deep expressions on one line: parentheses, lists, `not`, unary minus, nested
    /// interpolation, and a 10,000-term sum (a left-deep tree the checker walks recursively).
    func testTenThousandDeepExpressions() throws {
        let n = 10_000
        let cases: [(String, String)] = [
            ("parens", "  x = " + String(repeating: "(", count: n) + "1" + String(repeating: ")", count: n)),
            ("lists", "  x = " + String(repeating: "[", count: n) + String(repeating: "]", count: n)),
            ("not", "  x = " + String(repeating: "not ", count: n) + "true"),
            ("minus", "  x = " + String(repeating: "- ", count: n) + "1"),
            ("interpolation", "  print \"" + String(repeating: "{\"", count: n) + "x" + String(repeating: "\"}", count: n) + "\""),
            ("sum", "  x = 1" + String(repeating: " + 1", count: n)),
            ("index", "  x = [1]" + String(repeating: "[0]", count: n)),
            ("else-if", "  if false\n    print \"a\"\n" + String(repeating: "  else if false\n    print \"b\"\n", count: n)),
        ]
        for (label, body) in cases {
            let name = "deep-\(label).runbook"
            try Hardening.write("runbook \"deep \(label)\"\nstep a \"A\"\n\(body)\n", name, in: directory)
            let result = try check(name, timeout: 120)
            Hardening.assertClean(result, allowed: [0, 2], "a 10,000-deep \(label) expression")
            if result.status == 2 && result.signal == nil { Hardening.assertPosition(result, in: name) }
        }
    }

    private func writeNestedIfs(_ depth: Int, _ name: String) throws {
        var text = "runbook \"deep\"\nstep a \"A\"\n"
        text.reserveCapacity(depth * (depth / 2 + 10))
        var indent = ""
        for _ in 0 ..< depth {
            indent += " "
            text += indent + "if true\n"
        }
        text += indent + " print \"deep\"\n"
        try Hardening.write(text, name, in: directory)
    }

    // MARK: Long lines

    /// One line of 1 MiB in each place a line can be long. The errors must be reported in
    /// bounded time and size (one error per problem, not one per byte).
    func testOneMegabyteLines() throws {
        let mib = 1 << 20
        let x = String(repeating: "x", count: mib)
        let cases: [(String, String, Set<Int32>)] = [
            ("command", "  $ echo \(x) >/dev/null\n", [0]),
            ("string", "  print \"\(x)\"\n", [0]),
            ("comment", "  # \(x)\n  $ true\n", [0]),
            ("name", "  \(x) = 1\n", [0]),
            ("unterminated-string", "  print \"\(x)\n", [2]),
            ("sum", "  x = 1" + String(repeating: " + 1", count: mib / 4) + "\n", [0, 2]),
            ("unexpected-characters", "  " + String(repeating: "@", count: mib) + "\n", [2]),
        ]
        for (label, body, allowed) in cases {
            let name = "long-\(label).runbook"
            try Hardening.write("runbook \"long \(label)\"\nstep a \"A\"\n" + body, name, in: directory)
            let result = try check(name, timeout: 30)
            Hardening.assertClean(result, allowed: allowed, "a 1 MiB \(label) line")
            if result.status == 2 && result.signal == nil && !result.timedOut {
                Hardening.assertPosition(result, in: name, line: 3)
                XCTAssertLessThan(result.stderrBytes, 4 << 20,
                                  "a 1 MiB \(label) line: the error report should stay small: \(result.summary)")
            }
        }
    }

    // MARK: Runbooks that never end

    func testRunbookThatCallsItself() throws {
        try Hardening.write("runbook \"self\"\nstep a \"Again\"\n  run \"self.runbook\"\n", "self.runbook", in: directory)
        let result = try check("self.runbook")
        Hardening.assertClean(result, allowed: [2], "a runbook that calls itself")
        Hardening.assertPosition(result, in: "self.runbook", line: 3)
        XCTAssertTrue(result.err.contains("cycle"), result.summary)
        let run = try Hardening.run(["run", "self.runbook", "--no-journal"], in: directory)
        Hardening.assertClean(run, allowed: [2], "running a runbook that calls itself")

        // Through another spelling of the same path, and through a second file.
        try Hardening.write("runbook \"self\"\nstep a \"Again\"\n  run \"\(directory)/other.runbook\"\n",
                            "other.runbook", in: directory)
        try Hardening.write("runbook \"ping\"\nstep a \"A\"\n  run \"pong.runbook\"\n", "ping.runbook", in: directory)
        try Hardening.write("runbook \"pong\"\nstep a \"A\"\n  run \"ping.runbook\"\n", "pong.runbook", in: directory)
        for name in ["other.runbook", "ping.runbook"] {
            let result = try check(name)
            Hardening.assertClean(result, allowed: [2], "\(name): a call cycle")
            Hardening.assertPosition(result, in: name, line: 3)
        }
    }

    func testGotoLoopEndsAtTheVisitLimit() throws {
        try Hardening.write("""
            runbook "loop"
            step a "A"
              $ true
              goto b
            step b "B"
              goto a

            """, "loop.runbook", in: directory)
        let result = try Hardening.run(["run", "loop.runbook", "--no-journal"], in: directory, timeout: 120)
        Hardening.assertClean(result, allowed: [4], "a goto loop")
        XCTAssertTrue((result.out + result.err).contains("goto loop"), result.summary)
    }
}
