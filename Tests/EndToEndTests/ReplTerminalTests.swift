// The REPL on a real terminal: a tmux pane runs `runbook repl` with the libedit editor, the
// test types keys into it and reads the screen back. Covers history (Up/Down, and across a
// restart from the history file), Tab completion, Ctrl-C during a command, Ctrl-D, and a
// whole incident walk checked against its journal and report.

import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class ReplTerminalTests: XCTestCase {
    private var directory = ""
    private var terminal: TmuxTerminal?
    /// Patterns of processes this test may leave behind (killed by id in tearDown).
    private var leftovers: [String] = []

    /// The prompt of `Tests/fixtures/repl/flag.runbook` at its first step.
    private let firstPrompt = "flag:check-flag>"

    override func setUpWithError() throws {
        _ = try ReplE2E.binary()
        directory = try ReplE2E.makeDirectory("tty")
        terminal = try TmuxTerminal(directory: directory)
    }

    override func tearDown() {
        terminal?.shutdown()
        terminal = nil
        for pattern in leftovers { ReplE2E.killLeftovers(matching: pattern) }
        try? FileManager.default.removeItem(atPath: directory)
    }

    private var journalPath: String { directory + "/j.jsonl" }
    private var stateHome: String { directory + "/state" }

    /// The shell command for a pane: the REPL on `fixture` with history under this test's
    /// XDG_STATE_HOME and the journal in its directory.
    private func replCommand(_ fixture: String = "flag.runbook", journal: String? = nil, _ extra: [String] = []) -> String {
        let q = ReplE2E.shellQuote
        let args = ["repl", ReplE2E.fixture(fixture), "dir=" + directory, "--journal", journal ?? journalPath] + extra
        return "cd \(q(directory)) && env XDG_STATE_HOME=\(q(stateHome)) \(q(ReplE2E.binaryPath)) "
            + args.map(q).joined(separator: " ")
    }

    /// Types a line and presses Enter.
    private func enter(_ session: String, _ line: String) {
        terminal!.type(session, line)
        terminal!.press(session, "Enter")
    }

    // MARK: History

    func testUpAndDownRecallEarlierLines() throws {
        let t = try XCTUnwrap(terminal)
        try t.start("main", command: replCommand())
        guard t.waitForLastLine("main", firstPrompt, timeout: 30) else { return }

        enter("main", "list")
        guard t.waitForPrompt("main", firstPrompt, after: "Verdict") else { return }
        enter("main", "vars dir")
        guard t.waitForPrompt("main", firstPrompt, after: "dir = \(directory)") else { return }

        t.press("main", "Up")
        t.waitForLastLine("main", "\(firstPrompt) vars dir")
        t.press("main", "Up")
        t.waitForLastLine("main", "\(firstPrompt) list")
        t.press("main", "Down")
        guard t.waitForLastLine("main", "\(firstPrompt) vars dir") else { return }

        // The recalled line runs like a typed one.
        t.press("main", "Enter")
        t.waitForScreen("main", "the recalled `vars dir` to print the variable a second time") { screen in
            screen.components(separatedBy: "  dir = \(directory)").count - 1 == 2
                && screen.hasSuffix("\n" + self.firstPrompt)
        }

        t.press("main", "C-d")
        t.waitFor("main", "EXITED=0")
    }

    func testHistoryIsKeptAcrossARestart() throws {
        let t = try XCTUnwrap(terminal)
        try t.start("first", command: replCommand())
        guard t.waitForLastLine("first", firstPrompt, timeout: 30) else { return }
        enter("first", "show verdict")
        guard t.waitForPrompt("first", firstPrompt, after: "conclude \"the flag file is back") else { return }
        enter("first", "vars dir")
        guard t.waitForPrompt("first", firstPrompt, after: "dir = \(directory)") else { return }
        t.press("first", "C-d")   // Ctrl-D leaves like quit
        guard t.waitFor("first", "EXITED=0") else { return }
        XCTAssertTrue(t.screen("first").contains("── Session summary"), "Ctrl-D prints the summary:\n\(t.screen("first"))")

        let history = stateHome + "/runbook/history"
        XCTAssertTrue(FileManager.default.fileExists(atPath: history), "the history file is under XDG_STATE_HOME")
        let mode = (try? FileManager.default.attributesOfItem(atPath: history)[.posixPermissions] as? Int) ?? -1
        XCTAssertEqual(mode, 0o600, "history can hold host names and commands: private to the user")

        // A new REPL (another journal) starts with the old lines: Up brings back the last one.
        try t.start("second", command: replCommand(journal: directory + "/second.jsonl"))
        guard t.waitForLastLine("second", firstPrompt, timeout: 30) else { return }
        t.press("second", "Up")
        t.waitForLastLine("second", "\(firstPrompt) vars dir")
        t.press("second", "Up")
        guard t.waitForLastLine("second", "\(firstPrompt) show verdict") else { return }
        t.press("second", "Enter")
        t.waitForPrompt("second", firstPrompt, after: "conclude \"the flag file is back")
        t.press("second", "C-d")
        t.waitFor("second", "EXITED=0")
    }

    // MARK: Tab completion

    func testTabCompletesAStepId() throws {
        let t = try XCTUnwrap(terminal)
        try t.start("main", command: replCommand())
        guard t.waitForLastLine("main", firstPrompt, timeout: 30) else { return }

        t.type("main", "run ch")
        guard t.waitForLastLine("main", "\(firstPrompt) run ch") else { return }
        t.press("main", "Tab")
        // One step starts with "ch": Tab completes it (and adds a space, which capture-pane drops).
        guard t.waitForLastLine("main", "\(firstPrompt) run check-flag") else { return }
        t.press("main", "Enter")
        t.waitForPrompt("main", firstPrompt, after: "▶ check-flag")

        t.press("main", "C-d")
        t.waitFor("main", "EXITED=0")
        let journal = ReplJournalFile(journalPath)
        XCTAssertEqual(journal.events("step_start").map { $0["step"] as? String }, ["check-flag"],
                       "the completed line ran the step")
    }

    /// `$ cat sp` + Tab completes a file of this machine for a local session, and offers
    /// nothing when the session's commands run on another host (its files are not these).
    func testTabCompletesFilesOnlyWhereTheCommandRuns() throws {
        let t = try XCTUnwrap(terminal)
        try ReplE2E.write("", to: directory + "/spotted-file.txt")
        try t.start("local", command: replCommand())
        guard t.waitForLastLine("local", firstPrompt, timeout: 30) else { return }
        t.type("local", "$ cat spot")
        t.press("local", "Tab")
        guard t.waitForLastLine("local", "\(firstPrompt) $ cat spotted-file.txt") else { return }

        try t.start("remote", command: replCommand(journal: directory + "/remote.jsonl", ["--hosts", "rbtest-elsewhere"]))
        guard t.waitForLastLine("remote", firstPrompt, timeout: 30) else { return }
        t.type("remote", "$ cat spot")
        t.press("remote", "Tab")
        usleep(500_000)
        XCTAssertTrue(t.waitForLastLine("remote", "\(firstPrompt) $ cat spot"), "a local file was offered for a remote command")
    }

    func testTabCompletesACommandName() throws {
        let t = try XCTUnwrap(terminal)
        try t.start("main", command: replCommand())
        guard t.waitForLastLine("main", firstPrompt, timeout: 30) else { return }

        t.type("main", "jour")
        guard t.waitForLastLine("main", "\(firstPrompt) jour") else { return }
        t.press("main", "Tab")
        guard t.waitForLastLine("main", "\(firstPrompt) journal") else { return }
        t.press("main", "Enter")
        t.waitForPrompt("main", firstPrompt, after: "nothing recorded yet")
        t.press("main", "C-d")
        t.waitFor("main", "EXITED=0")
    }

    // MARK: Ctrl-C

    func testCtrlCStopsAnAdHocCommandAndTheReplGoesOn() throws {
        let t = try XCTUnwrap(terminal)
        let sleeper = "sleep 300.\(ReplE2E.uniqueDigits())"
        leftovers.append(sleeper)
        try t.start("main", command: replCommand())
        guard t.waitForLastLine("main", firstPrompt, timeout: 30) else { return }

        enter("main", "$ \(sleeper)")
        guard ReplE2E.eventually(15, { !ReplE2E.pids(matching: sleeper).isEmpty }) else {
            return XCTFail("`\(sleeper)` never started; the screen shows:\n\(t.screen("main"))")
        }
        t.press("main", "C-c")
        guard t.waitForPrompt("main", firstPrompt, after: "interrupted") else { return }
        XCTAssertTrue(ReplE2E.eventually(15) { ReplE2E.pids(matching: sleeper).isEmpty },
                      "Ctrl-C ends the command's processes: \(ReplE2E.pids(matching: sleeper)) still run")

        // The REPL is still there and runs commands again (the cancellation was reset).
        enter("main", "$ echo still-alive")
        guard t.waitForPrompt("main", firstPrompt, after: "│ still-alive") else { return }
        t.press("main", "C-d")
        guard t.waitFor("main", "EXITED=0") else { return }

        let journal = ReplJournalFile(journalPath)
        let ends = journal.events("command_end")
        XCTAssertEqual(ends.map { $0["command"] as? String }, [sleeper, "echo still-alive"])
        XCTAssertEqual(ends.first?["cancelled"] as? Bool, true, "the interrupted command is journaled as cancelled")
        XCTAssertEqual(ends.last?["exit_code"] as? Int, 0)
        XCTAssertEqual(ends.last?["cancelled"] as? Bool, false)
        XCTAssertEqual(journal.events("run_end").count, 1)
    }

    func testCtrlCAtThePromptAbandonsTheLine() throws {
        let t = try XCTUnwrap(terminal)
        try t.start("main", command: replCommand())
        guard t.waitForLastLine("main", firstPrompt, timeout: 30) else { return }

        t.type("main", "frobnicate half-typed")
        guard t.waitForLastLine("main", "\(firstPrompt) frobnicate half-typed") else { return }
        t.press("main", "C-c")
        // A fresh, empty prompt on the next line; the abandoned text never runs.
        guard t.waitForScreen("main", "a fresh prompt under the abandoned line", { screen in
            screen.hasSuffix("\(self.firstPrompt) frobnicate half-typed\n\(self.firstPrompt)")
        }) else { return }
        enter("main", "list")
        guard t.waitForPrompt("main", firstPrompt, after: "Verdict") else { return }
        XCTAssertFalse(t.screen("main").contains("unknown command"), t.screen("main"))
        t.press("main", "C-d")
        t.waitFor("main", "EXITED=0")
    }

    func testCtrlCStopsAStepWhichRunRetries() throws {
        let t = try XCTUnwrap(terminal)
        let nap = "30.\(ReplE2E.uniqueDigits())"
        leftovers.append("sleep \(nap)")
        try ReplE2E.write("seed-from-tty\n", to: directory + "/seed")
        try t.start("main", command: replCommand("crash.runbook", ["nap=" + nap]))
        guard t.waitForLastLine("main", "crash:capture>", timeout: 30) else { return }

        enter("main", "next")
        guard t.waitForPrompt("main", "crash:wait-for-go>", after: "captured seed-from-tty") else { return }
        enter("main", "next")
        guard ReplE2E.eventually(15, { !ReplE2E.pids(matching: "sleep \(nap)").isEmpty }) else {
            return XCTFail("the step's sleep never started; the screen shows:\n\(t.screen("main"))")
        }
        t.press("main", "C-c")
        guard t.waitForPrompt("main", "crash:wait-for-go>", after: "interrupted") else { return }
        XCTAssertTrue(ReplE2E.eventually(15) { ReplE2E.pids(matching: "sleep \(nap)").isEmpty },
                      "Ctrl-C ends the step's command")

        // The step stays current; once the cause is fixed, `run` retries it.
        try ReplE2E.write("", to: directory + "/go")
        enter("main", "run")
        guard t.waitForPrompt("main", "crash:end>", after: "step two done") else { return }
        enter("main", "quit")
        guard t.waitFor("main", "EXITED=0") else { return }

        let journal = ReplJournalFile(journalPath)
        let outcomes = journal.events("step_end", step: "wait-for-go").compactMap { $0["outcome"] as? String }
        XCTAssertEqual(outcomes.count, 2, "the interrupted attempt and the retry: \(outcomes)")
        XCTAssertEqual(outcomes.last, "ok")
        XCTAssertNotEqual(outcomes.first, "ok", "the interrupted attempt did not pass")
        let commands = journal.events("command_end", step: "wait-for-go")
        XCTAssertEqual(commands.map { $0["cancelled"] as? Bool }, [true, false])
    }

    // MARK: A whole session

    /// list, next (fails: no flag file), mark, the test restores the file, run STEP (passes),
    /// an ad-hoc command, a note, next (a finding), next (the conclusion), quit; then the
    /// journal and the report.
    func testIncidentWalkWithRetryNoteMarkAndReport() throws {
        let t = try XCTUnwrap(terminal)
        try t.start("main", command: replCommand())
        guard t.waitForLastLine("main", firstPrompt, timeout: 30) else { return }

        enter("main", "list")
        guard t.waitForPrompt("main", firstPrompt, after: "→ check-flag") else { return }
        enter("main", "next")
        guard t.waitForPrompt("main", firstPrompt, after: "`run` retries it") else { return }
        enter("main", "mark failed no flag file yet")
        guard t.waitForPrompt("main", firstPrompt, after: "marked failed") else { return }

        try ReplE2E.write("hello\n", to: directory + "/flag")   // the operator's fix
        enter("main", "run check-flag")
        guard t.waitForPrompt("main", "flag:size>", after: "the flag file is there") else { return }
        enter("main", "$ cat \"$dir/flag\"")
        guard t.waitForPrompt("main", "flag:size>", after: "│ hello") else { return }
        enter("main", "note the flag came back after the restore")
        guard t.waitForPrompt("main", "flag:size>", after: "note: the flag came back") else { return }
        enter("main", "next")
        guard t.waitForPrompt("main", "flag:verdict>", after: "holds 6 bytes") else { return }
        enter("main", "next")
        guard t.waitForPrompt("main", "flag:done>", after: "Conclusion: the flag file is back") else { return }
        enter("main", "quit")
        guard t.waitFor("main", "EXITED=1") else { return }   // 1: the session had a finding
        let screen = t.screen("main")
        XCTAssertTrue(screen.contains("commands: 4 · notes: 1 · findings: 1"), screen)
        XCTAssertTrue(screen.contains("conclusion: the flag file is back in \(directory)"), screen)

        ReplJournalExpectations.checkWalk(ReplJournalFile(journalPath), directory: directory)
        try ReplJournalExpectations.checkWalkReport(journalPath, directory: directory)
    }
}

