import Foundation
import XCTest
@testable import RunbookKit

/// Times, rows of tables, floor division, `defined(name)` and `if … then … else …`.
final class LanguageTimeRowsTests: XCTestCase {
    /// The error's message and where it points in `x = <source>` (columns from the `x`).
    private func failure(_ source: String, _ variables: [String: Value] = [:]) -> (message: String, column: Int, length: Int)? {
        guard let expr = Lang.expression(source) else { return nil }
        do {
            _ = try Evaluator { variables[$0] }.evaluate(expr)
            return nil
        } catch let error as RuntimeError {
            let lineStart = "runbook \"t\"\nstep s \"S\"\n  ".utf8.count
            return (error.message, (error.offset ?? -1) - lineStart + 1, error.length)
        } catch {
            return nil
        }
    }

    private let pods = Value.list([
        .map(["NAME", "STATUS", "RESTARTS"], ["NAME": .string("web-1"), "STATUS": .string("Running"), "RESTARTS": .string("10")]),
        .map(["NAME", "STATUS", "RESTARTS"], ["NAME": .string("web-2"), "STATUS": .string("Pending"), "RESTARTS": .string("9")]),
        .map(["NAME", "STATUS", "RESTARTS"], ["NAME": .string("web-3"), "STATUS": .string("Running"), "RESTARTS": .string("0")]),
    ])

    // MARK: Time

    /// Each expression and the text it shows.
    private func assertShows(_ cases: KeyValuePairs<String, String>, file: StaticString = #filePath, line: UInt = #line) {
        for (source, expected) in cases {
            XCTAssertEqual(Lang.show(source, file: file, line: line), expected, source, file: file, line: line)
        }
    }

    func testParseTimeForms() {
        assertShows([
            "parse_time(\"2026-12-07T10:48:52Z\")": "1796640532",
            "parse_time(\"2026-12-07T10:48:52.25+01:00\")": "1796636932.25",
            "parse_time(\"2026-12-07 10:48:52-00:30\")": "1796642332",
            "parse_time(\"1970-01-01T00:00:00Z\")": "0",
            "parse_time(\"1969-12-31T23:59:59Z\")": "-1",
            "parse_time(\"2024-02-29T00:00:00Z\")": "1709164800",
            "parse_time(\"notAfter=Dec  7 10:48:52 2027 GMT\")": "1828176532",
            "parse_time(\"Dec 17 10:48:52 2027 GMT\\n\")": "1829040532",
            "parse_time(\"Mon Dec  7 10:48:52 UTC 2026\")": "1796640532",
        ])
        XCTAssertEqual(Lang.show("parse_time(x)", ["x": Lang.result("notBefore=Jan  1 00:00:00 2026 GMT\n")]), "1767225600")
    }

    func testParseTimeErrorsNameTheTextAndTheForms() {
        let bad = failure("parse_time(\"yesterday\")")
        XCTAssertEqual(bad?.message.hasPrefix("parse_time(): 'yesterday' is not a time: use RFC 3339 (2026-12-07T10:48:52Z"), true,
                       bad?.message ?? "no error")
        XCTAssertEqual(bad?.message.contains("notAfter=Dec  7 10:48:52 2027 GMT"), true)
        XCTAssertEqual(bad?.message.contains("Mon Dec  7 10:48:52 UTC 2026"), true)
        XCTAssertEqual(bad?.column, 5)
        XCTAssertEqual(bad?.length, "parse_time(\"yesterday\")".count)
        for text in ["2026-02-30T00:00:00Z", "2026-12-07T24:00:00Z", "2026-13-01T00:00:00Z", "Foo  7 10:48:52 2027 GMT",
                     "Mon Dec  7 10:48:52 CET 2026", "Dec  7 10:48:52 2027", "2026-12-07T10:48:52"] {
            XCTAssertTrue(Lang.show("parse_time(\"\(text)\")").hasPrefix("ERROR: parse_time(): '\(text)' is not a time"), text)
        }
    }

    func testFormatTimeAndNow() throws {
        assertShows([
            "format_time(1796640532)": "2026-12-07T10:48:52Z",
            "format_time(1796640532.5, \"rfc3339\")": "2026-12-07T10:48:52.5Z",
            "format_time(-1)": "1969-12-31T23:59:59Z",
            "format_time(1709164800, \"date\")": "2024-02-29",
            "format_time(parse_time(\"Mon Dec  7 10:48:52 UTC 2026\"))": "2026-12-07T10:48:52Z",
            "format_time(\"soon\")": "ERROR: format_time(): 'soon' (string) is not a number of seconds",
            "format_time(0, \"iso\")": "ERROR: format_time(): unknown form 'iso': use \"rfc3339\" or \"date\"",
            "format_time(300000000000)": "ERROR: format_time(): 300000000000 is outside the years 1 to 9999",
        ])
        let now = try XCTUnwrap(try Lang.eval("now()").numberValue)
        XCTAssertEqual(now, Date().timeIntervalSince1970, accuracy: 5)
        XCTAssertEqual(Lang.show("(parse_time(\"2026-12-17T00:00:00Z\") - parse_time(\"2026-12-07T00:00:00Z\")) / 86400"), "10")
    }

