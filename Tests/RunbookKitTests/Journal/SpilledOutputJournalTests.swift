import Foundation
import XCTest
@testable import RunbookKit

/// What the journal and the observers get of a spilled output: its start, masked, and never
/// a piece of a secret that the cut would split.
final class SpilledOutputJournalTests: XCTestCase {
    private var directory = ""
    private let secret = "hunter2-very-secret-token"

    override func setUp() {
        directory = HostTest.makeTemporaryDirectory()
    }

    override func tearDown() {
        HostTest.removeDirectory(directory)
    }

    /// `total` bytes of "a" with the secret written at `secretAt`, spilled past 4 KiB.
    private func spilledResult(total: Int, secretAt: Int?) -> CommandResult {
        var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: total)
        if let at = secretAt { bytes.replaceSubrange(at..<(at + secret.utf8.count), with: Array(secret.utf8)) }
        var capture = BoundedCapture(limit: 256 << 20, spill: SpillPolicy(memoryLimit: 4096, directory: directory))
        bytes.withUnsafeBytes { capture.append($0) }
        let text = capture.finish()
        XCTAssertTrue(text.isSpilled)
        return CommandResult(stdoutText: text, stderrText: CapturedText(""))
    }

    private func journaled(_ result: CommandResult, limit: Int?) -> CommandEnd? {
        let event = RunEvent.commandEnded(CommandEnd(id: 1, path: StepPath(step: "s"), host: nil, script: "cat big", result: result))
        guard case .commandEnded(let end) = event.masked(by: SecretRedactor(secrets: [secret]), cutAt: limit) else { return nil }
        return end
    }

    func testASecretAcrossTheCutIsNeitherShownNorHalved() throws {
        let limit = JournalWriter.defaultOutputLimit
        for at in [limit - 20, limit - 5, limit - 1] {
            let end = try XCTUnwrap(journaled(spilledResult(total: 40_000, secretAt: at), limit: limit))
            XCTAssertTrue(end.stdoutCut)
            XCTAssertLessThanOrEqual(end.result.stdoutText.byteCount, limit)
            XCTAssertFalse(end.result.stdout.contains("hunter"), "secret at \(at): a piece of it is in the record")
            XCTAssertFalse(end.result.stdout.contains("token"))
            XCTAssertTrue(end.result.stdout.hasPrefix(String(repeating: "a", count: at - 8)))
        }
    }

    func testASecretInTheStartIsMasked() throws {
        let end = try XCTUnwrap(journaled(spilledResult(total: 40_000, secretAt: 100), limit: JournalWriter.defaultOutputLimit))
        XCTAssertTrue(end.result.stdout.contains("a" + SecretRedactor.mask + "a"))
        XCTAssertFalse(end.result.stdout.contains(secret))
        XCTAssertEqual(end.result.stdoutBytes, 40_000, "the record still counts every byte")
    }

    func testObserversSeeAtMostTheViewLimitOfASpilledOutput() throws {
        let end = try XCTUnwrap(journaled(spilledResult(total: 3 << 20, secretAt: 2 << 20), limit: nil))
        XCTAssertFalse(end.stdoutCut, "the run kept it whole: the terminal must not say otherwise")
        XCTAssertEqual(end.result.stdoutBytes, 3 << 20)
        XCTAssertEqual(end.result.stdoutText.byteCount, RunEvent.spilledViewLimit)
        XCTAssertFalse(end.result.stdoutText.isSpilled)
    }

    func testACapturedSpilledValueIsRecordedCutAndMaskedOnlyWhenASecretWasSeen() {
        func recorded(_ result: CommandResult) -> VariableSet? {
            let event = RunEvent.variable(VariableSet(path: StepPath(step: "s"), name: "big", value: .result(result)))
            guard case .variable(let v) = event.forJournal(redactor: SecretRedactor(secrets: [secret]),
                                                           outputLimit: JournalWriter.defaultOutputLimit) else { return nil }
            return v
        }
        let plain = recorded(spilledResult(total: 100_000, secretAt: nil))
        XCTAssertEqual(plain?.cut, true, "a spilled capture is never restored whole")
        XCTAssertEqual(plain?.redacted, false, "no secret in it")
        let masked = recorded(spilledResult(total: 100_000, secretAt: 10))
        XCTAssertEqual(masked?.cut, true)
        XCTAssertEqual(masked?.redacted, true)
        if case .result(let r)? = masked?.value {
            XCTAssertFalse(r.stdout.contains(secret))
            XCTAssertLessThanOrEqual(r.stdoutText.byteCount, RunEvent.journaledValueLimit)
        } else {
            XCTFail("the value is no longer a command result")
        }
    }
}
