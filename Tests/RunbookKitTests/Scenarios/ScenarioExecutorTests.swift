import XCTest
@testable import RunbookKit

final class ScenarioExecutorTests: XCTestCase {
    private func answer(_ text: String, stdout: String = "", host: String? = nil, repeats: Bool = false) -> CommandAnswer {
        var a = CommandAnswer(pattern: .exact(text), offset: 0)
        a.stdout = stdout
        a.host = host
        a.repeats = repeats
        return a
    }

    private func run(_ executor: ScenarioExecutor, _ script: String, host: String? = nil) -> CommandResult {
        executor.run(CommandRequest(script: script, host: host)) { _, _ in }
    }

    func testSameCommandGetsItsAnswersInOrderThenMisses() {
        let executor = ScenarioExecutor(answers: [answer("uptime", stdout: "1\n"), answer("uptime", stdout: "2\n")])
        XCTAssertEqual(run(executor, "uptime").stdout, "1\n")
        XCTAssertEqual(run(executor, "uptime").stdout, "2\n")
        let third = run(executor, "uptime")
        XCTAssertEqual(third.exitCode, 127)
        XCTAssertEqual(third.stderr, "runbook test: no scenario answer for: uptime\n")
        XCTAssertEqual(executor.misses, [ScenarioExecutor.Miss(script: "uptime", host: nil)])
        XCTAssertTrue(executor.unusedAnswers.isEmpty)
    }

    func testRepeatAnswersAfterTheOnesBeforeItAreUsed() {
        let executor = ScenarioExecutor(answers: [answer("w", stdout: "first\n"), answer("w", stdout: "again\n", repeats: true)])
        XCTAssertEqual((1...4).map { _ in run(executor, "w").stdout }, ["first\n", "again\n", "again\n", "again\n"])
        XCTAssertTrue(executor.misses.isEmpty)
    }

    func testHostSelectsTheAnswer() {
        let executor = ScenarioExecutor(answers: [answer("df", stdout: "b\n", host: "node-b"), answer("df", stdout: "a\n", host: "node-a")])
        XCTAssertEqual(run(executor, "df", host: "node-a").stdout, "a\n")
        XCTAssertEqual(run(executor, "df", host: "node-c").exitCode, 127)
        XCTAssertEqual(executor.misses.map(\.description), ["no scenario answer for: df (on node-c)"])
        XCTAssertEqual(executor.unusedAnswers.map(\.host), ["node-b"])
    }

    func testOutputIsDeliveredLineByLine() {
        var a = answer("cat")
        a.stdout = "one\n\nthree\n"
        a.stderr = "warn\n"
        a.exitCode = 2
        let executor = ScenarioExecutor(answers: [a])
        let lines = LockedLines()
        let result = executor.run(CommandRequest(script: "cat")) { stream, line in lines.append("\(stream.rawValue): \(line)") }
        XCTAssertEqual(lines.all, ["stdout: one", "stdout: ", "stdout: three", "stderr: warn"])
        XCTAssertEqual(result.exitCode, 2)
        XCTAssertEqual(result.stdout, "one\n\nthree\n")
    }
}

private final class LockedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ s: String) { lock.lock(); lines.append(s); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
}
