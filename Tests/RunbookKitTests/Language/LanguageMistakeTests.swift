import XCTest
@testable import RunbookKit

/// Warnings and errors for mistakes that look right to someone who knows the shell and
/// other languages: each with its place and what to write instead.
final class LanguageMistakeTests: XCTestCase {
    /// "line:col: message" for each warning.
    private func warnings(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> [String] {
        let (checked, diagnostics) = Lang.check(text)
        XCTAssertNotNil(checked, "warnings must not make the check fail: \(diagnostics)", file: file, line: line)
        return diagnostics.filter { $0.severity == .warning }.map { d in
            d.location.map { "\($0.line):\($0.column): \(d.message)" } ?? d.message
        }
    }

    private func runbook(_ body: String, header: String = "param pod = \"web-1\"\n") -> String {
        "runbook \"t\"\n" + header + "step s \"S\"\n" + body
    }

    // MARK: Braces in commands

    func testBracesAroundANameInACommand() {
        XCTAssertEqual(warnings(runbook("  $ kubectl logs {pod} --tail=5\n")),
                       ["4:18: '{pod}' reaches the shell as the text {pod}: in a command, runbook values are environment variables; write \"$pod\""])
        let loop = warnings(runbook("  foreach n in [\"a\"]\n    $ echo {n}\n"))
        XCTAssertEqual(loop.count, 1)
        XCTAssertTrue(loop[0].hasPrefix("5:12: '{n}'"), "\(loop)")
    }

    func testShellAndJsonpathBracesAreNotWarnedAbout() {
        XCTAssertEqual(warnings(runbook("  $ echo \"${pod}\"\n")), [])
        XCTAssertEqual(warnings(runbook("  $ kubectl get pods -o jsonpath='{.items[0].metadata.name}{\"\\n\"}'\n")), [])
        XCTAssertEqual(warnings(runbook("  $ kubectl get pods -o jsonpath='{range .items[*]}{.metadata.name}{end}'\n")), [])
        XCTAssertEqual(warnings(runbook("  $ awk '{print $1}' /etc/hosts\n")), [])
        XCTAssertEqual(warnings(runbook("  $ echo {other}\n")), [], "a name the runbook does not know is the shell's")
    }

    func testBracesInABlockCommandPointAtTheirLine() {
        let found = warnings(runbook("  $ |\n    echo start\n      echo {pod}\n"))
        XCTAssertEqual(found.count, 1)
        XCTAssertTrue(found[0].hasPrefix("6:12: '{pod}'"), "\(found)")
    }

    // MARK: $name in runbook strings

    func testDollarNameInAMessage() {
        XCTAssertEqual(warnings(runbook("  print \"checking $pod\"\n")),
                       ["4:19: '$pod' is printed as it is: runbook strings show a value with {pod}"])
        XCTAssertEqual(warnings(runbook("  conclude \"${pod} is fine\"\n")),
                       ["4:13: '${pod}' is printed as it is: runbook strings show a value with {pod}"])
    }

    func testInterpolationAndOtherDollarsAreNotWarnedAbout() {
        XCTAssertEqual(warnings(runbook("  print \"checking {pod} for $5 and $HOME\"\n")), [])
        XCTAssertEqual(warnings(runbook("  x = match(\"a\", \"a$\")\n  print \"{x}\"\n")), [])
    }

    // MARK: Modifiers after the command

    func testModifierWrittenAfterTheCommand() {
        let header = "param node = \"n1\"\n"
        XCTAssertEqual(warnings(runbook("  $ uptime on node\n", header: header)),
                       ["4:12: 'on node' after the command is shell text, not a modifier: write it before the '$': on node $ uptime"])
        XCTAssertEqual(warnings(runbook("  $ sleep 1 timeout 5s\n", header: header)),
                       ["4:13: 'timeout 5s' after the command is shell text, not a modifier: write it before the '$': timeout 5s $ sleep 1"])
        XCTAssertEqual(warnings(runbook("  $ rm -f /tmp/lock confirm\n", header: header)).count, 1)
    }

    func testOnWithAWordTheRunbookDoesNotKnowIsShell() {
        XCTAssertEqual(warnings(runbook("  $ echo turn on lights\n")), [])
        XCTAssertEqual(warnings(runbook("  on pod $ uptime\n")), [])
    }

    // MARK: Errors: '=' in a condition, elif, bare-word default

    func testSingleEqualsInACondition() {
        XCTAssertEqual(Lang.errors(runbook("  if pod = \"x\"\n    print \"x\"\n")),
                       ["4:10: '=' sets a variable; to compare, write '=='"])
        XCTAssertEqual(Lang.errors(runbook("  expect pod = \"x\" else \"no\"\n")),
                       ["4:14: '=' sets a variable; to compare, write '=='"])
    }

    func testElif() {
        XCTAssertEqual(Lang.errors(runbook("  if pod == \"a\"\n    print \"a\"\n  elif pod == \"b\"\n    print \"b\"\n")),
                       ["6:3: 'elif' is not a keyword: write 'else if'"])
    }

    func testBareWordParameterDefault() {
        XCTAssertEqual(Lang.errors(runbook("  print \"x\"\n", header: "param ns = default\n")),
                       ["2:12: a parameter's default must be a literal value: 'default' is not one; for the text, write param ns = \"default\""])
    }

    // MARK: Names read before they are set

    func testSetInOneBranchOnly() {
        XCTAssertEqual(warnings(runbook("  if pod == \"a\"\n    x = 1\n  print \"{x}\"\n")),
                       ["6:11: 'x' may have no value here: not every path to this point sets it (it is set at 5:5); set it on every path first, e.g. x = null before the branch or loop"])
        XCTAssertEqual(warnings(runbook("  if pod == \"a\"\n    x = 1\n  else\n    x = 2\n  print \"{x}\"\n")), [])
        XCTAssertEqual(warnings(runbook("  if pod == \"a\"\n    x = 1\n  else\n    fail \"no\"\n  print \"{x}\"\n")), [])
    }

    func testSetOnlyInALoopBody() {
        let found = warnings(runbook("  foreach n in [1]\n    x = n\n  print \"{x}\"\n"))
        XCTAssertEqual(found.count, 1)
        XCTAssertTrue(found[0].hasPrefix("6:11: 'x' may have no value here"), "\(found)")
        XCTAssertEqual(warnings(runbook("  retry 3 until x.ok\n    x = $ true\n  print \"{x}\"\n")), [], "a retry body runs at least once")
    }

    func testSetInALaterStep() {
        let text = "runbook \"t\"\nstep a \"A\"\n  print \"{x}\"\nstep b \"B\"\n  x = 1\n"
        let found = warnings(text)
        XCTAssertEqual(found.count, 1)
        XCTAssertTrue(found[0].hasPrefix("3:11: 'x' may have no value here"), "\(found)")
        XCTAssertTrue(found[0].contains("it is set at 5:3"), "\(found)")
    }

    func testGotoPathsAreFollowed() {
        // b is reached only from a, after x is set: no warning.
        let fine = "runbook \"t\"\nstep a \"A\"\n  x = 1\n  goto b\nstep c \"C\"\n  y = 2\nstep b \"B\"\n  print \"{x}\"\n"
        XCTAssertEqual(warnings(fine.replacingOccurrences(of: "step c \"C\"\n  y = 2\n", with: "")), [])
        // A goto that skips the step setting x reaches the read without it.
        let skip = "runbook \"t\"\nparam p = 1\nstep a \"A\"\n  if p == 1\n    goto c\nstep b \"B\"\n  x = 1\nstep c \"C\"\n  print \"{x}\"\n"
        XCTAssertEqual(warnings(skip).count, 1)
    }

    func testReadsInsideABranchAreLeftAlone() {
        // The condition may be what guarantees the value: not warned about.
        let text = runbook("  if pod == \"a\"\n    x = 1\n  if pod == \"a\"\n    print \"{x}\"\n")
        XCTAssertEqual(warnings(text), [])
        XCTAssertEqual(warnings(runbook("  if pod == \"a\"\n    x = 1\n  ok = pod == \"b\" or x == 1\n")), [],
                       "the right side of 'or' may never be evaluated")
    }

    func testAskSetsItsVariableBeforeTheChoices() {
        XCTAssertEqual(warnings(runbook("  ask ready \"Ready?\"\n    yes: print \"{ready}\"\n    no: print \"{ready}\"\n  print \"{ready}\"\n")), [])
    }
}
