import Foundation
import XCTest
@testable import RunbookKit

/// The interpreter's language semantics with an in-memory executor. Real processes are covered
/// by the end-to-end tests.
final class LanguageInterpreterTests: XCTestCase {
    override func setUp() {
        Cancellation.shared.reset()
    }

    func testStepsRunInOrderAndCompleteWithExitZero() throws {
        let run = try LangRun.run("""
        runbook "t"
        step a "A"
          print "one"
        step b "B"
          print "two"
        """)
        XCTAssertEqual(run.outcome.status, .completed)
        XCTAssertEqual(run.outcome.exitCode, 0)
        XCTAssertEqual(run.outcome.stepsRun, ["a", "b"])
        XCTAssertEqual(run.observer.messages, ["one", "two"])
    }

    func testGotoConcludeAndExitCodes() throws {
        let run = try LangRun.run("""
        runbook "t"
        step a "A"
          if 1 > 2
            goto b
          goto c
        step b "B"
          print "skipped"
        step c "C"
          conclude "the cause is {1 + 1}"
        """)
        XCTAssertEqual(run.outcome.status, .concluded("the cause is 2", severity: .unstated))
        XCTAssertEqual(run.outcome.exitCode, 0)
        XCTAssertEqual(run.outcome.stepsRun, ["a", "c"])
        XCTAssertEqual(run.observer.branches, ["goto c"])
    }

    func testFailEndsTheRunWithExitFour() throws {
        let run = try LangRun.run("runbook \"t\"\nstep a \"A\"\n  fail \"broken: {2 * 2}\"\n  print \"never\"\n")
        XCTAssertEqual(run.outcome.status, .failed("broken: 4"))
        XCTAssertEqual(run.outcome.exitCode, 4, "a failed run could not tell")
        XCTAssertEqual(run.observer.messages, [])
    }

    func testExpectRecordsAFindingWithTheLastCommandsOutputAndGoesOn() throws {
        let executor = LangFakeExecutor()
        executor.on("cat /proc/sys/net/ipv4/ip_forward", stdout: "0\n")
        let run = try LangRun.run("""
        runbook "t"
        step a "A"
          f = $ cat /proc/sys/net/ipv4/ip_forward
          expect f.stdout == "1" else "forwarding is off ({f})"
          print "still running"
        """, executor: executor)
        XCTAssertEqual(run.outcome.status, .completed)
        XCTAssertEqual(run.outcome.exitCode, 1, "a finding makes the run exit 1")
        XCTAssertEqual(run.outcome.findings, [Finding(path: StepPath(step: "a"), message: "forwarding is off (0)", evidence: "0", host: nil)])
        XCTAssertEqual(run.observer.messages, ["still running"])
    }

    func testRequireStopsTheRun() throws {
        let run = try LangRun.run("""
        runbook "t"
        param n = 2
        step a "A"
          require n > 5 else "n is only {n}"
          print "never"
        step b "B"
          print "never either"
        """)
        XCTAssertEqual(run.outcome.status, .failed("n is only 2"))
        XCTAssertEqual(run.outcome.stepsRun, ["a"])
        XCTAssertEqual(run.observer.messages, [])
    }

    func testIfElseIfElseTakesTheFirstTrueBranch() throws {
        let text = """
        runbook "t"
        param n
        step a "A"
          if n > 10
            print "big"
          else if n > 5
            print "medium"
          else
            print "small"
        """
        XCTAssertEqual(try LangRun.run(text, parameters: ["n": "20"]).observer.messages, ["big"])
        let medium = try LangRun.run(text, parameters: ["n": "7"])
        XCTAssertEqual(medium.observer.messages, ["medium"])
        XCTAssertEqual(medium.observer.branches, ["else if n > 5 → true"])
        let small = try LangRun.run(text, parameters: ["n": "1"])
        XCTAssertEqual(small.observer.messages, ["small"])
        XCTAssertEqual(small.observer.branches, ["else"])
    }

    func testForeachOverListsTextAndMaps() throws {
        let executor = LangFakeExecutor()
        executor.on("ls", stdout: "a.log\n\nb.log\n")
        let run = try LangRun.run("""
        runbook "t"
        step a "A"
          files = $ ls
          foreach f in files
            print "file {f}"
          foreach k in json("\\{\\"x\\": 1, \\"y\\": 2\\}")
            print "key {k}"
          foreach n in null
            print "never"
          total = 0
          foreach n in [1, 2, 3]
            total = total + n
          print "total {total}"
        """, executor: executor)
        XCTAssertEqual(run.observer.messages, ["file a.log", "file b.log", "key x", "key y", "total 6"])
    }

