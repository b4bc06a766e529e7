// `runbook run` on real commands: the built binary as a child process, in a scratch directory.

import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class EndToEndRunTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws {
        dir = try E2E.makeDirectory("run")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: dir)
    }

    private func write(_ name: String, _ text: String) throws {
        try E2E.write(text, to: name, in: dir)
    }

    /// `runbook run NAME --no-journal ARGS…` in the scratch directory.
    private func run(_ name: String, _ args: [String] = [], environment: [String: String]? = nil,
                     timeout: Double = 60, file: StaticString = #filePath, line: UInt = #line) throws -> E2EResult {
        let result = try E2E.run(["run", name, "--no-journal"] + args, in: dir, environment: environment,
                                 timeout: timeout, file: file, line: line)
        XCTAssertNil(result.signal, "the runner died of signal \(result.signal ?? 0)\n\(result.stderr)", file: file, line: line)
        return result
    }

    func testCapturesOfARealCommand() throws {
        try write("c.runbook", """
        runbook "captures"
        step c "C"
          r = $ printf 'one\\ntwo\\n'; printf 'oops\\n' >&2; sleep 0.3; exit 5
          print "stdout=[{r.stdout}] stderr=[{r.stderr}] exit={r.exit} ok={r.ok}"
          print "lines={count(r.lines)} first={r.lines[0]} slow={r.duration >= 0.25} fast={r.duration < 20}"
          print "as text: {r}"
        """)
        let result = try run("c.runbook")
        XCTAssertEqual(result.exitCode, 0, result.stdout)
        XCTAssertTrue(result.stdout.contains("stdout=[one\n  two] stderr=[oops] exit=5 ok=false"), result.stdout)
        XCTAssertTrue(result.stdout.contains("lines=2 first=one slow=true fast=true"), result.stdout)
        XCTAssertTrue(result.stdout.contains("  │ one\n  │ two\n"), "output streams to the terminal: \(result.stdout)")
        XCTAssertTrue(result.stdout.contains("  │ oops\n"), result.stdout)
    }

    func testBranchesFollowRealOutput() throws {
        try write("b.runbook", """
        runbook "branches"
        param want
        step b "B"
          r = $ echo "$want"
          if r.stdout == "alpha"
            conclude "took alpha"
          else if r.stdout matches "^be"
            conclude "took beta"
          else
            fail "took neither ({r})"
        """)
        let alpha = try run("b.runbook", ["want=alpha"])
        XCTAssertEqual(alpha.exitCode, 0)
        XCTAssertTrue(alpha.stdout.contains("■ Conclusion: took alpha"), alpha.stdout)
        let beta = try run("b.runbook", ["want=beta"])
        XCTAssertTrue(beta.stdout.contains("■ Conclusion: took beta"), beta.stdout)
        XCTAssertTrue(beta.stdout.contains("↳ else if r.stdout matches \"^be\" → true"), beta.stdout)
        let other = try run("b.runbook", ["want=gamma"])
        XCTAssertEqual(other.exitCode, 4)
        XCTAssertTrue(other.stdout.contains("✗ Failed in b: took neither (gamma)"), other.stdout)
    }

    func testForeachOverCommandOutputAndInParallel() throws {
        let out = dir + "/seen"
        try write("g.runbook", """
        runbook "foreach with a parameter"
        param out
        step f "F"
          items = $ printf 'a\\nb\\nc\\n'
          foreach item in items
            $ echo "seen $item" >> "$out"
          foreach item in items parallel 3
            $ touch "$out.$item"
        """)
        let ok = try run("g.runbook", ["out=\(out)"])
        XCTAssertEqual(ok.exitCode, 0, ok.stdout + ok.stderr)
        XCTAssertEqual(E2E.read(out), "seen a\nseen b\nseen c\n", "in order, one after the other")
        for item in ["a", "b", "c"] { XCTAssertTrue(E2E.exists("\(out).\(item)"), item) }
        XCTAssertTrue(ok.stdout.contains("item  result\n  a     ok\n  b     ok\n  c     ok\n"), ok.stdout)
    }

    func testAskAnsweredOnTheCommandLine() throws {
        try write("a.runbook", """
        runbook "ask"
        step logs "Logs"
          ask "Is it the application?"
            yes: conclude "application ({logs})"
            no: goto node
        step node "Node"
          ask ready "Is the node Ready?"
            yes: conclude "node ready"
            no: conclude "node not ready"
        """)
        let yes = try run("a.runbook", ["--answer", "logs=yes"])
        XCTAssertEqual(yes.exitCode, 0)
        XCTAssertTrue(yes.stdout.contains("? Is it the application? → yes (command line)"), yes.stdout)
        XCTAssertTrue(yes.stdout.contains("■ Conclusion: application (yes)"), yes.stdout)
        let no = try run("a.runbook", ["--answer", "logs=no", "--answer", "ready=No"])
        XCTAssertTrue(no.stdout.contains("■ Conclusion: node not ready"), no.stdout)
        let missing = try run("a.runbook", ["--answer", "logs=no"])
        XCTAssertEqual(missing.exitCode, 2, "an unanswered question without a terminal is a usage error")
        XCTAssertTrue(missing.stdout.contains("pass --answer ready=yes|no"), missing.stdout)
        let bad = try run("a.runbook", ["--answer", "logs"])
        XCTAssertEqual(bad.exitCode, 2)
        XCTAssertTrue(bad.stderr.contains("--answer takes QUESTION-ID=CHOICE"), bad.stderr)
    }

    func testAnswersAreCheckedBeforeTheRunStarts() throws {
        try write("a.runbook", """
        runbook "ask"
        step logs "Logs"
          $ echo started > started.txt
          ask ready "Is the node Ready?"
            yes: conclude "node ready"
            "not sure": conclude "look again"
        """)
        let unknown = try run("a.runbook", ["--answer", "redy=yes"])
        XCTAssertEqual(unknown.exitCode, 2)
        XCTAssertTrue(unknown.stderr.contains("--answer redy=yes: the runbook asks no question 'redy'; its questions: ready (yes|not sure)"),
                      unknown.stderr)
        let choice = try run("a.runbook", ["--answer", "ready=maybe"])
        XCTAssertEqual(choice.exitCode, 2)
        XCTAssertTrue(choice.stderr.contains("'maybe' is not a choice of 'ready'; choose one of yes, not sure"), choice.stderr)
        XCTAssertFalse(E2E.exists(dir + "/started.txt"), "nothing runs when an answer is wrong")
        let fine = try run("a.runbook", ["--answer", "ready=NOT SURE"])
        XCTAssertEqual(fine.exitCode, 0, fine.stderr)
        XCTAssertTrue(fine.stdout.contains("look again"), fine.stdout)
    }

    func testCallingAnotherRunbookWithArguments() throws {
        try write("lib/child.runbook", """
        runbook "child"
        param target_file
        param greeting = "hello"
        step write "Write"
          $ printf '%s' "$greeting" > "$target_file"
          expect greeting == "hello" else "unusual greeting {greeting}"
        """)
        try write("parent.runbook", """
        runbook "parent"
        param base
        step call "Call"
          res = run "lib/child.runbook" target_file=base + ".1" greeting="hi there"
          print "child status={res.status} findings={count(res.findings)}"
          run "lib/child.runbook" target_file=base + ".2"
          print "after the second call"
        """)
        let base = dir + "/out"
        let result = try run("parent.runbook", ["base=\(base)"])
        XCTAssertEqual(E2E.read(base + ".1"), "hi there")
        XCTAssertEqual(E2E.read(base + ".2"), "hello")
        XCTAssertTrue(result.stdout.contains("▶ child/write  Write"), result.stdout)
        XCTAssertTrue(result.stdout.contains("child status=completed findings=1"), result.stdout)
        XCTAssertTrue(result.stdout.contains("after the second call"), result.stdout)
        XCTAssertEqual(result.exitCode, 1, "the child's finding counts for the caller")
    }

    func testRetryUntilACounterFileReachesThree() throws {
        try write("r.runbook", """
        runbook "retry"
        param counter
        step r "R"
          retry 5 every 100ms until n.stdout == "3"
            n = $ c=$(cat "$counter" 2>/dev/null || echo 0); c=$((c + 1)); echo "$c" > "$counter"; echo "$c"
          print "n is {n}"
        """)
        let counter = dir + "/counter"
        let result = try run("r.runbook", ["counter=\(counter)"])
        XCTAssertEqual(result.exitCode, 0, result.stdout)
        XCTAssertEqual(E2E.read(counter), "3\n", "exactly three attempts")
        XCTAssertTrue(result.stdout.contains("↳ retry: condition held on attempt 3 of 5"), result.stdout)
        XCTAssertTrue(result.stdout.contains("n is 3"), result.stdout)
        XCTAssertLessThan(result.duration, 20)
    }

    func testRetryThatRunsOutOfAttemptsFails() throws {
        try write("r.runbook", """
        runbook "retry"
        param counter
        step r "R"
          retry 2 every 10ms until false
            $ echo x >> "$counter"
        """)
        let counter = dir + "/counter"
        let result = try run("r.runbook", ["counter=\(counter)"])
        XCTAssertEqual(result.exitCode, 4)
        XCTAssertEqual(E2E.read(counter), "x\nx\n")
        XCTAssertTrue(result.stdout.contains("false did not hold after 2 attempts"), result.stdout)
    }

    func testFromSkipsEarlierSteps() throws {
        try write("f.runbook", """
        runbook "from"
        param marker
        step first "First"
          $ touch "$marker.first"
        step second "Second"
          $ touch "$marker.second"
        """)
        let marker = dir + "/m"
        let result = try run("f.runbook", ["--from", "second", "marker=\(marker)"])
        XCTAssertEqual(result.exitCode, 0, result.stdout + result.stderr)
        XCTAssertFalse(E2E.exists(marker + ".first"), "--from second must not run the first step")
        XCTAssertTrue(E2E.exists(marker + ".second"))
        let unknown = try run("f.runbook", ["--from", "third", "marker=\(marker)"])
        XCTAssertEqual(unknown.exitCode, 2)
        XCTAssertTrue(unknown.stderr.contains("no step 'third'"), unknown.stderr)
    }

    func testDryRunExecutesNothing() throws {
        try write("d.runbook", """
        runbook "dry run"
        param marker
        step make "Make a file"
          $ touch "$marker"
          r = $ echo made > "$marker.2"
          confirm $ rm -rf "$marker"
        """)
        let marker = dir + "/must-not-exist"
        let result = try run("d.runbook", ["--dry-run", "marker=\(marker)"])
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        XCTAssertFalse(E2E.exists(marker), "--dry-run ran a command")
        XCTAssertFalse(E2E.exists(marker + ".2"), "--dry-run ran a command")
        XCTAssertTrue(result.stdout.contains("dry run, nothing is executed"), result.stdout)
        XCTAssertTrue(result.stdout.contains("$ touch \"$marker\""), "the plan shows the commands: \(result.stdout)")
        XCTAssertTrue(result.stdout.contains("[asks for confirmation]"), result.stdout)
    }

    func testRequireStopsTheRun() throws {
        try write("q.runbook", """
        runbook "require"
        param marker
        step guard "Guard"
          r = $ echo 3
          require number(r) > 5 else "only {r} replicas"
          $ touch "$marker"
        step later "Later"
          $ touch "$marker"
        """)
        let marker = dir + "/after-require"
        let result = try run("q.runbook", ["marker=\(marker)"])
        XCTAssertEqual(result.exitCode, 4)
        XCTAssertFalse(E2E.exists(marker), "nothing after a failed require may run")
        XCTAssertTrue(result.stdout.contains("✗ Failed in guard: only 3 replicas"), result.stdout)
    }

    func testConfirmWithoutATerminalRefusesUnlessYes() throws {
        try write("c.runbook", """
        runbook "confirm"
        param marker
        step restart "Restart"
          confirm "Restart the service?" $ touch "$marker"
          conclude "restarted"
        """)
        let marker = dir + "/confirmed"
        let refused = try run("c.runbook", ["marker=\(marker)"])
        XCTAssertEqual(refused.exitCode, 3, "refusing to confirm aborts: \(refused.stdout)")
        XCTAssertFalse(E2E.exists(marker), "the command ran without confirmation")
        XCTAssertTrue(refused.stdout.contains("needs confirmation: run on a terminal, or pass --yes"), refused.stdout)

        let yes = try run("c.runbook", ["--yes", "marker=\(marker)"])
        XCTAssertEqual(yes.exitCode, 0, yes.stdout)
        XCTAssertTrue(E2E.exists(marker))
        let short = try run("c.runbook", ["-y", "marker=\(marker).2"])
        XCTAssertEqual(short.exitCode, 0)
        XCTAssertTrue(E2E.exists(marker + ".2"))
    }

    /// BUG: the checker rejects the `confirm` statement inside `foreach … parallel` but not the
    /// `confirm` modifier on a command. Without a terminal each iteration is "aborted", the
    /// abort is swallowed, the step is "✓ ok" and the run exits 0 although no command ran.
    func testConfirmInsideParallelForeachIsNotSilentlySkipped() throws {
        try write("p.runbook", """
        runbook "parallel confirm"
        param marker
        step restart "Restart"
          foreach h in ["x", "y"] parallel 2
            confirm $ touch "$marker.$h"
        """)
        let marker = dir + "/restarted"
        let result = try run("p.runbook", ["marker=\(marker)"])
        XCTAssertFalse(E2E.exists(marker + ".x"), "ran without confirmation")
        XCTAssertNotEqual(result.exitCode, 0,
                          "either the checker refuses it (2) or the run is aborted (3); got 0:\n\(result.stdout)")
    }

    func testExitCodes() throws {
        try write("codes.runbook", """
        runbook "exit codes"
        param mode
        step s "S"
          if mode == "conclude"
            conclude "fine"
          else if mode == "finding"
            expect false else "a finding"
          else if mode == "fail"
            fail "broken"
          else if mode == "ask"
            ask "Q?"
              yes: print "y"
          else if mode == "abort"
            confirm "Go on?"
        """)
        let cases: [(String, Int32)] = [("conclude", 0), ("complete", 0), ("finding", 1), ("fail", 4), ("ask", 2), ("abort", 3)]
        for (mode, code) in cases {
            let result = try run("codes.runbook", ["mode=\(mode)"])
            XCTAssertEqual(result.exitCode, code, "mode \(mode): \(result.stdout)")
            XCTAssertTrue(result.stdout.contains("exit code \(code)"), "mode \(mode): the summary states the code")
        }
        // Usage and runbook errors: 2.
        XCTAssertEqual(try run("codes.runbook").exitCode, 2, "a missing parameter")
        XCTAssertEqual(try run("codes.runbook", ["mode=x", "extra=1"]).exitCode, 2, "an unknown parameter")
        XCTAssertEqual(try run("no-such-file.runbook").exitCode, 2, "a missing file")
        XCTAssertEqual(try run("codes.runbook", ["--no-such-option"]).exitCode, 2, "an unknown option")
        try write("broken.runbook", "runbook \"b\"\nstep s \"S\"\n  goto nowhere\n")
        let broken = try run("broken.runbook")
        XCTAssertEqual(broken.exitCode, 2, "a runbook that does not check does not run")
        XCTAssertTrue(broken.stderr.contains("broken.runbook:3:8: error: no step 'nowhere'"), broken.stderr)
        XCTAssertEqual(broken.stdout, "")
    }

    func testEndlessGotoLoopStopsAtTheVisitLimit() throws {
        try write("loop.runbook", "runbook \"loop\"\nstep a \"A\"\n  goto b\nstep b \"B\"\n  goto a\n")
        let result = try run("loop.runbook", timeout: 120)
        XCTAssertEqual(result.exitCode, 4)
        XCTAssertTrue(result.stdout.contains("step 'a' ran 1000 times: a goto loop that never ends? (limit: 1000 visits per step)"),
                      String(result.stdout.suffix(500)))
        XCTAssertTrue(result.stdout.contains("steps run: 2000"), String(result.stdout.suffix(500)))
    }

    func testSecretsNeverReachTheOutput() throws {
        try write("s.runbook", """
        runbook "secret"
        secret param token
        step s "S"
          $ echo "token is $token"
          print "printing {token}"
          expect token == "x" else "bad token {token}"
        """)
        let result = try run("s.runbook", ["token=sw0rdfish-42"])
        XCTAssertFalse(result.stdout.contains("sw0rdfish-42"), result.stdout)
        XCTAssertFalse(result.stderr.contains("sw0rdfish-42"), result.stderr)
        XCTAssertTrue(result.stdout.contains("token is ********"), result.stdout)
        XCTAssertTrue(result.stdout.contains("parameters: token=********"), result.stdout)
    }

    func testJournalIsWrittenUnlessNoJournal() throws {
        try write("j.runbook", "runbook \"journal\"\nstep s \"S\"\n  $ echo journaled\n")
        let path = dir + "/run.jsonl"
        let result = try E2E.run(["run", "j.runbook", "--journal", path], in: dir)
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        XCTAssertTrue(E2E.read(path)?.contains("journaled") ?? false, "the journal has the command's output")
    }
}