/// What the journal and the report of the flag walk must hold, whether the session ran on a
/// terminal or from a pipe.
enum ReplJournalExpectations {
    static func checkWalk(_ journal: ReplJournalFile, directory: String,
                          file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(journal.badLines, [], "every line is JSON", file: file, line: line)
        XCTAssertFalse(journal.cutLastLine, file: file, line: line)
        XCTAssertEqual(journal.types.first, "header", file: file, line: line)
        XCTAssertEqual(journal.objects.first?["mode"] as? String, "repl", file: file, line: line)
        XCTAssertEqual((journal.objects.first?["parameters"] as? [String: String])?["dir"], directory, file: file, line: line)

        // Both attempts at check-flag: the failure, then the retry that passed.
        XCTAssertEqual(journal.events("step_start", step: "check-flag").count, 2, file: file, line: line)
        XCTAssertEqual(journal.events("step_end", step: "check-flag").compactMap { $0["outcome"] as? String },
                       ["failed", "ok"], file: file, line: line)
        XCTAssertEqual(journal.events("command_end", step: "check-flag").compactMap { $0["exit_code"] as? Int },
                       [1, 0], file: file, line: line)
        XCTAssertEqual(journal.events("failure", step: "check-flag").count, 1, file: file, line: line)
        let outcome = journal.events("mark").first
        XCTAssertEqual(outcome?["step"] as? String, "check-flag", file: file, line: line)
        XCTAssertEqual(outcome?["outcome"] as? String, "failed", file: file, line: line)
        XCTAssertEqual(outcome?["remark"] as? String, "no flag file yet", file: file, line: line)

        let adHoc = journal.events("command_end", step: "(ad-hoc)")
        XCTAssertEqual(adHoc.map { $0["command"] as? String }, ["cat \"$dir/flag\""], file: file, line: line)
        XCTAssertEqual(adHoc.first?["stdout"] as? String, "hello\n", file: file, line: line)
        XCTAssertEqual(journal.events("note").map { $0["text"] as? String }, ["the flag came back after the restore"],
                       file: file, line: line)

        XCTAssertEqual(journal.events("step_end", step: "size").compactMap { $0["outcome"] as? String }, ["finding"],
                       file: file, line: line)
        XCTAssertEqual(journal.events("finding").map { $0["message"] as? String },
                       ["the flag file holds 6 bytes (more than 2)"], file: file, line: line)
        XCTAssertEqual(journal.events("conclusion").map { $0["message"] as? String },
                       ["the flag file is back in \(directory)"], file: file, line: line)

        // The order of what happened, one entry per step event.
        let order = journal.objects.compactMap { object -> String? in
            guard let type = object["type"] as? String else { return nil }
            switch type {
            case "step_start", "step_end": return "\(type) \(object["step"] as? String ?? "?")"
            case "note", "mark", "finding", "conclusion", "run_end": return type
            default: return nil
            }
        }
        XCTAssertEqual(order, ["step_start check-flag", "step_end check-flag", "mark",
                               "step_start check-flag", "step_end check-flag", "note",
                               "step_start size", "finding", "step_end size",
                               "step_start verdict", "conclusion", "step_end verdict", "run_end"],
                       file: file, line: line)
        let end = journal.objects.last
        XCTAssertEqual(end?["type"] as? String, "run_end", file: file, line: line)
        XCTAssertEqual(end?["status"] as? String, "concluded", file: file, line: line)
        XCTAssertEqual(end?["exit_code"] as? Int, 1, file: file, line: line)
    }

    static func checkWalkReport(_ journalPath: String, directory: String,
                                file: StaticString = #filePath, line: UInt = #line) throws {
        let report = try ReplChild.run(["report", journalPath], directory: directory, file: file, line: line)
        XCTAssertEqual(report.status, 0, report.stderr, file: file, line: line)
        let text = report.stdout
        for expected in ["# Incident record: Flag file incident",
                         "Note: the flag came back after the restore",
                         "Marked failed: no flag file yet",
                         "**Finding: the flag file holds 6 bytes (more than 2)",
                         "1. **the flag file holds 6 bytes (more than 2)** (failing, step `size`",
                         "**Diagnosis:** Problem — the flag file is back in \(directory)",
                         "## Conclusion\n\nthe flag file is back in \(directory) (step `verdict`)",
                         "`$ test -f \"$dir/flag\"` on localhost: exit 1"] {
            XCTAssertTrue(text.contains(expected), "the report lacks “\(expected)”:\n\(text)", file: file, line: line)
        }
    }
}