    func testLoopVariableDoesNotLeakButAssignmentsDo() throws {
        let run = try LangRun.run("""
        runbook "t"
        step a "A"
          foreach item in ["x", "y"]
            last_seen = item
        step b "B"
          print "{last_seen}"
        """)
        XCTAssertEqual(run.observer.messages, ["y"])
        XCTAssertNil(run.interpreter.value(of: "item"))
    }

    func testValuesReachCommandsOnlyAsEnvironment() throws {
        let executor = LangFakeExecutor()
        executor.on("produce", stdout: "from command\n\n")
        let run = try LangRun.run("""
        runbook "t"
        param pod = "web-1"
        param PATH = "/evil"
        step a "A"
          hosts = ["h1", "h2"]
          flag = true
          n = 2.5
          out = $ produce
          $ kubectl get pod "$pod"
        """, executor: executor)
        let request = try XCTUnwrap(run.executor.requests.last)
        XCTAssertEqual(request.script, "kubectl get pod \"$pod\"", "command text is never rewritten")
        XCTAssertEqual(request.environment["pod"], "web-1")
        XCTAssertEqual(request.environment["hosts"], "h1\nh2", "lists as lines")
        XCTAssertEqual(request.environment["flag"], "true")
        XCTAssertEqual(request.environment["n"], "2.5")
        XCTAssertEqual(request.environment["out"], "from command", "results as trimmed stdout")
        XCTAssertEqual(request.environment["target"], "localhost")
        XCTAssertNil(request.environment["PATH"], "protected names are never exported")
    }

    func testCommandSettingsReachTheRequest() throws {
        var options = RunOptions()
        options.defaultTimeout = 99
        let run = try LangRun.run("""
        runbook "t"
        shell "/bin/bash"
        timeout 7s
        step a "A" on "step-host"
          $ one
          on "cmd-host" timeout 250ms $ two
          on "" $ three
        """, options: options)
        let requests = run.executor.requests
        XCTAssertEqual(requests.map(\.shell), ["/bin/bash", "/bin/bash", "/bin/bash"])
        XCTAssertEqual(requests.map(\.timeout), [7, 0.25, 7])
        XCTAssertEqual(requests.map(\.host), ["step-host", "cmd-host", nil])
        let plain = try LangRun.run("runbook \"t\"\nstep a \"A\"\n  $ x\n", options: options)
        XCTAssertEqual(plain.executor.requests.first?.timeout, 99)
        XCTAssertEqual(plain.executor.requests.first?.shell, "/bin/sh")
    }

    func testFailingCommandsFailUnlessCapturedOrAllowed() throws {
        let executor = LangFakeExecutor()
        executor.on("bad", stdout: "", exit: 3)
        let run = try LangRun.run("""
        runbook "t"
        step a "A"
          r = $ bad
          print "captured exit {r.exit} ok {r.ok}"
          allow-fail $ bad
          print "allowed"
          $ bad
          print "never"
        """, executor: executor)
        XCTAssertEqual(run.observer.messages, ["captured exit 3 ok false", "allowed"])
        XCTAssertEqual(run.outcome.status, .failed("`bad` failed with exit code 3"))
    }

    func testTimedOutCommandMessage() throws {
        let executor = LangFakeExecutor()
        executor.on("sleep") { _ in CommandResult(exitCode: 124, timedOut: true, duration: 1.02) }
        let run = try LangRun.run("runbook \"t\"\nstep a \"A\"\n  timeout 1s $ sleep 9\n", executor: executor)
        XCTAssertEqual(run.outcome.status, .failed("`sleep 9` timed out after 1.0s"))
    }

    /// BUG: the failure message rounds the measured duration to whole seconds, so a command
    /// with `timeout 300ms` "timed out after 0s".
    func testSubSecondTimeoutIsNotReportedAsZeroSeconds() throws {
        let executor = LangFakeExecutor()
        executor.on("sleep") { _ in CommandResult(exitCode: 124, timedOut: true, duration: 0.301) }
        let run = try LangRun.run("runbook \"t\"\nstep a \"A\"\n  timeout 300ms $ sleep 9\n", executor: executor)
        guard case .failed(let message) = run.outcome.status else { return XCTFail("\(run.outcome.status)") }
        XCTAssertTrue(message.hasPrefix("`sleep 9` timed out after "), message)
        XCTAssertFalse(message.hasSuffix("after 0s"), "a 300 ms timeout reported as: \(message)")
    }