    func testCalendarArithmeticRoundTrips() {
        for days in stride(from: -800_000, through: 800_000, by: 997) {
            let (y, m, d) = TimeText.civil(fromDays: days)
            XCTAssertEqual(TimeText.days(fromCivil: y, m, d), days)
        }
    }

    // MARK: Rows and lists

    func testWhereAndMap() {
        XCTAssertEqual(Lang.show("map(where(pods, \"STATUS\", \"Running\"), \"NAME\")", ["pods": pods]), "web-1, web-3")
        XCTAssertEqual(Lang.show("count(where(pods, \"RESTARTS\", 9))", ["pods": pods]), "1", "numbers compare as numbers")
        XCTAssertEqual(Lang.show("where([], \"STATUS\", 1)"), "")
        XCTAssertEqual(Lang.show("map(null, \"x\")"), "")
        let typo = failure("where(pods, \"STATE\", \"Running\")", ["pods": pods])
        XCTAssertEqual(typo?.message, "where(): no field 'STATE' (fields: NAME, STATUS, RESTARTS)")
        XCTAssertEqual(typo?.column, 5)
        XCTAssertEqual(Lang.show("map(x, \"NAME\")", ["x": Lang.result("NAME\na\n")]),
                       "ERROR: map(): a command's output is not a list of rows: read it with table(x) or json(x) first")
        XCTAssertEqual(Lang.show("map(\"a b\", \"NAME\")"),
                       "ERROR: map(): text is not a list of rows: read it with table(text) or json(text) first")
        XCTAssertEqual(Lang.show("where([1], \"a\", 1)"), "ERROR: where(): item [0] is number '1', not a row (a map)")
    }

    func testAnyAll() {
        assertShows([
            "any([0, \"\", 3])": "true",
            "any([0, null])": "false",
            "any([])": "false",
            "all([1, \"x\", [1]])": "true",
            "all([1, false])": "false",
            "all([])": "true",
            "all(null)": "true",
            "any(\"yes\")": "ERROR: any(): 'yes' (string) is not a list",
        ])
    }

    func testSortByFieldAndUnique() {
        XCTAssertEqual(Lang.show("map(sort(pods, \"RESTARTS\"), \"NAME\")", ["pods": pods]), "web-3, web-2, web-1", "numerically")
        XCTAssertEqual(Lang.show("map(sort(pods, \"STATUS\"), \"NAME\")", ["pods": pods]), "web-2, web-1, web-3", "stable")
        XCTAssertEqual(Lang.show("sort([-1, -10, 2])"), "-10, -1, 2")
        XCTAssertEqual(Lang.show("sort([\"b\", \"a10\", \"a9\"])"), "a10, a9, b")
        XCTAssertEqual(Lang.show("sort(pods)", ["pods": pods]),
                       "ERROR: sort(): rows sort by a field: sort(rows, \"FIELD\") (fields: NAME, STATUS, RESTARTS)")
        XCTAssertEqual(Lang.show("sort(pods, \"AGE\")", ["pods": pods]), "ERROR: sort(): no field 'AGE' (fields: NAME, STATUS, RESTARTS)")
        XCTAssertEqual(Lang.show("unique(map(pods, \"STATUS\"))", ["pods": pods]), "Running, Pending")
    }

    // MARK: Numbers

    func testFloorDivisionModuloAndRounding() {
        assertShows([
            "7 / 2": "3.5", "-7 / 2": "-3.5",
            "div(7, 2)": "3", "div(-7, 2)": "-4", "div(7, -2)": "-4", "div(-1, 5)": "-1", "div(0, -5)": "0",
            "mod(7, 3)": "1", "mod(-7, 3)": "2", "mod(7, -3)": "-2", "mod(-6, 3)": "0",
            "-7 % 3": "-1", "7 % -3": "1",
            "div(-7, 3) * 3 + mod(-7, 3)": "-7",
            "div(1, 0)": "ERROR: div(): division by zero", "mod(1, 0)": "ERROR: mod(): division by zero",
            "round(-2.5)": "-3", "round(2.5)": "3", "round(-0.4)": "0", "round(-1.25, 1)": "-1.3",
            "int(-2.5)": "-3",
        ])
        let bad = failure("div(\"a\", 2)")
        XCTAssertEqual(bad?.message, "div(): 'a' (string) is not a number")
        XCTAssertEqual(bad?.column, 5)
    }

    // MARK: defined(name)

    func testDefined() {
        XCTAssertEqual(Lang.show("defined(x)", ["x": .string("")]), "true")
        XCTAssertEqual(Lang.show("defined(x)"), "false")
        XCTAssertEqual(Lang.show("defined(x) and x > 1", ["x": .number(2)]), "true")
    }

