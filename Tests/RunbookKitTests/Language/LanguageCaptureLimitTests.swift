import Foundation
import XCTest
@testable import RunbookKit

/// A captured command's output is kept whole (up to a hard limit); a capture that was cut is
/// refused as data, never read as a partial table.
final class LanguageCaptureLimitTests: XCTestCase {
    func testCapturedCommandsAskForTheWholeOutputOthersForTheBoundedExcerpt() throws {
        let executor = LangFakeExecutor()
        _ = try LangRun.run("""
        runbook "t"
        step a "A"
          pods = $ kubectl get pods -A
          $ journalctl -u kubelet
        """, executor: executor)
        XCTAssertEqual(executor.requests.map(\.captureLimit), [256 << 20, 1 << 20])
    }

    func testACutCaptureIsRefusedAsDataWithTheReason() throws {
        let executor = LangFakeExecutor()
        executor.on("kubectl get pods") { _ in
            CommandResult(stdout: "NAME   STATUS\nweb-1  Running\nweb-2  Runn", exitCode: 0, stdoutBytes: 300_000_000)
        }
        let run = try LangRun.run("""
        runbook "t"
        step a "A"
          pods = $ kubectl get pods -A
          foreach p in table(pods)
            expect p.STATUS == "Running" else "{p.NAME} is {p.STATUS}"
        """, executor: executor)
        guard case .failed(let message) = run.outcome.status else { return XCTFail("\(run.outcome.status)") }
        XCTAssertTrue(message.contains("table() on a command's output that was cut: it printed 300000000 bytes"), message)
        XCTAssertTrue(message.contains(":4:"), "names the place: \(message)")
        XCTAssertEqual(run.outcome.findings, [], "no partial answer")
    }

    func testContainsOnACutCaptureIsRefusedToo() throws {
        let executor = LangFakeExecutor()
        executor.on("cat") { _ in CommandResult(stdout: "abc", exitCode: 0, stdoutBytes: 10_000_000) }
        let run = try LangRun.run("""
        runbook "t"
        step a "A"
          out = $ cat big.log
          if out contains "OOMKilled"
            conclude "oom"
        """, executor: executor)
        guard case .failed(let message) = run.outcome.status else { return XCTFail("\(run.outcome.status)") }
        XCTAssertTrue(message.contains("'contains' on a command's output that was cut"), message)
    }
}