    func testRetryUntilTheConditionHolds() throws {
        let executor = LangFakeExecutor()
        let counter = LangCounter()
        executor.on("probe") { _ in CommandResult(stdout: "\(counter.next())\n") }
        let run = try LangRun.run("""
        runbook "t"
        step a "A"
          retry 5 every 1ms until n.stdout == "3"
            n = $ probe
          print "n={n}"
        """, executor: executor)
        XCTAssertEqual(run.executor.scripts.count, 3)
        XCTAssertEqual(run.observer.messages, ["n=3"])
        XCTAssertEqual(run.observer.branches.last, "retry: condition held on attempt 3 of 5")
        XCTAssertEqual(run.observer.branches.first, "retry: attempt 1 of 5 did not meet n.stdout == \"3\"; next in 0.001s")
    }

    func testRetryThatNeverHolds() throws {
        let withElse = try LangRun.run("""
        runbook "t"
        step a "A"
          retry 3 every 1ms backoff until false else "never became ready"
            $ probe
          print "goes on"
        """)
        XCTAssertEqual(withElse.executor.scripts.count, 3)
        XCTAssertEqual(withElse.outcome.findings.map(\.message), ["never became ready"], "with else: a finding")
        XCTAssertEqual(withElse.observer.messages, ["goes on"])
        XCTAssertEqual(withElse.observer.branches.filter { $0.hasPrefix("retry:") }.map { $0.components(separatedBy: "next in ").last! },
                       ["0.001s", "0.002s"], "backoff doubles the delay")

        let withoutElse = try LangRun.run("""
        runbook "t"
        step a "A"
          retry 2 until 1 > 2
            $ probe
          print "never"
        """)
        XCTAssertEqual(withoutElse.outcome.status, .failed("1 > 2 did not hold after 2 attempts"))
        XCTAssertEqual(withoutElse.executor.scripts.count, 2)
    }

    func testAskTakesAnswersFromOptionsThenTheOperator() throws {
        let text = """
        runbook "t"
        step disk-check "A"
          ask "Is the disk full?"
            yes: conclude "full"
            "no": conclude "not full: {disk_check}"
        """
        let given = try LangRun.run(text, answers: ["disk-check": "NO"])
        XCTAssertEqual(given.outcome.status, .concluded("not full: no", severity: .unstated), "answers match without regard to case")
        XCTAssertEqual(given.io.asked, [])
        let byVariableName = try LangRun.run(text, answers: ["disk_check": "yes"])
        XCTAssertEqual(byVariableName.outcome.status, .concluded("full", severity: .unstated))

        let io = LangOperator()
        io.answers = ["disk-check": "yes"]
        let asked = try LangRun.run(text, io: io)
        XCTAssertEqual(asked.outcome.status, .concluded("full", severity: .unstated))
        XCTAssertEqual(io.asked, ["disk-check"])
    }

    func testUnansweredOrWrongAnswerIsAUsageError() throws {
        let text = "runbook \"t\"\nstep a \"A\"\n  ask q \"Q?\"\n    yes: print \"y\"\n    no: print \"n\"\n"
        let none = try LangRun.run(text)
        XCTAssertEqual(none.outcome.status, .usageError("question 'q' needs an answer: Q? — pass --answer q=yes|no"))
        XCTAssertEqual(none.outcome.exitCode, 2)
        let wrong = try LangRun.run(text, answers: ["q": "maybe"])
        XCTAssertEqual(wrong.outcome.status, .usageError("'maybe' is not an answer to 'q': choose one of yes, no"))
    }

    func testConfirm() throws {
        let text = "runbook \"t\"\nstep a \"A\"\n  confirm \"Restart {1 + 1} pods?\"\n  confirm $ reboot\n  print \"done\"\n"
        let absent = try LangRun.run(text)
        XCTAssertEqual(absent.outcome.status, .aborted("'Restart 2 pods?' needs confirmation: run on a terminal, or pass --yes"))
        XCTAssertEqual(absent.outcome.exitCode, 3)

        let io = LangOperator()
        io.confirmation = false
        let declined = try LangRun.run(text, io: io)
        XCTAssertEqual(declined.outcome.status, .aborted("the operator declined: Restart 2 pods?"))

        let yes = LangOperator()
        yes.confirmation = true
        let accepted = try LangRun.run(text, io: yes)
        XCTAssertEqual(yes.confirmations, ["Restart 2 pods?", "Run `reboot`?"])
        XCTAssertEqual(accepted.observer.messages, ["done"])
        XCTAssertEqual(accepted.executor.scripts, ["reboot"])

        var options = RunOptions()
        options.assumeYes = true
        let assumed = try LangRun.run(text, options: options)
        XCTAssertEqual(assumed.io.confirmations, [])
        XCTAssertEqual(assumed.outcome.status, .completed)
    }