    func testTheCheckerAcceptsAnUndefinedNameInDefined() {
        XCTAssertEqual(Lang.errors("runbook \"t\"\nstep s \"S\"\n  if defined(never_set)\n    print \"set\"\n"), [])
        XCTAssertEqual(Lang.errors("runbook \"t\"\nstep s \"S\"\n  x = defined(never_set) or never_set\n"),
                       ["3:29: undefined name 'never_set'"], "only inside defined()")
        XCTAssertEqual(Lang.errors("runbook \"t\"\nstep s \"S\"\n  x = defined(\"a\")\n"),
                       ["3:15: defined() takes a name, not an expression: defined(x)"])
        XCTAssertEqual(Lang.errors("runbook \"t\"\nstep s \"S\"\n  x = defined(a, b)\n"),
                       ["3:7: defined() takes 1 argument: defined(name)"])
    }

    func testDefinedIsNotAReadOfAMaybeUnsetName() {
        let (checked, diagnostics) = Lang.check("""
            runbook "t"
            param p = "a"
            step s "S"
              if p == "b"
                y = 1
              print "{if defined(y) then y else 0}"
            """)
        XCTAssertNotNil(checked)
        XCTAssertEqual(diagnostics.map(\.message), [])
    }

    // MARK: if … then … else …

    func testConditionalValues() {
        XCTAssertEqual(Lang.show("if n == 1 then \"pod\" else \"pods\"", ["n": .number(1)]), "pod")
        XCTAssertEqual(Lang.show("if n == 1 then \"pod\" else \"pods\"", ["n": .number(3)]), "pods")
        XCTAssertEqual(Lang.show("\"{n} {if n == 1 then \"pod\" else \"pods\"}\"", ["n": .number(2)]), "2 pods")
        XCTAssertEqual(Lang.show("if false then missing else 1 + 1"), "2", "only the branch taken is evaluated")
        XCTAssertEqual(Lang.show("if a then 1 else if b then 2 else 3", ["a": .bool(false), "b": .bool(true)]), "2")
        XCTAssertEqual(Lang.show("(if true then 1 else 2) + 10"), "11")
        XCTAssertEqual(Lang.show("if true then 1 else 2 + 10"), "1", "the else branch runs to the end")
    }

    func testConditionalParseErrors() {
        let noElse = Lang.parse("runbook \"t\"\nstep s \"S\"\n  x = if a then 1\n").diagnostics.map(\.description)
        XCTAssertEqual(noElse.count, 1)
        XCTAssertTrue(noElse[0].contains("expected 'else' in 'if … then … else …'"), "\(noElse)")
        let noThen = Lang.parse("runbook \"t\"\nstep s \"S\"\n  x = if a 1 else 2\n").diagnostics.map(\.description)
        XCTAssertTrue(noThen.first?.contains("expected 'then' after the condition") == true, "\(noThen)")
        let operand = Lang.parse("runbook \"t\"\nstep s \"S\"\n  x = 1 + if a then 1 else 2\n").diagnostics.map(\.description)
        XCTAssertTrue(operand.first?.contains("needs parentheses") == true, "\(operand)")
    }

    func testConditionalRoundTripsThroughTheFormatter() throws {
        let source = """
            runbook "t"
            step s "S"
              n = 2
              x = if  n==1  then "pod" else(if n < 0 then "none" else "pods")
              y = (if n > 1 then n else 1) * 2
              z = not (if n > 1 then true else false)
              w = if (if n > 1 then true else false) then 1 else 2
              print "{if n == 1 then "pod" else "pods"}"
            """
        let formatted = try RunbookFormatter.format(SourceFile(path: "t.runbook", text: source))
        XCTAssertEqual(formatted, """
            runbook "t"

            step s "S"
              n = 2
              x = if n == 1 then "pod" else if n < 0 then "none" else "pods"
              y = (if n > 1 then n else 1) * 2
              z = not (if n > 1 then true else false)
              w = if (if n > 1 then true else false) then 1 else 2
              print "{if n == 1 then "pod" else "pods"}"

            """)
        XCTAssertEqual(try RunbookFormatter.format(SourceFile(path: "t.runbook", text: formatted)), formatted)
        let before = try XCTUnwrap(Lang.parsed(source)), after = try XCTUnwrap(Lang.parsed(formatted))
        XCTAssertEqual(before.steps[0].body, after.steps[0].body)
    }

    func testTheGraphPrintsAConditionalCondition() throws {
        let runbook = try XCTUnwrap(Lang.parsed("""
            runbook "t"
            param n = "1"
            step s "S"
              if if n == "1" then true else false
                conclude ok "one"
            """))
        let dot = RunbookGraph.render(RunbookGraph.graph(of: runbook), format: .dot)
        XCTAssertTrue(dot.contains("if n == \\\"1\\\" then true else false"), dot)
    }

    func testConditionalIsWalkedAndChecked() {
        let expr = Lang.expression("if a then b else c")
        XCTAssertEqual(expr?.children.count, 3)
        XCTAssertEqual(Lang.errors("runbook \"t\"\nstep s \"S\"\n  x = if true then 1 else nope\n"),
                       ["3:27: undefined name 'nope'"])
        XCTAssertEqual(Lang.errors("runbook \"t\"\nstep s \"S\"\n  x = if trim() then 1 else 2\n"),
                       ["3:10: trim() takes 1 argument: trim(text)"])
    }
}
