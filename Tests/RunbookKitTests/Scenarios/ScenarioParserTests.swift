import XCTest
@testable import RunbookKit

final class ScenarioParserTests: XCTestCase {
    func testFullFormat() throws {
        let scenario = try ScenarioFixtures.scenario(#"""
            # A comment line
            scenario "All the parts"   # trailing comment
            runbook "service-down.runbook"
            target "node-1"
            param service = "api"
            param port = 8081
            answer cause = "no"

            when $ kubectl get pod "$pod" -o jsonpath='{.status.phase}'  # part of the command
              stdout "Running"
            when ~ "^kubectl describe \w+"
              on "node-1"
              exit 3
              stdout
                | Name:  api
                |
                |   indented
              stderr "a warning"
            when $ |
              | for f in a b; do
              |   echo "$f"
              | done
              repeat
            when $ kubectl get pods \
                  -n shop
              timeout

            expect conclusion ~ "OOM\d"
            expect failure "exact \"text\""
            expect status aborted
            expect steps status, events, logs-2
            expect findings 2
            expect finding "disk"
            expect confirm ~ "Restart"
            """#)
        XCTAssertEqual(scenario.title, "All the parts")
        XCTAssertEqual(scenario.runbookPath, "service-down.runbook")
        XCTAssertEqual(scenario.resolvedRunbookPath, ScenarioFixtures.path("service-down.runbook"))
        XCTAssertEqual(scenario.target, "node-1")
        XCTAssertEqual(scenario.params.map { "\($0.name)=\($0.value)" }, ["service=api", "port=8081"])
        XCTAssertEqual(scenario.answers.map { "\($0.name)=\($0.value)" }, ["cause=no"])

        let answers = scenario.commandAnswers
        XCTAssertEqual(answers.count, 4)
        guard case .exact(let first) = answers[0].pattern else { return XCTFail("not exact") }
        XCTAssertEqual(first, #"kubectl get pod "$pod" -o jsonpath='{.status.phase}'  # part of the command"#)
        XCTAssertEqual(answers[0].stdout, "Running\n")
        guard case .regex(let regex) = answers[1].pattern else { return XCTFail("not a regex") }
        XCTAssertEqual(regex, #"^kubectl describe \w+"#)
        XCTAssertEqual(answers[1].host, "node-1")
        XCTAssertEqual(answers[1].exitCode, 3)
        XCTAssertEqual(answers[1].stdout, "Name:  api\n\n  indented\n")
        XCTAssertEqual(answers[1].stderr, "a warning\n")
        guard case .exact(let script) = answers[2].pattern else { return XCTFail("not exact") }
        XCTAssertEqual(script, "for f in a b; do\n  echo \"$f\"\ndone")
        XCTAssertTrue(answers[2].repeats)
        XCTAssertTrue(answers[3].matches(script: "kubectl get pods \\\n    -n shop", host: nil))
        XCTAssertTrue(answers[3].timedOut)
        XCTAssertEqual(answers[3].exitCode, 124)

        XCTAssertEqual(scenario.expectations.count, 7)
        guard case .conclusion(.regex(let conclusion)) = scenario.expectations[0].kind else { return XCTFail() }
        XCTAssertEqual(conclusion, #"OOM\d"#)
        guard case .failure(.exact(let failure)) = scenario.expectations[1].kind else { return XCTFail() }
        XCTAssertEqual(failure, #"exact "text""#)
        guard case .steps(let steps) = scenario.expectations[3].kind else { return XCTFail() }
        XCTAssertEqual(steps, ["status", "events", "logs-2"])
        guard case .findingCount(2) = scenario.expectations[4].kind else { return XCTFail() }
    }

    func testExactMatchIgnoresIndentationAndTrailingSpaces() {
        let answer = CommandAnswer(pattern: .exact("for f in a b; do\necho \"$f\"\ndone"), offset: 0)
        XCTAssertTrue(answer.matches(script: "for f in a b; do\n    echo \"$f\"   \ndone", host: nil))
        XCTAssertFalse(answer.matches(script: "for f in a b c; do\n    echo \"$f\"\ndone", host: nil))
        XCTAssertFalse(answer.matches(script: "for f in a b; do", host: nil))
    }

    func testHostMatching() {
        var answer = CommandAnswer(pattern: .regex("^df"), offset: 0)
        answer.host = "localhost"
        XCTAssertTrue(answer.matches(script: "df -h", host: nil))
        XCTAssertFalse(answer.matches(script: "df -h", host: "node-1"))
        answer.host = "node-1"
        XCTAssertTrue(answer.matches(script: "df -h", host: "node-1"))
        XCTAssertFalse(answer.matches(script: "uptime", host: "node-1"))
    }

    /// Each malformed input and the exact line:column and message it must give.
    func testErrorsArePlaced() {
        let cases: [(String, String)] = [
            ("runbook \"x.runbook\"\nexpect status failed\n",
             "1:1: error: a scenario starts with its title: scenario \"What this situation is\""),
            ("scenario \"t\"\nexpect status failed\n",
             "1:1: error: the scenario names no runbook: add  runbook \"path/to/file.runbook\""),
            ("scenario \"t\"\nrunbook \"x.runbook\"\n",
             "1:1: error: the scenario expects nothing: add an expect line, e.g.  expect conclusion ~ \"…\""),
            ("scenario \"t\nrunbook \"x\"\n", "1:10: error: unterminated string: add a closing \""),
            ("scenario \"t\"\nrunbook \"x\"\nwhen $ ls\n\texit 1\nexpect findings 0\n",
             "4:1: error: tab in indentation: indent with spaces"),
            ("scenario \"t\"\nrunbook \"x\"\n  | text\nexpect findings 0\n",
             "3:3: error: a '|' line belongs under stdout, stderr or 'when $ |', indented deeper"),
            ("scenario \"t\"\nrunbook \"x\"\nwhen $ ls\n  stdout\nexpect findings 0\n",
             "4:3: error: this output needs its lines below it, each starting with '| '"),
            ("scenario \"t\"\nrunbook \"x\"\nwhen $ ls\n  exit 300\nexpect findings 0\n",
             "4:8: error: an exit code is a whole number from 0 to 255"),
            ("scenario \"t\"\nrunbook \"x\"\nwhen ~ \"([\"\nexpect findings 0\n",
             "3:8: error: invalid regular expression \"([\""),
            ("scenario \"t\"\nrunbook \"x\"\nwhen ls\nexpect findings 0\n",
             "3:6: error: expected '$ command text' or '~ \"regex\"' after 'when'"),
            ("scenario \"t\"\nrunbook \"x\"\nexpect findings many\n",
             "3:17: error: expected a whole number of findings, found 'many'"),
            ("scenario \"t\"\nrunbook \"x\"\nparam a = \"1\"\nparam a = \"2\"\nexpect findings 0\n",
             "4:7: error: 'a' is given twice"),
            ("scenario \"t\"\nrunbook \"x\"\nparam a \"1\"\nexpect findings 0\n",
             "3:9: error: expected '=' after 'a' (param a = \"value\"), found a string"),
            ("scenario \"t\"\nrunbook \"x\"\nexpect conclusion \"a\" extra\nexpect findings 0\n",
             "3:23: error: unexpected 'extra' at the end of the line"),
            ("scenario \"t\"\nrunbook \"x\"\n  exit 1\n",
             "3:3: error: unexpected indentation: only the lines of a 'when' block are indented"),
            ("scenario \"t\"\nrunbook \"x\"\nexpect severity maybe\n",
             "3:17: error: unknown severity 'maybe': expected ok, problem, unknown"),
            ("scenario \"t\"\nrunbook \"x\"\nexpect exit 300\n",
             "3:13: error: expected an exit code from 0 to 255, found '300'"),
            ("scenario \"t\"\nrunbook \"x\"\nexpect exit one\n",
             "3:13: error: expected an exit code from 0 to 255, found 'one'"),
            ("scenario \"t\"\nrunbook \"x\"\nwhen $ ls\n  stdin \"x\"\n",
             "4:3: error: unknown line 'stdin' in a 'when' block: expected stdout, stderr, exit, on, repeat, timeout or unreachable"),
        ]
        for (text, expected) in cases {
            do {
                _ = try ScenarioParser.parse(SourceFile(path: "s.scenario", text: text))
                XCTFail("no error for:\n\(text)")
            } catch let diagnostic as Diagnostic {
                XCTAssertEqual(diagnostic.description, "s.scenario:" + expected, "for:\n\(text)")
            } catch {
                XCTFail("unexpected error \(error)")
            }
        }
    }
}
