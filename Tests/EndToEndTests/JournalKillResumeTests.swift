// Crash safety of the journal: the runner is killed with SIGKILL in the middle of a step; the
// journal it leaves is valid JSON Lines up to that point, and `runbook resume` continues at
// the interrupted step with the values captured before it.
//
// Fixture: Tests/fixtures/repl/crash.runbook. Step `capture` appends to $dir/counter (so a
// second run of it shows) and captures $dir/seed as `token`; step `wait-for-go` prints the
// token, touches $dir/marker, then sleeps `nap` seconds unless $dir/go exists.

import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class JournalKillResumeTests: XCTestCase {
    private var directory = ""
    private var nap = ""

    override func setUpWithError() throws {
        _ = try ReplE2E.binary()
        directory = try ReplE2E.makeDirectory("kill")
        nap = "30.\(ReplE2E.uniqueDigits())"   // unique, to find this test's sleep
        try ReplE2E.write("seed-before-the-kill\n", to: directory + "/seed")
    }

    override func tearDown() {
        ReplE2E.killLeftovers(matching: "sleep \(nap)")
        try? FileManager.default.removeItem(atPath: directory)
    }

    private var journalPath: String { directory + "/j.jsonl" }
    private var markerPath: String { directory + "/marker" }

    /// Waits for step two to be in its long command, then kills `child` with SIGKILL.
    private func killInStepTwo(_ child: ReplChild, file: StaticString = #filePath, line: UInt = #line) {
        let reached = ReplE2E.eventually(30) { FileManager.default.fileExists(atPath: self.markerPath) }
        XCTAssertTrue(reached, "step two never started; stdout:\n\(child.stdout)\nstderr:\n\(child.stderr)", file: file, line: line)
        XCTAssertEqual(kill(child.pid, SIGKILL), 0, file: file, line: line)
        child.wait(timeout: 10, file: file, line: line)
        XCTAssertEqual(child.process.terminationReason, .uncaughtSignal, file: file, line: line)
        // The orphaned sleep of step two is the test's to clean up.
        ReplE2E.killLeftovers(matching: "sleep \(nap)")
    }

    /// What the killed runner left: JSON up to a possibly cut last line, the header, step one
    /// complete with its captured value, step two started.
    private func checkKilledJournal(mode: String, file: StaticString = #filePath, line: UInt = #line) {
        let journal = ReplJournalFile(journalPath)
        XCTAssertEqual(journal.badLines, [], "every complete line is a JSON object", file: file, line: line)
        XCTAssertEqual(journal.types.first, "header", file: file, line: line)
        XCTAssertEqual(journal.objects.first?["mode"] as? String, mode, file: file, line: line)
        XCTAssertEqual(journal.events("step_start").map { $0["step"] as? String }, ["capture", "wait-for-go"],
                       file: file, line: line)
        XCTAssertEqual(journal.events("step_end").map { $0["step"] as? String }, ["capture"],
                       "only step one finished", file: file, line: line)
        XCTAssertEqual(journal.events("step_end").first?["outcome"] as? String, "ok", file: file, line: line)
        XCTAssertEqual(journal.events("command_end", step: "capture").count, 2, file: file, line: line)
        let token = journal.events("variable").first { $0["name"] as? String == "token" }
        let captured = (token?["value"] as? [String: Any])?["$result"] as? [String: Any]
        XCTAssertEqual((captured?["stdout"] as? String)?.trimmingCharacters(in: .newlines), "seed-before-the-kill",
                       "the capture is journaled as a command result", file: file, line: line)
        XCTAssertEqual(journal.events("message", step: "wait-for-go").first?["text"] as? String,
                       "step two sees token seed-before-the-kill", file: file, line: line)
        XCTAssertEqual(journal.events("command_start", step: "wait-for-go").count, 1,
                       "the long command was journaled when it started", file: file, line: line)
        XCTAssertEqual(journal.events("run_end").count, 0, "a killed runner writes no run_end", file: file, line: line)
    }

    /// Lets step two pass quickly and changes the seed, so that a second run of step one
    /// would be visible both in the counter and in the captured value.
    private func fixTheCause() throws {
        try ReplE2E.write("", to: directory + "/go")
        try ReplE2E.write("seed-after-the-kill\n", to: directory + "/seed")
        try? FileManager.default.removeItem(atPath: markerPath)
    }

    /// After the resume: step one ran once in all, step two ran with the restored token.
    private func checkResumed(file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(ReplE2E.read(directory + "/counter"), "ran\n", "step one ran only before the kill",
                       file: file, line: line)
        XCTAssertTrue(FileManager.default.fileExists(atPath: markerPath), "step two ran again", file: file, line: line)
        // One incident, one file: the resume appended to the journal it continued.
        let whole = ReplJournalFile(journalPath)
        let journal = whole.resumedPart
        XCTAssertEqual(whole.types.filter { $0 == "header" }.count, 1, file: file, line: line)
        XCTAssertEqual(journal.events("step_start").map { $0["step"] as? String }, ["wait-for-go"],
                       "the resume starts AT the interrupted step", file: file, line: line)
        XCTAssertEqual(journal.events("step_end").map { $0["outcome"] as? String }, ["ok"], file: file, line: line)
        XCTAssertEqual(journal.events("message", step: "wait-for-go").compactMap { $0["text"] as? String },
                       ["step two sees token seed-before-the-kill", "step two done"],
                       "the token captured before the kill is restored", file: file, line: line)
        XCTAssertEqual(journal.events("command_end", step: "wait-for-go").first?["stdout"] as? String,
                       "finished with seed-before-the-kill\n", "restored values reach commands too", file: file, line: line)
        XCTAssertEqual(journal.events("resumed").first?["positions"] as? [String: String], ["": "wait-for-go"],
                       file: file, line: line)
        XCTAssertEqual(journal.objects.last?["type"] as? String, "run_end", file: file, line: line)
    }

    func testKilledRunLeavesAValidJournalAndResumeContinuesAtTheInterruptedStep() throws {
        let child = try ReplChild(["run", ReplE2E.fixture("crash.runbook"), "dir=" + directory, "nap=" + nap,
                                   "--journal", journalPath], directory: directory)
        killInStepTwo(child)
        checkKilledJournal(mode: "run")

        try fixTheCause()
        let resumed = try ReplChild.run(["resume", journalPath], directory: directory)
        XCTAssertEqual(resumed.status, 0, "stdout:\n\(resumed.stdout)\nstderr:\n\(resumed.stderr)")
        XCTAssertTrue(resumed.stdout.contains("resuming \(ReplE2E.fixture("crash.runbook")): wait-for-go; appending to \(journalPath)"),
                      resumed.stdout)
        XCTAssertFalse(resumed.stdout.contains("▶ capture"), resumed.stdout)
        checkResumed()
        let journal = ReplJournalFile(journalPath)
        XCTAssertEqual(journal.objects.first?["mode"] as? String, "run")
        XCTAssertEqual(journal.objects.last?["status"] as? String, "completed")

        // The report tells the whole incident: the interruption, the resume, the end.
        let report = try ReplChild.run(["report", journalPath], directory: directory)
        XCTAssertEqual(report.status, 0, report.stderr)
        XCTAssertTrue(report.stdout.contains("Resumed by "), report.stdout)
        XCTAssertTrue(report.stdout.contains("no result recorded"), "the killed command shows as unfinished:\n\(report.stdout)")
    }

    func testKilledReplResumesInTheReplAtTheInterruptedStep() throws {
        let child = try ReplChild(["repl", ReplE2E.fixture("crash.runbook"), "dir=" + directory, "nap=" + nap,
                                   "--journal", journalPath], directory: directory, interactiveInput: true)
        child.send("next\nnext\n")   // stdin stays open: the REPL is killed, not ended
        killInStepTwo(child)
        checkKilledJournal(mode: "repl")

        try fixTheCause()
        let resumed = try ReplChild.run(["resume", journalPath], directory: directory,
                                        stdin: "vars token\nnext\nquit\n",
                                        environment: ReplE2E.environment(["XDG_STATE_HOME": directory + "/state"]))
        XCTAssertEqual(resumed.status, 0, "stdout:\n\(resumed.stdout)\nstderr:\n\(resumed.stderr)")
        XCTAssertTrue(resumed.stdout.contains("  token = seed-before-the-kill"), resumed.stdout)
        XCTAssertTrue(resumed.stdout.contains("── Session summary"), "the resume is a REPL session:\n\(resumed.stdout)")
        checkResumed()
        XCTAssertEqual(ReplJournalFile(journalPath).objects.first?["mode"] as? String, "repl")
    }

    /// A kill in the middle of writing a line leaves half a line at the end: report and
    /// resume read everything before it.
    func testACutLastLineIsToleratedByReportAndResume() throws {
        let child = try ReplChild(["run", ReplE2E.fixture("crash.runbook"), "dir=" + directory, "nap=" + nap,
                                   "--journal", journalPath], directory: directory)
        killInStepTwo(child)
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: journalPath))
        handle.seekToEndOfFile()
        handle.write(Data(#"{"type":"command_end","t":"2026-11-29T09:00:00.000Z","id":3,"path":{"step":"wait-for-go"},"result":{"stdout":"half"#.utf8))
        handle.closeFile()
        let journal = ReplJournalFile(journalPath)
        XCTAssertTrue(journal.cutLastLine)
        XCTAssertEqual(journal.badLines, [])

        let report = try ReplChild.run(["report", journalPath], directory: directory)
        XCTAssertEqual(report.status, 0, report.stderr)
        XCTAssertTrue(report.stdout.contains("the journal ends in the middle of a line"), report.stdout)
        XCTAssertTrue(report.stdout.contains("Message: step two sees token seed-before-the-kill"), report.stdout)
        let json = try ReplChild.run(["report", "--format", "json", journalPath], directory: directory)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(object?["journal_truncated"] as? Bool, true)

        try fixTheCause()
        let resumed = try ReplChild.run(["resume", journalPath], directory: directory)
        XCTAssertEqual(resumed.status, 0, "stdout:\n\(resumed.stdout)\nstderr:\n\(resumed.stderr)")
        XCTAssertTrue(resumed.stderr.contains("the journal's last line was cut off"), resumed.stderr)
        checkResumed()
        // The cut line stays where the kill left it, on a line of its own, and the file reads.
        let after = ReplJournalFile(journalPath)
        XCTAssertEqual(after.badLines.count, 1)
        XCTAssertFalse(after.cutLastLine)
        let again = try ReplChild.run(["report", journalPath], directory: directory)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("Run ended: completed"), again.stdout)
    }
}
