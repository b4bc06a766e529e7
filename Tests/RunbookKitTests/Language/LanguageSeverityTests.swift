import Foundation
import XCTest
@testable import RunbookKit

/// `conclude ok`, `conclude unknown`, `diagnose` and `expect … else warn …`: how they parse,
/// what the parser says about malformed forms, the severity and exit code each gives a run,
/// and `fmt` printing them back as written.
final class LanguageSeverityTests: XCTestCase {
    override func setUp() {
        Cancellation.shared.reset()
    }

    private static let path = "/tmp/runbook-language-tests/test.runbook"

    private func body(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> [Stmt.Kind] {
        Lang.parsed("runbook \"t\"\nstep a \"A\"\n" + text, file: file, line: line)?.steps[0].body.map(\.kind) ?? []
    }

    /// Every diagnostic of a one-step runbook whose body is `text`, as `path:line:col: error: message`.
    private func diagnostics(_ text: String) -> [String] {
        Lang.parse("runbook \"t\"\nstep a \"A\"\n" + text).diagnostics.map(\.description)
    }

    // MARK: Parsing

    func testEachConclusionFormParsesToItsSeverity() {
        let kinds = body("""
          if 1 > 2
            conclude ok "healthy"
          if 2 > 3
            conclude unknown "cannot reach the cluster"
          if 3 > 4
            diagnose "the disk is full"
          conclude "plain"

        """)
        guard kinds.count == 4 else { return XCTFail("\(kinds)") }
        func conclusion(_ kind: Stmt.Kind) -> ConclusionSeverity? {
            if case .ifElse(let branches, _) = kind, case .conclude(_, let severity) = branches[0].body[0].kind { return severity }
            if case .conclude(_, let severity) = kind { return severity }
            return nil
        }
        XCTAssertEqual(kinds.map(conclusion), [.ok, .unknown, .problem, .unstated])
    }

    func testExpectElseWarnParsesAsAWarning() {
        let kinds = body("  expect 1 == 1 else warn \"soft\"\n  expect 1 == 1 else \"hard\"\n")
        guard kinds.count == 2,
              case .expect(_, _, let first) = kinds[0], case .expect(_, _, let second) = kinds[1]
        else { return XCTFail("\(kinds)") }
        XCTAssertEqual(first, .warning)
        XCTAssertEqual(second, .failing)
    }

    func testMalformedFormsAreErrorsAtTheirPlace() {
        let p = Self.path
        XCTAssertEqual(diagnostics("  conclude maybe \"x\"\n"),
                       ["\(p):3:12: error: expected 'ok', 'unknown' or the conclusion in quotes after 'conclude', found 'maybe' (write `diagnose \"…\"` for a problem)"])
        // One error each, at its line and column, saying what is missing.
        let cases: [(text: String, place: String, says: String)] = [
            ("  diagnose\n", "3:11", "the diagnosis"),
            ("  conclude ok\n", "3:14", "the conclusion"),
            ("  conclude unknown\n", "3:19", "the conclusion"),
            ("  expect 1 == 1 else warn\n", "3:26", "what it means"),
            // A failed require stops the run: it cannot be a warning.
            ("  require 1 == 1 else warn \"x\"\n", "3:23", "found 'warn'"),
        ]
        for c in cases {
            let found = diagnostics(c.text)
            XCTAssertEqual(found.count, 1, "\(c.text): \(found)")
            XCTAssertTrue(found.first?.hasPrefix("\(p):\(c.place): error: ") ?? false, "\(c.text): \(found)")
            XCTAssertTrue(found.first?.contains(c.says) ?? false, "\(c.text): \(found)")
        }
    }

    func testTheCheckerAcceptsEveryFormAndChecksTheirMessages() {
        XCTAssertEqual(Lang.errors("""
        runbook "t"
        step a "A"
          expect 1 == 1 else warn "soft"
          if 1 > 2
            conclude ok "fine"
          if 2 > 3
            conclude unknown "no idea"
          diagnose "broken"
        """), [])
        XCTAssertEqual(Lang.errors("runbook \"t\"\nstep a \"A\"\n  diagnose \"{nope}\"\n"), ["3:14: undefined name 'nope'"])
        XCTAssertEqual(Lang.errors("runbook \"t\"\nstep a \"A\"\n  conclude ok \"{nope}\"\n"), ["3:17: undefined name 'nope'"])
        XCTAssertEqual(Lang.errors("runbook \"t\"\nstep a \"A\"\n  expect 1 == 1 else warn \"{nope}\"\n"),
                       ["3:29: undefined name 'nope'"])
    }

    // MARK: Severity and exit codes

    private func outcome(_ body: String, executor: LangFakeExecutor = LangFakeExecutor(),
                         file: StaticString = #filePath, line: UInt = #line) throws -> RunOutcome {
        try LangRun.run("runbook \"t\"\nstep a \"A\"\n" + body, executor: executor, file: file, line: line).outcome
    }

    func testConcludeOkIsHealthyExitZero() throws {
        let run = try outcome("  conclude ok \"all {1 + 1} nodes ready\"\n")
        XCTAssertEqual(run.status, .concluded("all 2 nodes ready", severity: .ok))
        XCTAssertEqual(run.severity, .ok)
        XCTAssertEqual(run.exitCode, 0)
        XCTAssertEqual(run.conclusionSeverity, .ok)
    }

    func testDiagnoseIsAProblemExitOne() throws {
        let run = try outcome("  diagnose \"the disk is full\"\n  print \"never\"\n")
        XCTAssertEqual(run.status, .concluded("the disk is full", severity: .problem))
        XCTAssertEqual(run.statusName, "concluded")
        XCTAssertEqual(run.severity, .problem)
        XCTAssertEqual(run.exitCode, 1)
    }

    func testConcludeUnknownCouldNotTellExitFour() throws {
        let run = try outcome("  conclude unknown \"kubectl cannot reach the cluster\"\n")
        XCTAssertEqual(run.status, .concluded("kubectl cannot reach the cluster", severity: .unknown))
        XCTAssertEqual(run.severity, .unknown)
        XCTAssertEqual(run.exitCode, 4)
    }

    func testPlainConclusionLetsTheFindingsDecide() throws {
        let clean = try outcome("  conclude \"done\"\n")
        XCTAssertEqual(clean.status, .concluded("done", severity: .unstated))
        XCTAssertEqual(clean.severity, .ok)
        XCTAssertEqual(clean.exitCode, 0)

        let withFinding = try outcome("  expect 1 == 2 else \"numbers differ\"\n  conclude \"done\"\n")
        XCTAssertEqual(withFinding.severity, .problem)
        XCTAssertEqual(withFinding.exitCode, 1)
    }

    func testAFailingFindingOutweighsAnOkConclusion() throws {
        let run = try outcome("  expect 1 == 2 else \"numbers differ\"\n  conclude ok \"looks fine\"\n")
        XCTAssertEqual(run.findings.map(\.severity), [.failing])
        XCTAssertEqual(run.severity, .problem)
        XCTAssertEqual(run.exitCode, 1)
    }

    func testWarningsAreRecordedButChangeNoExitCode() throws {
        let executor = LangFakeExecutor()
        executor.on("uptime", stdout: "load 9\n")
        let body = "  r = $ uptime\n  expect r.stdout == \"load 1\" else warn \"high load: {r.stdout}\"\n  print \"goes on\"\n"

        let completed = try LangRun.run("runbook \"t\"\nstep a \"A\"\n" + body, executor: executor)
        XCTAssertEqual(completed.observer.findings, ["high load: load 9"])
        XCTAssertEqual(completed.observer.messages, ["goes on"], "a warning does not stop the step")
        XCTAssertEqual(completed.outcome.findings.map(\.severity), [.warning])
        XCTAssertEqual(completed.outcome.findings.first?.evidence.contains("load 9") ?? false, true)
        XCTAssertFalse(completed.outcome.hasFailingFindings)
        XCTAssertEqual(completed.outcome.status, .completed)
        XCTAssertEqual(completed.outcome.severity, .ok)
        XCTAssertEqual(completed.outcome.exitCode, 0)

        let ok = try outcome(body + "  conclude ok \"fine\"\n", executor: executor)
        XCTAssertEqual(ok.exitCode, 0)
        let diagnosed = try outcome(body + "  diagnose \"broken\"\n", executor: executor)
        XCTAssertEqual(diagnosed.exitCode, 1)
        let unknown = try outcome(body + "  conclude unknown \"no idea\"\n", executor: executor)
        XCTAssertEqual(unknown.exitCode, 4)
        let failed = try outcome(body + "  fail \"stopped\"\n", executor: executor)
        XCTAssertEqual(failed.exitCode, 4)
    }

    func testRunsThatStopBeforeTheyCanTellExitFour() throws {
        let failed = try outcome("  fail \"cannot go on\"\n")
        XCTAssertEqual(failed.severity, .unknown)
        XCTAssertEqual(failed.exitCode, 4)
        let required = try outcome("  require 1 == 2 else \"needs one\"\n")
        XCTAssertEqual(required.severity, .unknown)
        XCTAssertEqual(required.exitCode, 4)
        // A failing finding before the failure still says there is a problem.
        let both = try outcome("  expect 1 == 2 else \"differ\"\n  fail \"cannot go on\"\n")
        XCTAssertEqual(both.severity, .problem)
        XCTAssertEqual(both.exitCode, 1)
    }

    func testCombinedExitCodesAndSeverities() {
        XCTAssertEqual(RunOutcome.combinedExitCode([0, 4, 1]), 1)
        XCTAssertEqual(RunOutcome.combinedExitCode([0, 4]), 4)
        XCTAssertEqual(RunOutcome.combinedExitCode([0, 0]), 0)
        XCTAssertEqual(RunOutcome.combinedExitCode([1, 3]), 3)
        XCTAssertEqual(RunOutcome.combinedSeverity([.ok, .unknown]), .unknown)
        XCTAssertEqual(RunOutcome.combinedSeverity([.unknown, .problem, .ok]), .problem)
        XCTAssertEqual(RunOutcome.combinedSeverity([.ok, .ok]), .ok)
    }

    // MARK: check's advice on plain conclusions

    func testCheckAdvisesAgainstPlainConclusionsOnly() throws {
        let runbook = try XCTUnwrap(Lang.parsed("""
        runbook "t"
        step a "A"
          ask "Is it DNS?"
            yes: conclude "it was DNS"
            no: diagnose "not DNS"
          if 1 > 2
            conclude ok "fine"
          conclude unknown "no idea"
        step b "B"
          conclude "plain"
        """))
        let advice = ConclusionAdvice.warnings(runbook)
        XCTAssertEqual(advice.map(\.severity), [.warning, .warning], "a warning, never an error")
        XCTAssertEqual(advice.map { "\($0.location!.line):\($0.location!.column)" }, ["4:10", "10:3"])
        XCTAssertTrue(advice.allSatisfy { $0.message.contains("`conclude ok`") && $0.message.contains("`diagnose`") })
        XCTAssertEqual(Lang.check("runbook \"t\"\nstep a \"A\"\n  conclude \"x\"\n").1.map(\.description), [],
                       "loading a runbook to run it says nothing about it")
    }

    func testShippedRunbooksSayWhatTheyFound() throws {
        let directory = ScenarioFixtures.repositoryRoot + "/runbooks"
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".runbook") }
        XCTAssertFalse(names.isEmpty)
        for name in names {
            let text = try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
            guard let runbook = Parser.parse(SourceFile(path: name, text: text)).runbook else { return XCTFail(name) }
            XCTAssertEqual(ConclusionAdvice.warnings(runbook).map(\.description), [], name)
        }
    }

    // MARK: fmt

    func testFormatterPrintsEveryFormBackUnchanged() throws {
        let text = """
        runbook "t"

        step a "A"
          expect 1 == 1 else warn "soft {1}"
          expect 1 == 1 else "hard"
          if 1 > 2
            conclude ok "fine"
          else if 2 > 3
            conclude unknown "no idea"
          else if 3 > 4
            diagnose "broken"
          conclude "plain"

        """
        let formatted = try RunbookFormatter.format(SourceFile(path: "t.runbook", text: text))
        XCTAssertEqual(formatted, text)
        let original = try XCTUnwrap(Parser.parse(SourceFile(path: "t.runbook", text: text)).runbook)
        XCTAssertNoThrow(try RunbookFormatter.verify(original: original, formatted: formatted))
    }

    func testFormatterNormalisesSpacingButKeepsTheSeverity() throws {
        let formatted = try RunbookFormatter.format(SourceFile(path: "t.runbook", text: """
        runbook "t"
        step a "A"
          expect   1==1   else   warn   "soft"
          conclude    unknown    "no idea"
          diagnose     "broken"
        """))
        XCTAssertEqual(formatted, """
        runbook "t"

        step a "A"
          expect 1 == 1 else warn "soft"
          conclude unknown "no idea"
          diagnose "broken"

        """)
    }

    func testTheSafetyNetTellsSeveritiesApart() throws {
        func parsed(_ text: String) throws -> Runbook {
            try XCTUnwrap(Parser.parse(SourceFile(path: "t.runbook", text: text)).runbook)
        }
        let original = try parsed("runbook \"T\"\n\nstep a \"A\"\n  conclude ok \"x\"\n")
        XCTAssertThrowsError(try RunbookFormatter.verify(original: original, formatted: "runbook \"T\"\n\nstep a \"A\"\n  conclude \"x\"\n"))
        XCTAssertThrowsError(try RunbookFormatter.verify(original: original, formatted: "runbook \"T\"\n\nstep a \"A\"\n  diagnose \"x\"\n"))
        let warn = try parsed("runbook \"T\"\n\nstep a \"A\"\n  expect 1 == 1 else warn \"x\"\n")
        XCTAssertThrowsError(try RunbookFormatter.verify(original: warn, formatted: "runbook \"T\"\n\nstep a \"A\"\n  expect 1 == 1 else \"x\"\n"))
    }
}