    func testStepVisitLimitStopsEndlessGotoLoops() throws {
        var options = RunOptions()
        options.maxStepVisits = 5
        let run = try LangRun.run("runbook \"t\"\nstep a \"A\"\n  goto b\nstep b \"B\"\n  goto a\n", options: options)
        XCTAssertEqual(run.outcome.status,
                       .failed("step 'a' ran 5 times: a goto loop that never ends? (limit: 5 visits per step)"))
        XCTAssertEqual(run.outcome.stepsRun.count, 10)
    }

    func testDefaultStepVisitLimitIsAThousand() {
        XCTAssertEqual(RunOptions().maxStepVisits, 1000)
    }

    func testFromStep() throws {
        var options = RunOptions()
        options.fromStep = "b"
        let run = try LangRun.run("runbook \"t\"\nstep a \"A\"\n  print \"a\"\nstep b \"B\"\n  print \"b\"\n", options: options)
        XCTAssertEqual(run.outcome.stepsRun, ["b"])
        options.fromStep = "zzz"
        let bad = try LangRun.run("runbook \"t\"\nstep a \"A\"\n  print \"a\"\n", options: options)
        XCTAssertEqual(bad.outcome.status, .usageError("no step 'zzz' to start from"))
    }

    func testValueSetByASkippedStepIsARuntimeError() throws {
        var options = RunOptions()
        options.fromStep = "b"
        let run = try LangRun.run("runbook \"t\"\nstep a \"A\"\n  x = 1\nstep b \"B\"\n  print \"{x}\"\n", options: options)
        XCTAssertEqual(run.outcome.status,
                       .failed("/tmp/runbook-language-tests/test.runbook:5:11: error: 'x' has no value: it was not set on the path this run took; it is set at 3:3"))
    }

    func testValueSetInAnUntakenBranchNamesWhereItIsSet() throws {
        let run = try LangRun.run("runbook \"t\"\nstep a \"A\"\n  if false\n    x = 1\n  print \"{x}\"\n")
        XCTAssertEqual(run.outcome.status,
                       .failed("/tmp/runbook-language-tests/test.runbook:5:11: error: 'x' has no value: it was not set on the path this run took; it is set at 4:5"))
    }

    func testParameters() throws {
        let text = "runbook \"t\"\nparam pod \"the pod\"\nparam n = 3\nsecret param token = \"s3cret\"\nstep a \"A\"\n  print \"{pod} {n + 1}\"\n"
        let run = try LangRun.run(text, parameters: ["pod": "web", "n": "4"])
        XCTAssertEqual(run.observer.messages, ["web 5"], "parameters are text that reads as numbers where needed")
        XCTAssertEqual(run.interpreter.displayedParameters, ["pod": "web", "n": "4", "token": "********"])
        XCTAssertEqual(run.interpreter.secretValues, ["s3cret"])

        XCTAssertThrowsError(try LangRun.run(text)) { error in
            XCTAssertEqual((error as? RuntimeError)?.message, "missing required parameter: pod=… (the pod)")
        }
        XCTAssertThrowsError(try LangRun.run(text, parameters: ["pod": "x", "bogus": "1"])) { error in
            XCTAssertEqual((error as? RuntimeError)?.message, "unknown parameter 'bogus' (this runbook takes: pod, n, token)")
        }
    }

    func testTargetIsTheDefaultHost() throws {
        var options = RunOptions()
        options.defaultHost = "node-7"
        let run = try LangRun.run("runbook \"t\"\nstep a \"A\"\n  print \"on {target}\"\n  $ uptime\n", options: options)
        XCTAssertEqual(run.observer.messages, ["on node-7"])
        XCTAssertEqual(run.executor.requests.first?.host, "node-7")
    }

    func testAFindingInALoopCitesItsIterationNotTheWholeListing() throws {
        let executor = LangFakeExecutor()
        executor.on("list") { _ in
            CommandResult(stdout: "NAME   STATUS\n" + (1...30).map { "p\($0)     \($0 == 7 ? "Pending" : "Running")" }.joined(separator: "\n") + "\n")
        }
        executor.on("describe") { _ in CommandResult(stdout: "details of p7\n") }
        let run = try LangRun.run("""
        runbook "t"
        step a "A"
          pods = $ list
          foreach p in table(pods)
            expect p.STATUS == "Running" else "{p.NAME} is {p.STATUS}"
          foreach p in table(pods)
            if p.STATUS != "Running"
              $ describe
            expect p.STATUS == "Running" else "again {p.NAME}"
          expect false else "after the loops"
        """, executor: executor)
        XCTAssertEqual(run.outcome.findings.map(\.evidence), ["NAME=p7 STATUS=Pending", "details of p7", "details of p7"])
    }

