// The run engine through the built binary: one record per incident whatever the mode
// (single run, fan-out, REPL, resume), secrets masked at every seam, typed values across a
// kill -9, every decision in the journal and the report, and no run without a record.
// Fan-out uses the hosts `localhost` and `local`, which both run on this machine: two
// targets with no ssh needed.

import Foundation
import XCTest

final class RunEngineTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        _ = try ReplE2E.binary()
        directory = try ReplE2E.makeDirectory("engine")
    }

    override func tearDown() {
        ReplE2E.killLeftovers(matching: "sleep 30.\(tag)")
        try? FileManager.default.removeItem(atPath: directory)
    }

    private lazy var tag = ReplE2E.uniqueDigits()
    private var journalPath: String { directory + "/j.jsonl" }

    private func write(_ name: String, _ text: String) throws -> String {
        let path = directory + "/" + name
        try ReplE2E.write(text, to: path)
        return path
    }

    /// Runs the binary until it has written `marker` (a step reached its long command), then
    /// kills it with SIGKILL.
    private func runAndKill(_ arguments: [String], marker: String) throws {
        let child = try ReplChild(arguments, directory: directory)
        XCTAssertTrue(ReplE2E.eventually(30) { FileManager.default.fileExists(atPath: marker) },
                      "never reached \(marker): \(child.stdout)\n\(child.stderr)")
        XCTAssertEqual(kill(child.pid, SIGKILL), 0)
        child.wait(timeout: 10)
        ReplE2E.killLeftovers(matching: "sleep 30.\(tag)")
    }

    // 1. A secret parameter's default is masked in fan-out output and journal.
    func testSecretDefaultIsMaskedInFanOutOutputAndJournal() throws {
        let runbook = try write("secret.runbook", """
            runbook "secret default"
            secret param token = "default-secret-4711"
            step show "Show"
              $ echo "using $token"
              expect false else "saw {token}"

            """)
        let run = try ReplChild.run(["run", runbook, "--hosts", "localhost,local", "--journal", journalPath, "--no-color"],
                                    directory: directory)
        XCTAssertEqual(run.status, 1, run.stderr)
        XCTAssertTrue(run.stdout.contains("using ********"), run.stdout)
        XCTAssertTrue(run.stdout.contains("── Hosts"), run.stdout)
        let journal = ReplJournalFile(journalPath)
        for (what, text) in [("stdout", run.stdout), ("stderr", run.stderr), ("journal", journal.text)] {
            XCTAssertFalse(text.contains("default-secret-4711"), "the secret default shows in the \(what):\n\(text)")
        }
        XCTAssertEqual(journal.events("target_end").count, 2)
    }

    // 2. Resume of a killed fan-out finishes the remaining steps on every unfinished host, and only there.
    func testResumeOfAKilledFanOutContinuesEachHostAtItsOwnStep() throws {
        let runbook = try write("fan.runbook", """
            runbook "fan-out resume"
            param dir
            step one "One"
              $ echo "one on $target" >> "$dir/one.log"
            step two "Two"
              $ if [ "$target" = local ] && [ ! -e "$dir/go" ]; then until grep -q localhost "$dir/three.log" 2>/dev/null; do sleep 0.05; done; touch "$dir/waiting"; sleep 30.\(tag); fi; echo "two on $target" >> "$dir/two.log"
            step three "Three"
              $ echo "three on $target" >> "$dir/three.log"

            """)
        try runAndKill(["run", runbook, "dir=" + directory, "--hosts", "localhost,local", "--journal", journalPath],
                       marker: directory + "/waiting")
        // localhost had finished; local was in step two.
        try ReplE2E.write("", to: directory + "/go")

        let resumed = try ReplChild.run(["resume", journalPath, "--no-color"], directory: directory)
        XCTAssertEqual(resumed.status, 0, "stdout:\n\(resumed.stdout)\nstderr:\n\(resumed.stderr)")
        XCTAssertFalse(resumed.stdout.contains("every step had already run"), resumed.stdout)
        XCTAssertEqual(ReplE2E.read(directory + "/one.log")?.split(separator: "\n").sorted(),
                       ["one on local", "one on localhost"], "step one ran once per host in all")
        XCTAssertEqual(ReplE2E.read(directory + "/two.log")?.split(separator: "\n").sorted(),
                       ["two on local", "two on localhost"])
        XCTAssertEqual(ReplE2E.read(directory + "/three.log")?.split(separator: "\n").sorted(),
                       ["three on local", "three on localhost"], "the finished host was left alone")
        let part = ReplJournalFile(journalPath).resumedPart
        XCTAssertEqual(part.events("step_start").map { "\($0["target"] as? String ?? "?") \($0["step"] as? String ?? "?")" },
                       ["local two", "local three"])
        XCTAssertEqual(part.objects.last?["type"] as? String, "run_end")
    }

    // 3. A resume keeps the targets and the ssh settings, and never falls back to this machine.
    func testResumeKeepsTargetsAndSshSettingsAndRefusesWhenTheyAreGone() throws {
        let sshConfig = try write("ssh_config", "Host rbtest-unreachable\n  HostName 127.0.0.1\n  Port 1\n")
        let runbook = try write("remote.runbook", """
            runbook "remote"
            step where "Where"
              $ hostname

            """)
        let run = try ReplChild.run(["run", runbook, "--hosts", "rbtest-unreachable", "--ssh-config", sshConfig,
                                     "--ssh-option", "ConnectTimeout=2", "--yes", "--journal", journalPath],
                                    directory: directory)
        XCTAssertEqual(run.status, 4, run.stdout)
        let header = try XCTUnwrap(ReplJournalFile(journalPath).objects.first)
        let plan = try XCTUnwrap(header["plan"] as? [String: Any])
        let targets = try XCTUnwrap(plan["targets"] as? [String: Any])
        XCTAssertEqual(targets["hosts"] as? [String], ["rbtest-unreachable"])
        XCTAssertEqual(targets["sshConfig"] as? String, sshConfig)
        XCTAssertEqual(targets["sshOptions"] as? [String], ["ConnectTimeout=2"])
        XCTAssertEqual(plan["assumeYes"] as? Bool, true)

        let again = try ReplChild.run(["resume", journalPath], directory: directory)
        XCTAssertEqual(again.status, 4, again.stdout + again.stderr)
        XCTAssertTrue(again.stdout.contains("[rbtest-unreachable]") || again.stdout.contains("on rbtest-unreachable")
                      || again.stdout.contains("rbtest-unreachable is unreachable"), again.stdout)
        XCTAssertFalse(again.stdout.contains("│ " + ProcessInfo.processInfo.hostName), "it ran here:\n\(again.stdout)")

        try FileManager.default.removeItem(atPath: sshConfig)
        let gone = try ReplChild.run(["resume", journalPath], directory: directory)
        XCTAssertEqual(gone.status, 2)
        XCTAssertTrue(gone.stderr.contains("the run used the ssh configuration \(sshConfig), which cannot be read now"), gone.stderr)
    }

    // 4. Typed values survive a kill -9: false stays false, [] stays empty, numbers and objects keep their types.
    func testTypedValuesSurviveAKillAndFlipNoBranch() throws {
        let runbook = try write("typed.runbook", """
            runbook "typed values"
            param dir
            step gather "Gather"
              flag = false
              items = []
              n = 42
              obj = json("\\{\\"a\\": 1, \\"b\\": [true]\\}")
              r = $ printf 'out'
            step wait "Wait"
              $ touch "$dir/waiting"; [ -e "$dir/go" ] || sleep 30.\(tag)
            step decide "Decide"
              if flag
                conclude "WRONG: false came back true"
              if items
                conclude "WRONG: an empty list came back non-empty"
              require n + 1 == 43 else "n is not the number 42"
              require obj.b[0] == true else "the object lost its shape"
              require r.exit == 0 and r == "out" else "the capture lost its result"
              conclude "typed values survived"

            """)
        try runAndKill(["run", runbook, "dir=" + directory, "--journal", journalPath], marker: directory + "/waiting")
        try ReplE2E.write("", to: directory + "/go")
        let resumed = try ReplChild.run(["resume", journalPath, "--no-color"], directory: directory)
        XCTAssertEqual(resumed.status, 0, resumed.stdout + resumed.stderr)
        XCTAssertTrue(resumed.stdout.contains("■ Conclusion: typed values survived"), resumed.stdout)
        let values = ReplJournalFile(journalPath).events("variable")
        XCTAssertEqual(values.first { $0["name"] as? String == "flag" }?["value"] as? Bool, false)
        XCTAssertEqual((values.first { $0["name"] as? String == "items" }?["value"] as? [Any])?.count, 0)
    }

    // 5. A REPL session resumed after kill -9 continues where the operator was, in the same journal.
    func testReplResumesAtTheStepTheOperatorMovedTo() throws {
        let runbook = try write("walk.runbook", """
            runbook "walk"
            param dir
            step one "One"
              print "one"
            step two "Two"
              print "two"
            step three "Three"
              $ touch "$dir/waiting"; [ -e "$dir/go" ] || sleep 30.\(tag)
              print "three done"
            step four "Four"
              print "four"

            """)
        let child = try ReplChild(["repl", runbook, "dir=" + directory, "--journal", journalPath], directory: directory,
                                  interactiveInput: true)
        child.send("next\ngoto three\nnext\n")
        XCTAssertTrue(ReplE2E.eventually(30) { FileManager.default.fileExists(atPath: self.directory + "/waiting") })
        kill(child.pid, SIGKILL)
        child.wait(timeout: 10)
        ReplE2E.killLeftovers(matching: "sleep 30.\(tag)")
        try ReplE2E.write("", to: directory + "/go")

        let resumed = try ReplChild.run(["resume", journalPath], directory: directory, stdin: "next\nquit\n",
                                        environment: ReplE2E.environment(["XDG_STATE_HOME": directory + "/state"]))
        XCTAssertEqual(resumed.status, 0, resumed.stdout + resumed.stderr)
        XCTAssertTrue(resumed.stdout.contains("three done"), resumed.stdout)
        let journal = ReplJournalFile(journalPath)
        XCTAssertEqual(journal.types.filter { $0 == "header" }.count, 1, "one incident, one file")
        XCTAssertEqual(journal.resumedPart.events("step_start").map { $0["step"] as? String }, ["three"])
        XCTAssertFalse(journal.resumedPart.events("step_start").contains { $0["step"] as? String == "two" })
    }

    // 6. Accepted confirmations — by the operator's y and by --yes — are in the journal and the report.
    func testAcceptedConfirmationsAreRecordedAndReported() throws {
        let runbook = try write("fix.runbook", """
            runbook "fix"
            step restart "Restart"
              confirm "Restart the kubelet?"
              $ echo restarted

            """)
        let byYes = try ReplChild.run(["run", runbook, "--yes", "--journal", journalPath], directory: directory)
        XCTAssertEqual(byYes.status, 0, byYes.stderr)
        let decision = ReplJournalFile(journalPath).events("decision").first
        XCTAssertEqual(decision?["kind"] as? String, "confirm")
        XCTAssertEqual(decision?["answer"] as? String, "yes")
        XCTAssertEqual(decision?["source"] as? String, "yes_flag")
        let report = try ReplChild.run(["report", journalPath], directory: directory)
        XCTAssertTrue(report.stdout.contains("Confirmation “Restart the kubelet?” accepted (by --yes)"), report.stdout)

        let replJournal = directory + "/repl.jsonl"
        let byOperator = try ReplChild.run(["repl", runbook, "--journal", replJournal], directory: directory,
                                           stdin: "next\ny\nquit\n",
                                           environment: ReplE2E.environment(["XDG_STATE_HOME": directory + "/state"]))
        XCTAssertEqual(byOperator.status, 0, byOperator.stdout + byOperator.stderr)
        let accepted = ReplJournalFile(replJournal).events("decision").first
        XCTAssertEqual(accepted?["answer"] as? String, "yes")
        XCTAssertEqual(accepted?["source"] as? String, "operator")
        let replReport = try ReplChild.run(["report", replJournal], directory: directory)
        XCTAssertTrue(replReport.stdout.contains("Confirmation “Restart the kubelet?” accepted (by the operator)"), replReport.stdout)
    }

    // 7. A journal that cannot be written stops fan-out and REPL runs before any command runs.
    func testUnwritableJournalStopsFanOutAndRepl() throws {
        let runbook = try write("touch.runbook", """
            runbook "touch"
            param dir
            step touch "Touch"
              $ touch "$dir/ran-$target"

            """)
        let fan = try ReplChild.run(["run", runbook, "dir=" + directory, "--hosts", "localhost,local", "--journal", "/dev/full"],
                                    directory: directory)
        XCTAssertEqual(fan.status, 4, fan.stdout + fan.stderr)
        XCTAssertTrue(fan.stdout.contains("stopped rather than run without a record"), fan.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/ran-localhost"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/ran-local"))

        let repl = try ReplChild.run(["repl", runbook, "dir=" + directory, "--journal", "/dev/full"], directory: directory,
                                     stdin: "next\nquit\n",
                                     environment: ReplE2E.environment(["XDG_STATE_HOME": directory + "/state"]))
        XCTAssertTrue(repl.stdout.contains("stopped rather than run without a record"), repl.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/ran-localhost"))
    }

    // Two runners never share one journal.
    func testASecondRunnerCannotWriteAJournalInUse() throws {
        let runbook = try write("slow.runbook", """
            runbook "slow"
            param dir
            step wait "Wait"
              $ touch "$dir/waiting"; sleep 30.\(tag)

            """)
        let first = try ReplChild(["run", runbook, "dir=" + directory, "--journal", journalPath], directory: directory)
        XCTAssertTrue(ReplE2E.eventually(30) { FileManager.default.fileExists(atPath: self.directory + "/waiting") })
        let second = try ReplChild.run(["run", runbook, "dir=" + directory, "--journal", journalPath], directory: directory)
        XCTAssertEqual(second.status, 2)
        XCTAssertTrue(second.stderr.contains("is being written by another runbook process"), second.stderr)
        kill(first.pid, SIGKILL)
        first.wait(timeout: 10)
    }

    // A value the journal masked is not passed on by resume: it is named, with its step.
    func testResumeDoesNotPassOnAMaskedValue() throws {
        let runbook = try write("masked.runbook", """
            runbook "masked"
            secret param token = "tok-\(tag)"
            param dir
            step read "Read"
              auth = $ echo "Bearer $token"
            step wait "Wait"
              $ touch "$dir/waiting"; [ -e "$dir/go" ] || sleep 30.\(tag)
            step use "Use"
              $ echo "sending $auth"

            """)
        try runAndKill(["run", runbook, "dir=" + directory, "--journal", journalPath], marker: directory + "/waiting")
        try ReplE2E.write("", to: directory + "/go")
        let resumed = try ReplChild.run(["resume", journalPath, "--no-color"], directory: directory)
        XCTAssertTrue(resumed.stderr.contains("not restored: auth (it held a secret; set in step read, which runs again to gather it)"),
                      resumed.stderr)
        XCTAssertEqual(resumed.status, 0, resumed.stdout + resumed.stderr)
        XCTAssertTrue(resumed.stdout.contains("resuming \(runbook): read;"), resumed.stdout)
        // Gathered again, whole: the command got the real value (shown masked).
        XCTAssertTrue(resumed.stdout.contains("sending Bearer ********"), resumed.stdout)
        let part = ReplJournalFile(journalPath).resumedPart
        XCTAssertEqual(part.events("step_start").map { $0["step"] as? String }, ["read", "wait", "use"])
    }

    // Escape sequences in command output are shown, not obeyed.
    func testTerminalEscapesFromOutputAreMadeVisible() throws {
        let runbook = try write("escape.runbook", """
            runbook "escape"
            step out "Out"
              $ printf 'a\\033]52;c;ZXZpbA==\\007b\\n'

            """)
        let run = try ReplChild.run(["run", runbook, "--no-journal", "--no-color"], directory: directory)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertFalse(run.stdout.contains("\u{1B}]52"), "the clipboard escape reached the terminal")
        XCTAssertTrue(run.stdout.contains("␛]52;c;ZXZpbA==␇b"), run.stdout)
    }

    // A host ssh cannot reach (an alias for 127.0.0.1 port 1: refused at once) is asked once
    // per run: the next command on it is recorded as not attempted, and the step and the
    // target end unreachable.
    private func runOnUnreachableHost(_ runbook: String) throws -> (status: Int32, stdout: String, records: [[String: Any]]) {
        let sshConfig = try write("ssh_config", "Host rbtest-unreachable\n  HostName 127.0.0.1\n  Port 1\n")
        let run = try ReplChild.run(["run", runbook, "--hosts", "rbtest-unreachable", "--ssh-config", sshConfig,
                                     "--ssh-option", "ConnectTimeout=2", "--journal", journalPath, "--no-color"],
                                    directory: directory)
        return (run.status, run.stdout, ReplJournalFile(journalPath).objects)
    }

    private func records(_ type: String, in records: [[String: Any]]) -> [[String: Any]] {
        records.filter { $0["type"] as? String == type }
    }

    func testTheSecondCommandOnAnUnreachableHostIsNotAttempted() throws {
        let runbook = try write("two.runbook", """
            runbook "two commands"
            step probe "Probe"
              first = $ hostname
              second = $ uname -a
              print "never printed"
            step later "Later"
              $ true

            """)
        let (status, stdout, journal) = try runOnUnreachableHost(runbook)
        XCTAssertEqual(status, 4, stdout)
        XCTAssertFalse(stdout.contains("never printed"), stdout)
        let ends = records("command_end", in: journal)
        XCTAssertEqual(ends.count, 2, "\(ends)")
        let first = try XCTUnwrap(ends.first?["result"] as? [String: Any])
        XCTAssertTrue((first["stderr"] as? String ?? "").contains("Connection refused"), "\(first)")
        let second = try XCTUnwrap(ends.last?["result"] as? [String: Any])
        XCTAssertEqual(ends.last?["script"] as? String, "uname -a")
        XCTAssertEqual(second["unreachable"] as? Bool, true)
        XCTAssertEqual(second["duration"] as? Double, 0, "it never ran")
        XCTAssertTrue((second["stderr"] as? String ?? "").hasPrefix("not attempted: rbtest-unreachable was unreachable earlier in this run"),
                      "\(second)")
        XCTAssertEqual(records("step_end", in: journal).map { $0["outcome"] as? String }, ["unreachable"])
        let target = try XCTUnwrap(records("target_end", in: journal).first)
        XCTAssertEqual(target["status"] as? String, "unreachable")
        XCTAssertEqual(target["reason"] as? String, "ssh: connect to host 127.0.0.1 port 1: Connection refused")
        XCTAssertTrue(stdout.contains("not attempted: rbtest-unreachable was unreachable earlier in this run"), stdout)
    }

    func testNodeHealthEndsUnreachableNotWithANumberError() throws {
        let nodeHealth = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("runbooks/node-health.runbook").path
        let (status, stdout, journal) = try runOnUnreachableHost(nodeHealth)
        XCTAssertEqual(status, 4, stdout)
        XCTAssertFalse(stdout.contains("is not a number"), stdout)
        XCTAssertTrue(stdout.contains("rbtest-unreachable is unreachable (ssh: connect to host 127.0.0.1 port 1: Connection refused)"),
                      stdout)
        XCTAssertEqual(records("command_end", in: journal).count, 2, "one attempt, one command not attempted")
        XCTAssertEqual(records("step_end", in: journal).map { $0["outcome"] as? String }, ["unreachable"])
        XCTAssertEqual(records("target_end", in: journal).first?["status"] as? String, "unreachable")
    }

    func testAllowUnreachableTriesAgainAndTheRunbookDecides() throws {
        let runbook = try write("allowed.runbook", """
            runbook "handled"
            step probe "Probe"
              first = $ hostname
              again = allow-unreachable $ hostname
              if again.unreachable
                conclude "still down"

            """)
        let (status, stdout, journal) = try runOnUnreachableHost(runbook)
        XCTAssertEqual(status, 0, stdout)
        let ends = records("command_end", in: journal)
        XCTAssertEqual(ends.count, 2)
        let second = try XCTUnwrap(ends.last?["result"] as? [String: Any])
        XCTAssertTrue((second["stderr"] as? String ?? "").contains("Connection refused"), "attempted again: \(second)")
        XCTAssertEqual(records("target_end", in: journal).first?["status"] as? String, "concluded")
    }

    // Fan-out sections come in the order the hosts were given, each as soon as it and the
    // hosts before it are done; the host table shows each conclusion.
    func testFanOutSectionsFollowTheOrderOfTheHosts() throws {
        let runbook = try write("order.runbook", """
            runbook "order"
            param dir
            step work "Work"
              if target == "localhost"
                $ sleep 1
              $ echo "working on $target"
              conclude "done on {target}"

            """)
        let run = try ReplChild.run(["run", runbook, "dir=" + directory, "--hosts", "localhost,local", "--parallel", "2",
                                     "--no-journal", "--no-color"], directory: directory)
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        let first = try XCTUnwrap(run.stdout.range(of: "═══ localhost ═══"), run.stdout)
        let second = try XCTUnwrap(run.stdout.range(of: "═══ local ═══"), run.stdout)
        XCTAssertLessThan(first.lowerBound, second.lowerBound, "the slower first host comes first:\n\(run.stdout)")
        XCTAssertTrue(run.stdout.contains("localhost  ok           ■ done on localhost"), run.stdout)
        XCTAssertTrue(run.stdout.contains("local      ok           ■ done on local\n"), run.stdout)

        // The first host's section is not held back until the others end.
        let waiting = try write("wait.runbook", """
            runbook "wait"
            param dir
            step work "Work"
              if target == "local"
                $ while [ ! -e "$dir/go" ]; do sleep 0.05; done
              $ echo "working on $target"

            """)
        let child = try ReplChild(["run", waiting, "dir=" + directory, "--hosts", "localhost,local", "--parallel", "2",
                                   "--no-journal", "--no-color"], directory: directory)
        XCTAssertTrue(ReplE2E.eventually(30) { child.stdout.contains("│ working on localhost") },
                      "the first host's section waited for the second:\n\(child.stdout)")
        XCTAssertFalse(child.stdout.contains("═══ local ═══"), child.stdout)
        FileManager.default.createFile(atPath: directory + "/go", contents: nil)
        XCTAssertEqual(child.wait(timeout: 30), 0, child.stdout + child.stderr)
        XCTAssertTrue(child.stdout.contains("│ working on local\n"), child.stdout)
    }

    // env(name) reads the environment the runner was started with (the client passes it in).
    func testEnvReadsTheRunnersEnvironment() throws {
        let runbook = try write("env.runbook", """
            runbook "env"
            step show "Show"
              print "region={env("RUNBOOK_TEST_REGION")} missing={default(env("RUNBOOK_SURELY_UNSET_42"), "none")}"

            """)
        let run = try ReplChild.run(["run", runbook, "--no-journal", "--no-color"], directory: directory,
                                    environment: ReplE2E.environment(["RUNBOOK_TEST_REGION": "eu-west-9"]))
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("region=eu-west-9 missing=none"), run.stdout)
    }

    // A capture of 1.5 MB (over the 1 MiB excerpt a command's output used to be cut to) and
    // of 50 MB: every row counts.
    func testLargeCapturesAreReadWhole() throws {
        let runbook = try write("big.runbook", """
            runbook "big"
            step count "Count"
              small = $ seq 1 200000
              big = $ yes "$(printf '%099d' 7)" | head -n 500000
              print "rows={count(lines(small))} last={lines(small)[-1]} bigrows={count(lines(big))} bytes={big.bytes}"

            """)
        let run = try ReplChild.run(["run", runbook, "--no-journal", "--no-color"], directory: directory)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("rows=200000 last=200000 bigrows=500000"), run.stdout)
    }

    // The summary repeats the first ten findings. A loop shows its first ten as they happen
    // and counts the rest at its end; --verbose shows every one.
    func testTheSummaryRepeatsTheFirstTenFindings() throws {
        let runbook = try write("many.runbook", """
            runbook "many findings"
            step check "Check"
              foreach n in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]
                expect false else "item {n} is bad"

            """)
        let run = try ReplChild.run(["run", runbook, "--no-journal", "--no-color"], directory: directory)
        XCTAssertEqual(run.status, 1, run.stderr)
        let summary = try XCTUnwrap(run.stdout.components(separatedBy: "── Summary").last)
        XCTAssertTrue(summary.contains("item 10 is bad"), summary)
        XCTAssertFalse(summary.contains("item 11 is bad"), summary)
        XCTAssertTrue(summary.contains("… 5 more (`runbook report JOURNAL` lists them all)"), summary)
        XCTAssertFalse(run.stdout.contains("item 11 is bad"), "the loop holds back findings past ten")
        XCTAssertTrue(run.stdout.contains("… and 5 more findings in this loop"), run.stdout)
        let verbose = try ReplChild.run(["run", runbook, "--no-journal", "--no-color", "--verbose"], directory: directory)
        XCTAssertEqual(verbose.status, 1, verbose.stderr)
        let live = try XCTUnwrap(verbose.stdout.components(separatedBy: "── Summary").first)
        XCTAssertTrue(live.contains("item 15 is bad"), "--verbose shows every finding as it happens")
        XCTAssertFalse(live.contains("more findings in this loop"), live)
    }

    // Past the capture limit a value is cut, and using it as data stops the run, naming why.
    func testACaptureOverTheLimitIsNotReadAsAPartialTable() throws {
        let runbook = try write("cut.runbook", """
            runbook "cut"
            step count "Count"
              rows = $ seq 1 300000
              print "rows={count(lines(rows))} bytes={rows.bytes} cut={rows.cut}"

            """)
        let run = try ReplChild.run(["run", runbook, "--no-journal", "--no-color", "--capture-limit", "1"], directory: directory)
        XCTAssertEqual(run.status, 4, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("lines() on a command's output that was cut: it printed 1988895 bytes"), run.stdout)
        XCTAssertFalse(run.stdout.contains("rows="), "no partial answer")
        let bad = try ReplChild.run(["run", runbook, "--no-journal", "--capture-limit", "0"], directory: directory)
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("--capture-limit is in MiB, from 1 to 16384"), bad.stderr)
    }
}
