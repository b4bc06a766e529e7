// The REPL driven through plain stdin (a pipe, so the plain line reader, no prompts): the
// same incident walk as on the terminal, checked against its journal and report, and the
// other commands.

import Foundation
import XCTest

final class ReplPipeTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        _ = try ReplE2E.binary()
        directory = try ReplE2E.makeDirectory("pipe")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private var journalPath: String { directory + "/j.jsonl" }

    private func repl(_ extra: [String] = []) -> [String] {
        ["repl", ReplE2E.fixture("flag.runbook"), "dir=" + directory, "--journal", journalPath] + extra
    }

    /// The walk of `ReplTerminalTests.testIncidentWalkWithRetryNoteMarkAndReport`, typed into
    /// a pipe: the test restores the flag file only once the first attempt is in the journal.
    func testIncidentWalkFromAPipe() throws {
        let child = try ReplChild(repl(), directory: directory,
                                  environment: ReplE2E.environment(["XDG_STATE_HOME": directory + "/state"]),
                                  interactiveInput: true)
        child.send("list\nnext\nmark failed no flag file yet\n")
        let marked = ReplE2E.eventually(20) { !ReplJournalFile(self.journalPath).events("mark").isEmpty }
        XCTAssertTrue(marked, "the mark never reached the journal; stdout:\n\(child.stdout)")

        try ReplE2E.write("hello\n", to: directory + "/flag")
        child.send("run check-flag\n$ cat \"$dir/flag\"\nnote the flag came back after the restore\nnext\nnext\nquit\n")
        child.closeInput()
        let status = child.wait()
        XCTAssertEqual(status, 1, "a session with a finding exits 1; stderr:\n\(child.stderr)")

        let out = child.stdout
        XCTAssertFalse(out.contains("flag:check-flag>"), "no prompt is printed when stdin is not a terminal:\n\(out)")
        for expected in ["● Flag file incident", " → check-flag     pending", "✗ Failed in check-flag",
                         "the step stopped; fix what it found, then `run` retries it",
                         "✎ check-flag marked failed: no flag file yet", "the flag file is there",
                         "│ hello", "✎ note: the flag came back after the restore",
                         "! the flag file holds 6 bytes (more than 2)",
                         "■ Conclusion: the flag file is back in \(directory)",
                         "── Session summary", "commands: 4 · notes: 1 · findings: 1",
                         "journal: \(journalPath)"] {
            XCTAssertTrue(out.contains(expected), "stdout lacks “\(expected)”:\n\(out)")
        }
        XCTAssertEqual(child.stderr, "")
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/state/runbook/history"),
                       "the plain reader keeps no history file")

        ReplJournalExpectations.checkWalk(ReplJournalFile(journalPath), directory: directory)
        try ReplJournalExpectations.checkWalkReport(journalPath, directory: directory)
    }

    func testEndOfInputEndsTheSessionLikeQuit() throws {
        let result = try ReplChild.run(repl(), directory: directory, stdin: "note only a note\n")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("── Session summary"), result.stdout)
        let journal = ReplJournalFile(journalPath)
        XCTAssertEqual(journal.types, ["header", "note", "target_end", "run_end"])
        XCTAssertEqual(journal.events("note").first?["step"] as? String, "check-flag")
        XCTAssertEqual(journal.objects.last?["status"] as? String, "ended")
        XCTAssertEqual(journal.objects.last?["exit_code"] as? Int, 0)
    }

    func testNavigationVariablesAndOtherCommands() throws {
        let input = [
            "help", "show verdict", "skip", "list", "back", "list", "goto verdict",
            "set answer = 6 * 7", "vars answer", "vars nothing", "answer why because",
            "on localhost $ echo from-localhost", "vars last", "frobnicate", "goto nowhere", "journal", "quit",
        ].joined(separator: "\n") + "\n"
        let result = try ReplChild.run(repl(), directory: directory, stdin: input)
        XCTAssertEqual(result.status, 0, result.stderr)
        let out = result.stdout

        for expected in [
            "  list                              the steps and their state (l)",
            "  quit                              leave with a summary (Ctrl-D does the same) (q, exit)",
            "  13 step verdict \"Verdict\"", "  14   conclude \"the flag file is back in {dir}\"",
            "  skipped",
            // after skip the second step is current; back returns to the first
            " → size           pending", " → check-flag     skipped",
            "↳ operator: goto verdict",
            "answer = 42", "  answer = 42", "nothing: not set", "no question 'why' in this runbook (questions: none)",
            "[localhost] │ from-localhost", "  last = from-localhost",
            "unknown command 'frobnicate' (type help)",
            "no step 'nowhere' (steps: check-flag, size, verdict)",
            "check-flag → skipped", "$ echo from-localhost (on localhost) [(ad-hoc)] → exit 0",
        ] {
            XCTAssertTrue(out.contains(expected), "stdout lacks “\(expected)”:\n\(out)")
        }

        let journal = ReplJournalFile(journalPath)
        XCTAssertEqual(journal.badLines, [])
        // skip, back, goto, set (a decision and the value), an ad-hoc command, quit.
        XCTAssertEqual(journal.types, ["header", "step_end", "cursor", "branch", "cursor", "decision", "variable",
                                       "command_start", "command_end", "variable", "target_end", "run_end"])
        XCTAssertEqual(journal.events("step_end").first?["outcome"] as? String, "skipped")
        XCTAssertEqual(journal.events("branch").first?["description"] as? String, "operator: goto verdict")
        XCTAssertEqual(journal.events("variable").first?["value"] as? Int, 42)
        let adHoc = journal.events("command_end").first
        XCTAssertEqual(adHoc?["host"] as? String, "localhost")
        XCTAssertEqual(adHoc?["step"] as? String, "(ad-hoc)")
        XCTAssertEqual(adHoc?["stdout"] as? String, "from-localhost\n")
    }
}
