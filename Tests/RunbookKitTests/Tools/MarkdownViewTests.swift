import XCTest
@testable import RunbookKit

final class MarkdownViewTests: XCTestCase {
    private func render(_ text: String) throws -> String {
        try MarkdownView.render(file: SourceFile(path: "t.runbook", text: text))
    }

    func testFixtureMatchesItsGoldenPage() throws {
        let path = ScenarioFixtures.path("service-down.runbook")
        let page = try MarkdownView.render(file: SourceFile(path: path, text: try String(contentsOfFile: path, encoding: .utf8)))
        XCTAssertEqual(page, try String(contentsOfFile: ScenarioFixtures.path("show/service-down.md"), encoding: .utf8))
    }

    func testTitleTableAndTextAreEscaped() throws {
        let page = try render(#"""
            runbook "A *bold* <title> | with [link]"
            description "use_underscores"
            param a = "x|y" "help | pipe"
            secret param token "a token"
            secret param key = "hunter2"
            step s "Step `code`"
              print "done"
            """#)
        let lines = page.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(lines[0], #"# A \*bold\* \<title\> \| with \[link\]"#)
        XCTAssertEqual(lines[2], #"use\_underscores"#)
        XCTAssertTrue(lines.contains(#"| `a` | `x\|y` | help \| pipe |"#), page)
        XCTAssertTrue(lines.contains("| `token` | *required*, secret | a token |"), page)
        XCTAssertTrue(lines.contains("| `key` | *set*, secret |  |"), page)
        XCTAssertFalse(page.contains("hunter2"), "a secret's default must not be shown")
        XCTAssertTrue(lines.contains(#"## 1. Step \`code\` (`s`)"#), page)
    }

    func testCommandsAreFencedEvenWhenTheyHoldBackticks() throws {
        let page = try render("""
            runbook "T"
            step s "S"
              if true
                out = on "h" timeout 5s $ echo ```x``` `date`
            """)
        XCTAssertTrue(page.contains("""
            - **If** `true`:
              - Run (on `"h"`, timeout 5s), output in `out`:

                ````sh
                echo ```x``` `date`
                ````

            """), page)
    }

    func testCodeSpans() {
        XCTAssertEqual(Markdown.code("a"), "`a`")
        XCTAssertEqual(Markdown.code("a`b"), "``a`b``")
        XCTAssertEqual(Markdown.code("`a"), "`` `a ``")
        XCTAssertEqual(Markdown.code("a|b", inTable: true), #"`a\|b`"#)
    }
}