    func testEvidenceCountsTheLinesItLeavesOut() {
        let lines = (1...25).map { "line \($0)" }
        let evidence = Interpreter.evidence(CommandResult(stdout: lines.joined(separator: "\n") + "\n", stderr: "err\r\nlast\n"))
        XCTAssertEqual(evidence, "… (7 earlier lines)\n" + (lines.suffix(18) + ["err", "last"]).joined(separator: "\n"))
        XCTAssertEqual(Interpreter.evidence(CommandResult(stdout: "a\nb\n")), "a\nb")
    }

    func testParallelForeachReportsATableAndTurnsFailuresIntoFindings() throws {
        let executor = LangFakeExecutor()
        executor.on("check") { request in
            request.environment["h"] == "bad" ? CommandResult(stdout: "boom\n", exitCode: 2) : CommandResult(stdout: "fine\n")
        }
        let run = try LangRun.run("""
        runbook "t"
        step a "A"
          foreach h in ["ok1", "bad", "ok2"] parallel 3
            $ check
        """, executor: executor)
        XCTAssertEqual(run.executor.scripts.count, 3)
        XCTAssertEqual(run.outcome.findings.map(\.message), ["bad: `check` failed with exit code 2"])
        XCTAssertEqual(run.outcome.findings.first?.evidence, "boom")
        XCTAssertEqual(run.observer.messages.last, "h    result\nok1  ok\nbad  failed\nok2  ok")
        XCTAssertEqual(run.outcome.exitCode, 1)
    }

    func testRuntimeErrorFailsTheStepWithItsPosition() throws {
        let run = try LangRun.run("runbook \"t\"\nstep a \"A\"\n  x = number(\"n/a\")\n")
        XCTAssertEqual(run.outcome.status,
                       .failed("/tmp/runbook-language-tests/test.runbook:3:7: error: number(): 'n/a' is not a number"))
    }

    // MARK: Calls

    func testCallPassesArgumentsAndCapturesTheResult() throws {
        let directory = try Lang.scratchDirectory("calls")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try """
        runbook "child"
        param host
        param port = 22
        step check "Check"
          print "child {host}:{port}"
          expect port == 22 else "port {port}"
          conclude "child done with {host}"
        """.write(toFile: directory + "/child.runbook", atomically: true, encoding: .utf8)
        let run = try LangRun.run("""
        runbook "parent"
        step a "A"
          res = run "child.runbook" host="web" port=2222
          print "{res.status}|{res.conclusion}|{res.findings}"
        step b "B"
          run "child.runbook" host="db"
          print "never: the child's conclusion ends the run"
        """, path: directory + "/parent.runbook")
        XCTAssertEqual(run.observer.messages, ["child web:2222", "concluded|child done with web|port 2222", "child db:22"])
        XCTAssertEqual(run.observer.startedSteps, ["a", "child/check", "b", "child/check"])
        XCTAssertEqual(run.outcome.status, .concluded("child done with db", severity: .unstated))
        XCTAssertEqual(run.outcome.findings.map(\.path.stepDescription), ["child/check"], "findings of called runbooks count")
    }
}

/// A thread-safe counter for fake commands.
final class LangCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int {
        lock.lock(); defer { lock.unlock() }
        value += 1
        return value
    }
}

/// A parallel `foreach`: each iteration's result counts its own findings only.
final class ParallelFindingTests: XCTestCase {
    func testEachIterationCountsOnlyItsOwnFindings() throws {
        let items = (1...200).map { "\"\($0)\"" }.joined(separator: ", ")
        let run = try LangRun.run("""
            runbook "t"
            step a "A"
              foreach n in [\(items)] parallel 16
                expect number(n) % 10 != 0 else "{n} is a multiple of ten"

            """)
        XCTAssertEqual(run.outcome.findings.count, 20)
        let table = try XCTUnwrap(run.observer.messages.last)
        let rows = table.split(separator: "\n").dropFirst().map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        XCTAssertEqual(rows.count, 200)
        for row in rows {
            let n = Int(row[0])!
            XCTAssertEqual(String(row[1]), n % 10 == 0 ? "finding" : "ok", "item \(n)")
        }
    }
}
