// A host ssh could not reach is not asked again in the same run: later commands on it are
// recorded as not attempted and end their step as unreachable, unless written
// `allow-unreachable`.

import Foundation
import XCTest
@testable import RunbookKit

final class LanguageUnreachableTests: XCTestCase {
    /// An executor where `host` cannot be reached: every command on it fails the way ssh does.
    private func executor(unreachable host: String) -> LangFakeExecutor {
        let executor = LangFakeExecutor()
        executor.on("") { request in
            if request.host == host {
                return CommandResult(stderr: "ssh: connect to host \(host) port 22: Connection refused\n",
                                     exitCode: 255, unreachable: true, duration: 0.01)
            }
            return CommandResult(stdout: "ran \(request.script)", exitCode: 0, duration: 0.01)
        }
        return executor
    }

    private func commandEnds(_ run: LangRun) -> [CommandEnd] {
        run.observer.events.compactMap { if case .commandEnded(let end) = $0 { return end } else { return nil } }
    }

    private func stepEnds(_ run: LangRun) -> [String: StepOutcome] {
        var ends: [String: StepOutcome] = [:]
        for case .stepEnded(let end) in run.observer.events { ends[end.path.stepDescription] = end.outcome }
        return ends
    }

    private func targetEnd(_ run: LangRun) -> TargetEnd? {
        for case .targetEnded(let end) in run.observer.events { return end }
        return nil
    }

    func testLaterCommandsOnAnUnreachableHostAreNotAttempted() throws {
        let executor = executor(unreachable: "db")
        let run = try LangRun.run("""
        runbook "t"
        step probe "Probe"
          first = on "db" $ cat /proc/loadavg
          print "captured: {first.unreachable}"
          other = on "web" $ uptime
          second = on "db" $ getconf _NPROCESSORS_ONLN
          print "never: the step ends at the command not attempted"
        step later "Later"
          print "never"
        """, executor: executor)
        XCTAssertEqual(executor.scripts, ["cat /proc/loadavg", "uptime"], "the second command on db is not attempted")
        XCTAssertEqual(run.observer.messages, ["captured: true"])
        let skipped = try XCTUnwrap(commandEnds(run).last)
        XCTAssertEqual(skipped.script, "getconf _NPROCESSORS_ONLN")
        XCTAssertTrue(skipped.result.unreachable)
        XCTAssertEqual(skipped.result.exitCode, 255)
        XCTAssertTrue(skipped.result.stderr.hasPrefix("not attempted: db was unreachable earlier in this run"), skipped.result.stderr)
        XCTAssertEqual(stepEnds(run), ["probe": .unreachable])
        XCTAssertEqual(run.outcome.status,
                       .failed("db is unreachable (ssh: connect to host db port 22: Connection refused): `getconf _NPROCESSORS_ONLN` and the rest of this step were not attempted"))
        XCTAssertEqual(targetEnd(run)?.status, .unreachable)
        XCTAssertEqual(targetEnd(run)?.reason, "ssh: connect to host db port 22: Connection refused")
    }

    func testTheDefaultHostIsRememberedAcrossSteps() throws {
        let executor = executor(unreachable: "node-1")
        var options = RunOptions()
        options.defaultHost = "node-1"
        let run = try LangRun.run("""
        runbook "t"
        step a "A"
          r = $ uptime
          print "{r.exit}"
        step b "B"
          local = on "localhost" $ hostname
          allow-fail $ df -P /
        """, options: options, executor: executor)
        XCTAssertEqual(executor.scripts, ["uptime", "hostname"])
        XCTAssertEqual(stepEnds(run), ["a": .ok, "b": .unreachable])
        XCTAssertEqual(targetEnd(run)?.status, .unreachable)
    }

    func testAllowUnreachableTriesAgainAndLetsTheRunbookDecide() throws {
        let executor = LangFakeExecutor()
        let attempts = LangCounter()
        executor.on("true") { _ in
            // The host answers from the third attempt on (say, after a reboot).
            attempts.next() < 3
                ? CommandResult(stderr: "ssh: connect to host db port 22: Connection refused\n", exitCode: 255,
                                unreachable: true, duration: 0.01)
                : CommandResult(exitCode: 0, duration: 0.01)
        }
        let run = try LangRun.run("""
        runbook "t"
        step wait "Wait for the host"
          probe = on "db" $ true
          allow-unreachable on "db" $ true
          retry 5 until back.ok
            back = on "db" allow-unreachable $ true
          print "back after {back.exit}"
          r = on "db" $ uptime
        """, executor: executor)
        XCTAssertEqual(executor.scripts, ["true", "true", "true", "uptime"])
        XCTAssertEqual(run.observer.messages, ["back after 0"])
        XCTAssertEqual(stepEnds(run), ["wait": .ok], "once reached again, the host is no longer skipped")
        XCTAssertEqual(run.outcome.status, .completed)
    }

    func testACalledRunbookTriesOnceThenStopsToo() throws {
        let directory = try Lang.scratchDirectory("unreachable")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try """
        runbook "child"
        step check "Check"
          cpus = $ getconf _NPROCESSORS_ONLN
          load = $ cat /proc/loadavg
          print "child: {number(field(load, 1))}"
        """.write(toFile: directory + "/child.runbook", atomically: true, encoding: .utf8)
        let executor = executor(unreachable: "db")
        let run = try LangRun.run("""
        runbook "parent"
        step reach "Reach"
          probe = on "db" $ true
          res = run "child.runbook" on "db"
          print "child {res.status}"
          again = on "db" $ uptime
        """, executor: executor, path: directory + "/parent.runbook")
        XCTAssertEqual(executor.scripts, ["true", "getconf _NPROCESSORS_ONLN"],
                       "the called runbook sees the host unreachable once, then stops; so does its caller")
        XCTAssertEqual(run.observer.messages, ["child failed"])
        XCTAssertEqual(stepEnds(run), ["child/check": .unreachable, "reach": .unreachable])
        XCTAssertEqual(targetEnd(run)?.status, .unreachable)
    }

    func testInParallelIterationsTheHostIsSkippedToo() throws {
        let executor = executor(unreachable: "b")
        let run = try LangRun.run("""
        runbook "t"
        step s "S"
          foreach h in ["a", "b"] parallel 2
            one = on h $ echo one
            two = on h $ echo two
        """, executor: executor)
        XCTAssertEqual(executor.scripts.sorted(), ["echo one", "echo one", "echo two"])
        XCTAssertEqual(run.observer.findings.count, 1)
    }
}
