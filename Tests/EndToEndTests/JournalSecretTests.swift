// A `secret param` reaches commands but never a record: not the journal, not either report
// format, not the runner's own stdout or stderr, even when every command echoes it.
//
// Fixture: Tests/fixtures/repl/secret.runbook (commands echo the token to stdout and stderr,
// a finding and the conclusion quote it).

import Foundation
import XCTest

final class JournalSecretTests: XCTestCase {
    private var directory = ""
    private var secret = ""

    override func setUpWithError() throws {
        _ = try ReplE2E.binary()
        directory = try ReplE2E.makeDirectory("secret")
        secret = "S3cr3t-\(ReplE2E.uniqueDigits())-tok"
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private var journalPath: String { directory + "/j.jsonl" }

    /// Fails for every text that holds the secret.
    private func assertNoSecret(_ texts: [(String, String)], file: StaticString = #filePath, line: UInt = #line) {
        for (name, text) in texts {
            XCTAssertFalse(text.contains(secret), "the secret is in \(name):\n\(text)", file: file, line: line)
        }
    }

    func testTheSecretIsNowhereAfterARun() throws {
        let run = try ReplChild.run(["run", ReplE2E.fixture("secret.runbook"), "token=" + secret, "--journal", journalPath],
                                    directory: directory)
        XCTAssertEqual(run.status, 1, "the run has a finding; stderr:\n\(run.stderr)")
        let journal = ReplJournalFile(journalPath)
        XCTAssertEqual(journal.badLines, [])

        // The commands did see it (masked wherever it was shown).
        XCTAssertTrue(run.stdout.contains("│ authorised with ********"), run.stdout)
        XCTAssertTrue(run.stdout.contains("│ token on stderr: ********"), run.stdout)
        XCTAssertTrue(run.stdout.contains("Conclusion: read back ********"), run.stdout)
        XCTAssertEqual((journal.objects.first?["parameters"] as? [String: String])?["token"], "********")
        XCTAssertEqual(journal.events("command_end").compactMap { $0["stdout"] as? String }.first, "authorised with ********\n")
        XCTAssertEqual(journal.events("command_end").compactMap { $0["stderr"] as? String }.dropFirst().first,
                       "token on stderr: ********\n")
        XCTAssertEqual(journal.events("conclusion").first?["message"] as? String, "read back ********")

        let markdown = try ReplChild.run(["report", journalPath], directory: directory)
        let json = try ReplChild.run(["report", "--format", "json", journalPath], directory: directory)
        XCTAssertEqual(markdown.status, 0, markdown.stderr)
        XCTAssertEqual(json.status, 0, json.stderr)
        XCTAssertTrue(markdown.stdout.contains("token on stderr: ********"), "the evidence is quoted, masked:\n\(markdown.stdout)")
        assertNoSecret([("the journal", journal.text), ("the run's stdout", run.stdout), ("the run's stderr", run.stderr),
                        ("the Markdown report", markdown.stdout), ("the JSON report", json.stdout)])
    }

    /// A journal never holds the secret, so resuming needs it again, and the resumed journal
    /// does not hold it either.
    func testResumeAsksForTheSecretAgain() throws {
        let first = try ReplChild.run(["repl", ReplE2E.fixture("secret.runbook"), "token=" + secret, "--journal", journalPath],
                                      directory: directory, stdin: "quit\n")
        XCTAssertEqual(first.status, 0, first.stderr)

        let refused = try ReplChild.run(["resume", journalPath], directory: directory, stdin: "quit\n")
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(refused.stderr.contains("the secret parameter token is not in the journal: pass token=… again"),
                      refused.stderr)

        let resumed = try ReplChild.run(["resume", journalPath, "token=" + secret],
                                        directory: directory, stdin: "next\n")
        XCTAssertEqual(resumed.status, 1, "the step has a finding; stderr:\n\(resumed.stderr)")
        let journal = ReplJournalFile(journalPath).resumedPart
        XCTAssertEqual(journal.events("step_end").first?["outcome"] as? String, "finding",
                       "the resumed session ran the step with the secret")
        XCTAssertEqual(journal.events("command_end").first?["stdout"] as? String, "authorised with ********\n")
        assertNoSecret([("the journal", ReplJournalFile(journalPath).text),
                        ("resume's stderr", refused.stderr + resumed.stderr)])
    }
}
