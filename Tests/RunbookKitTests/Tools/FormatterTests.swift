import XCTest
@testable import RunbookKit

final class FormatterTests: XCTestCase {
    private func format(_ text: String) throws -> String {
        try RunbookFormatter.format(SourceFile(path: "t.runbook", text: text))
    }

    /// Formats, checks the result is stable, and compares it with what is expected.
    private func assertFormats(_ input: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let once = try format(input)
        XCTAssertEqual(once, expected, file: file, line: line)
        XCTAssertEqual(try format(once), once, "not idempotent", file: file, line: line)
    }

    func testHeaderOrderAndSpacing() throws {
        try assertFormats("""
            runbook   "T"
            ssh-option "Port=2222"
            timeout 90
            shell  "/bin/bash"
            param b
            description "d"
            secret param a = "x"   "help"
            step s "S"
                print "x"
            """, """
            runbook "T"
            description "d"
            param b
            secret param a = "x" "help"
            shell "/bin/bash"
            timeout 90s
            ssh-option "Port=2222"

            step s "S"
              print "x"

            """)
    }

    func testCommentsStayWithTheirLines() throws {
        try assertFormats("""
            # about the file
            runbook "T"   # the title

            # about step a
            step a "A"
                # before the if
                if true   # trailing on if
                    print "yes"
                    # before else, written in the if block
                else
                    print "no"   # trailing on print
                    # before step b, indented
            step b "B"
                print "b"

            # at the end
            """, """
            # about the file
            runbook "T"  # the title

            # about step a
            step a "A"
              # before the if
              if true  # trailing on if
                print "yes"
              # before else, written in the if block
              else
                print "no"  # trailing on print

            # before step b, indented
            step b "B"
              print "b"

            # at the end

            """)
    }

    func testBlankLinesBetweenStatementsAreKeptOnce() throws {
        try assertFormats("""
            runbook "T"
            step a "A"
              print "1"



              print "2"
              print "3"
            """, """
            runbook "T"

            step a "A"
              print "1"

              print "2"
              print "3"

            """)
    }

    func testNestedBlocksAreIndentedTwoSpaces() throws {
        try assertFormats("""
            runbook "T"
            step a "A"
                    foreach x in [1,2]
                            retry 2 every 500ms until x>0
                                    if x==1
                                            print "{x}"
            """, """
            runbook "T"

            step a "A"
              foreach x in [1, 2]
                retry 2 every 500ms until x > 0
                  if x == 1
                    print "{x}"

            """)
    }

    func testAskChoicesOnOneLineAndAsBlocks() throws {
        try assertFormats("""
            runbook "T"
            step a "A"
              ask  "Go?"
                yes:    goto b
                "not sure":
                      print "hm"
                      goto b
                no:
                  fail "no"
              ask second "Again?"
                1: conclude "one"
                2: conclude "two"
            step b "B"
              print "b"
            """, """
            runbook "T"

            step a "A"
              ask "Go?"
                yes: goto b
                "not sure":
                  print "hm"
                  goto b
                no:
                  fail "no"
              ask second "Again?"
                1: conclude "one"
                2: conclude "two"

            step b "B"
              print "b"

            """)
    }

    func testBlockScriptsAreReindentedButTheScriptIsTheSame() throws {
        let input = """
            runbook "T"
            step a "A"
                out = quiet $ |
                    for f in a b; do
                      echo "$f"   # shell comment

                    done
                print "{out}"
            """
        let output = try format(input)
        XCTAssertEqual(output, """
            runbook "T"

            step a "A"
              out = quiet $ |
                for f in a b; do
                  echo "$f"   # shell comment

                done
              print "{out}"

            """)
        XCTAssertEqual(try format(output), output)
        XCTAssertEqual(commandScripts(input), commandScripts(output))
        XCTAssertEqual(commandScripts(output), ["for f in a b; do\n  echo \"$f\"   # shell comment\n\ndone"])
    }

    func testContinuedCommandsAreCopiedByteForByte() throws {
        let input = """
            runbook "T"
            step a "A"
                    timeout 5s   $ kubectl get pods \\
                         -n "$ns"   \\
                      -o wide   # shell text, not a comment
                    print "done"
            """
        let output = try format(input)
        XCTAssertEqual(output, """
            runbook "T"

            step a "A"
              timeout 5s $ kubectl get pods \\
                         -n "$ns"   \\
                      -o wide   # shell text, not a comment
              print "done"

            """)
        XCTAssertEqual(commandScripts(input), commandScripts(output))
    }

