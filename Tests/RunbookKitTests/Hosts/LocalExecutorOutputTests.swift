// LocalExecutor: output, lines and exit codes of real child processes.

import XCTest
@testable import RunbookKit

final class LocalExecutorOutputTests: XCTestCase {
    let executor = LocalExecutor(cancellation: Cancellation())

    func testCapturesStdoutAndStderrAndDeliversLines() {
        let lines = LineCollector()
        let result = executor.run(CommandRequest(script: "echo one; echo two >&2; echo three"),
                                  onLine: lines.callback)
        XCTAssertEqual(result.stdout, "one\nthree\n")
        XCTAssertEqual(result.stderr, "two\n")
        XCTAssertEqual(result.exitCode, 0)
        XCTAssertEqual(lines.lines(.stdout), ["one", "three"])
        XCTAssertEqual(lines.lines(.stderr), ["two"])
        XCTAssertFalse(result.timedOut)
        XCTAssertFalse(result.cancelled)
        XCTAssertFalse(result.unreachable)
        XCTAssertEqual(result.stdoutBytes, 10)
        XCTAssertGreaterThan(result.duration, 0)
    }

    func testExitCodes() {
        XCTAssertEqual(executor.run(CommandRequest(script: "true"), onLine: { _, _ in }).exitCode, 0)
        XCTAssertEqual(executor.run(CommandRequest(script: "exit 3"), onLine: { _, _ in }).exitCode, 3)
        XCTAssertEqual(executor.run(CommandRequest(script: "exit 255"), onLine: { _, _ in }).exitCode, 255)
        // Killed by signal N → 128+N.
        XCTAssertEqual(executor.run(CommandRequest(script: "kill -KILL $$"), onLine: { _, _ in }).exitCode, 137)
        XCTAssertEqual(executor.run(CommandRequest(script: "kill -TERM $$"), onLine: { _, _ in }).exitCode, 143)
    }

    func testLastLineWithoutNewlineIsDelivered() {
        let lines = LineCollector()
        let result = executor.run(CommandRequest(script: "printf 'a\\nb'"), onLine: lines.callback)
        XCTAssertEqual(result.stdout, "a\nb")
        XCTAssertEqual(lines.lines(.stdout), ["a", "b"])
    }

    func testEmptyLinesAreDelivered() {
        let lines = LineCollector()
        _ = executor.run(CommandRequest(script: "printf '\\n\\nx\\n'"), onLine: lines.callback)
        XCTAssertEqual(lines.lines(.stdout), ["", "", "x"])
    }

    func testBinaryOutputDoesNotCrash() {
        // Every byte value 0x00-0xff, twice, on both streams.
        let script = "i=0; while [ $i -lt 256 ]; do printf \"\\\\$(printf %o $i)\"; i=$((i+1)); done > /tmp/.rb-bytes-$$; "
            + "cat /tmp/.rb-bytes-$$ /tmp/.rb-bytes-$$; cat /tmp/.rb-bytes-$$ >&2; rm -f /tmp/.rb-bytes-$$"
        let lines = LineCollector()
        let result = executor.run(CommandRequest(script: script), onLine: lines.callback)
        XCTAssertEqual(result.exitCode, 0)
        XCTAssertEqual(result.stdoutBytes, 512)
        XCTAssertEqual(result.stderrBytes, 256)
        XCTAssertFalse(result.stdout.isEmpty)
        XCTAssertEqual(lines.lines(.stdout).count, 3)  // two newlines (0x0a) and a tail
    }

    func testInvalidUTF8BecomesReplacementCharacters() {
        let lines = LineCollector()
        let result = executor.run(CommandRequest(script: "printf 'a\\377b\\n'"), onLine: lines.callback)
        XCTAssertEqual(lines.lines(.stdout), ["a\u{FFFD}b"])
        XCTAssertEqual(result.stdout, "a\u{FFFD}b\n")
        XCTAssertEqual(result.stdoutBytes, 4)
    }

    func testMissingShellIsExit127() {
        let result = executor.run(CommandRequest(script: "true", shell: "/nonexistent/shell"), onLine: { _, _ in })
        XCTAssertEqual(result.exitCode, 127)
        XCTAssertTrue(result.stderr.contains("/nonexistent/shell"), result.stderr)
    }

    func testOtherShell() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/bin/bash"))
        let result = executor.run(CommandRequest(script: "echo ${BASH_VERSION:+bash}", shell: "/bin/bash"),
                                  onLine: { _, _ in })
        XCTAssertEqual(result.stdout, "bash\n")
    }

    func testStdinIsDevNull() {
        let result = executor.run(CommandRequest(script: "cat; echo done"), onLine: { _, _ in })
        XCTAssertEqual(result.stdout, "done\n")
    }

    func testCommandsRunInTheirOwnProcessGroupWithDefaultSignals() {
        let script = "ps -o pgid= -p $$; echo $$; exec grep -E '^(SigIgn|SigBlk)' /proc/self/status"
        let result = executor.run(CommandRequest(script: script), onLine: { _, _ in })
        let words = result.stdout.split(whereSeparator: \.isWhitespace).map(String.init)
        XCTAssertEqual(words.count, 6, result.stdout)
        guard words.count == 6 else { return }
        XCTAssertEqual(words[0], words[1])  // pgid == pid: the child leads its own group
        // Standard signals (1-31) neither ignored nor blocked; glibc keeps its own two
        // internal real-time signals (32, 33) ignored in every process it starts.
        for index in [2, 4] {
            let mask = UInt64(words[index + 1], radix: 16) ?? .max
            XCTAssertEqual(mask & 0x7fff_ffff, 0, "\(words[index]) \(words[index + 1])")
        }
    }

    func testParallelRunsDoNotDisturbEachOther() {
        let results = UnsafeMutableBufferPointer<CommandResult>.allocate(capacity: 8)
        results.initialize(repeating: CommandResult())
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            results[index] = executor.run(CommandRequest(script: "sleep 0.2; echo \(index)"), onLine: { _, _ in })
        }
        for index in 0..<8 {
            XCTAssertEqual(results[index].stdout, "\(index)\n")
            XCTAssertLessThan(results[index].duration, 5)
        }
    }
}
