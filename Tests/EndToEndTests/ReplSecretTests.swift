// The REPL shows a session's values and a summary; a `secret param` must stay masked there as
// it does in the step output and the journal (SecretRedactor: "a secret never reaches a
// screen or a file").

import Foundation
import XCTest

final class ReplSecretTests: XCTestCase {
    private var directory = ""
    private var secret = ""

    override func setUpWithError() throws {
        _ = try ReplE2E.binary()
        directory = try ReplE2E.makeDirectory("replsecret")
        secret = "S3cr3t-\(ReplE2E.uniqueDigits())-tok"
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private var journalPath: String { directory + "/j.jsonl" }

    private func session(_ input: String) throws -> (status: Int32, stdout: String, stderr: String) {
        try ReplChild.run(["repl", ReplE2E.fixture("secret.runbook"), "token=" + secret, "--journal", journalPath],
                          directory: directory, stdin: input)
    }

    /// The steps' output is masked; the session summary repeats the finding and the
    /// conclusion, which quote the secret.
    func testTheSessionSummaryMasksTheSecret() throws {
        let result = try session("next\nnext\nquit\n")
        XCTAssertTrue(result.stdout.contains("│ authorised with ********"), result.stdout)
        XCTAssertTrue(result.stdout.contains("── Session summary"), result.stdout)
        XCTAssertTrue(result.stdout.contains("conclusion: read back ********"), result.stdout)
        XCTAssertFalse(result.stdout.contains(secret), "the secret is on the REPL's stdout:\n\(result.stdout)")
        XCTAssertFalse(result.stderr.contains(secret))
        XCTAssertFalse(ReplJournalFile(journalPath).text.contains(secret), "the secret is in the journal")
    }

    /// `vars` masks the secret parameter itself, but not values made from it (an ad-hoc
    /// command's `last`, a variable `set` from it).
    func testVarsAndSetMaskValuesHoldingTheSecret() throws {
        let result = try session("vars token\n$ echo \"auth $token\"\nvars last\nset copy = token\nvars copy\nvars\nquit\n")
        XCTAssertTrue(result.stdout.contains("  token = ********"), result.stdout)
        XCTAssertTrue(result.stdout.contains("│ auth ********"), result.stdout)
        XCTAssertFalse(result.stdout.contains(secret), "the secret is on the REPL's stdout:\n\(result.stdout)")
        XCTAssertFalse(ReplJournalFile(journalPath).text.contains(secret), "the secret is in the journal")
    }
}