    func testStringsAreReescaped() throws {
        try assertFormats(#"""
            runbook "Title with \"quotes\" and \\ and \{braces\}"
            step a "A"
              print "tab\there, newline\nthere, {1 + 2} and \{not a hole\}"
              print "{join(["a", "b"], ", ")}"
              print "plain } brace"
            """#, #"""
            runbook "Title with \"quotes\" and \\ and \{braces\}"

            step a "A"
              print "tab\there, newline\nthere, {1 + 2} and \{not a hole\}"
              print "{join(["a", "b"], ", ")}"
              print "plain } brace"

            """#)
    }

    func testExpressionSpacingAndParentheses() throws {
        try assertFormats("""
            runbook "T"
            param n = 2
            step a "A"
              a = (n+1)*2-(3-n)
              b = (true or false) and not (n>1)
              c = -(n-1) + -n
              d = [ (n) , n%2 ]
              e = ((a)).b[1+2] . c
              f = len( "x",n )
              g = not not true
              h = "a" in ["a","b"] or ("b" contains "c")
              i = (1 - 2) - 3
              j = 1 - (2 - 3)
            """, """
            runbook "T"
            param n = 2

            step a "A"
              a = (n + 1) * 2 - (3 - n)
              b = (true or false) and not (n > 1)
              c = -(n - 1) + -n
              d = [n, n % 2]
              e = a.b[1 + 2].c
              f = len("x", n)
              g = not not true
              h = "a" in ["a", "b"] or "b" contains "c"
              i = 1 - 2 - 3
              j = 1 - (2 - 3)

            """)
    }

    func testCommandModifiersCallsAndOtherStatements() throws {
        try assertFormats("""
            runbook "T"
            step a "A" on   "h"
              allow-fail quiet confirm   "Sure?" timeout 2m on "h2" $ reboot
              r = allow-unreachable   allow-fail on "h2" $ true
              confirm $ ls
              r = run "other.runbook"   on "h3"   x = 1   y="two"
              run "other.runbook"
              expect r.status=="concluded" else "e {r.status}"
              require true else "r"
              confirm "Continue?"
              conclude "c"
            """, """
            runbook "T"

            step a "A" on "h"
              on "h2" timeout 2m confirm "Sure?" quiet allow-fail $ reboot
              r = on "h2" allow-fail allow-unreachable $ true
              confirm $ ls
              r = run "other.runbook" on "h3" x=1 y="two"
              run "other.runbook"
              expect r.status == "concluded" else "e {r.status}"
              require true else "r"
              confirm "Continue?"
              conclude "c"

            """)
    }

    func testSyntaxErrorsAreReportedNotFormatted() {
        XCTAssertThrowsError(try format("runbook \"T\"\nstep a \"A\"\n  if\n")) { error in
            guard case RunbookFormatter.Failure.syntax(let diagnostics) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(diagnostics.first?.location?.line, 3)
        }
    }

    /// `{…}` in a title is an error, not text that reprinting could drop.
    func testHoleInATitleIsAnErrorNotDropped() {
        XCTAssertThrowsError(try format("runbook \"T\"\nstep a \"Check {pod}\"\n  print \"{pod}\"\n")) { error in
            guard case RunbookFormatter.Failure.syntax(let diagnostics) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(diagnostics.first.map { "\($0.location!.line):\($0.location!.column)" }, "2:8")
        }
        XCTAssertEqual(try format("runbook \"T \\{x\\}\"\nstep a \"A\"\n  print \"{1}\"\n"),
                       "runbook \"T \\{x\\}\"\n\nstep a \"A\"\n  print \"{1}\"\n")
    }

    /// The safety net: output that would mean something else is refused.
    func testSafetyNetRefusesAChangeOfMeaning() throws {
        let original = try XCTUnwrap(Parser.parse(SourceFile(path: "t.runbook", text: "runbook \"T\"\nstep a \"A\"\n  $ ls -l\n")).runbook)
        XCTAssertNoThrow(try RunbookFormatter.verify(original: original, formatted: "runbook \"T\"\n\nstep a \"A\"\n  $ ls -l\n"))
        let cases: [(String, String)] = [
            ("runbook \"T\"\nstep a \"A\"\n  $ ls  -l\n", "would change statement 1 of step 'a' (line 3)"),
            ("runbook \"T\"\nstep a \"A\"\n  $ ls -l\n  # new\n", "would lose or change a comment"),
            ("runbook \"T\"\nstep a \"A\"\n  if\n", "would not parse"),
        ]
        for (formatted, expected) in cases {
            XCTAssertThrowsError(try RunbookFormatter.verify(original: original, formatted: formatted)) { error in
                guard case RunbookFormatter.Failure.internalError(let message) = error else { return XCTFail("\(error)") }
                XCTAssertTrue(message.hasPrefix("internal error: "), message)
                XCTAssertTrue(message.contains(expected), message)
            }
        }
    }

    private func commandScripts(_ text: String) -> [String] {
        var scripts: [String] = []
        guard let runbook = Parser.parse(SourceFile(path: "t.runbook", text: text)).runbook else { return ["<parse error>"] }
        runbook.forEachStatement { stmt in
            if case .command(_, let command) = stmt.kind { scripts.append(command.script) }
        }
        return scripts
    }
}
