import XCTest
@testable import RunbookKit

/// Expressions, operators, truthiness and values as text.
final class LanguageEvaluatorTests: XCTestCase {
    private func show(_ source: String, _ variables: [String: Value] = [:],
                      file: StaticString = #filePath, line: UInt = #line) -> String {
        Lang.show(source, variables, file: file, line: line)
    }

    func testArithmetic() {
        XCTAssertEqual(show("1 + 2 * 3"), "7")
        XCTAssertEqual(show("(1 + 2) * 3"), "9")
        XCTAssertEqual(show("7 / 2"), "3.5")
        XCTAssertEqual(show("10 % 3"), "1")
        XCTAssertEqual(show("-3 + 1"), "-2")
        XCTAssertEqual(show("--3"), "3")
        XCTAssertEqual(show("1.50"), "1.5")
        XCTAssertEqual(show("2s + 500ms"), "2.5", "durations are seconds")
        XCTAssertEqual(show("1m"), "60")
        XCTAssertEqual(show("\"40\" + 2"), "42", "text that reads as a number adds as one")
        XCTAssertEqual(show("\"4\" * \"5\""), "20")
    }

    func testArithmeticErrors() {
        XCTAssertEqual(show("1 / 0"), "ERROR: division by zero")
        XCTAssertEqual(show("1 % 0"), "ERROR: division by zero")
        XCTAssertEqual(show("\"abc\" - 1"), "ERROR: '-' needs numbers, but 'abc' (string) is not one")
        XCTAssertEqual(show("-\"abc\""), "ERROR: cannot negate string 'abc'")
    }

    func testPlusJoinsTextAndLists() {
        XCTAssertEqual(show("\"a\" + \"b\""), "ab")
        XCTAssertEqual(show("\"n=\" + 1"), "n=1")
        XCTAssertEqual(show("[1, 2] + [3]"), "1, 2, 3")
        XCTAssertEqual(show("[1] + 2"), "1, 2")
    }

    func testEquality() {
        XCTAssertEqual(show("1 == 1.0"), "true")
        XCTAssertEqual(show("\"1.0\" == 1"), "true")
        XCTAssertEqual(show("\"85%\" == 85"), "true")
        XCTAssertEqual(show("\"a\" == \"A\""), "false")
        XCTAssertEqual(show("null == \"\""), "true")
        XCTAssertEqual(show("null == null"), "true")
        XCTAssertEqual(show("[] == null"), "false")
        XCTAssertEqual(show("[1, \"2\"] == [1, 2]"), "true")
        XCTAssertEqual(show("true == true"), "true")
        XCTAssertEqual(show("\"x\" != \"y\""), "true")
    }

    func testOrdering() {
        XCTAssertEqual(show("\"10\" > 9"), "true", "numbers in text compare as numbers")
        XCTAssertEqual(show("\"10\" > \"9\""), "true", "two numeric texts compare as numbers")
        XCTAssertEqual(show("\"abc\" < \"abd\""), "true")
        XCTAssertEqual(show("2 <= 2"), "true")
        XCTAssertEqual(show("3 >= 4"), "false")
        XCTAssertEqual(show("\"abc\" < 3"), "ERROR: cannot compare 'abc' (string) with a number using <")
        XCTAssertEqual(show("3 > \"abc\""), "ERROR: cannot compare a number with 'abc' (string) using >")
    }

    func testContainsInAndMatches() {
        XCTAssertEqual(show("\"hello\" contains \"ell\""), "true")
        XCTAssertEqual(show("[\"a\", \"b\"] contains \"b\""), "true")
        XCTAssertEqual(show("[1, 2] contains \"2\""), "true")
        XCTAssertEqual(show("\"b\" in [\"a\", \"b\"]"), "true")
        XCTAssertEqual(show("\"z\" in [\"a\"]"), "false")
        XCTAssertEqual(show("\"x\" in null"), "false")
        XCTAssertEqual(show("\"abc\" matches \"^a.c$\""), "true")
        XCTAssertEqual(show("\"abc\" matches \"^b\""), "false")
        XCTAssertEqual(show("\"a\" matches p", ["p": .string("(")]), "ERROR: invalid regular expression '('")
        XCTAssertEqual(show("m contains \"k\"", ["m": .map([("k", .number(1))])]), "true")
    }

    func testLogicShortCircuits() {
        XCTAssertEqual(show("true and false"), "false")
        XCTAssertEqual(show("false or 1"), "true")
        XCTAssertEqual(show("not 0"), "true")
        XCTAssertEqual(show("not not \"x\""), "true")
        // The right side is not evaluated when the left decides.
        XCTAssertEqual(show("false and undefined_name"), "false")
        XCTAssertEqual(show("true or 1 / 0"), "true")
        XCTAssertEqual(show("true and undefined_name"), "ERROR: 'undefined_name' has no value yet: it is set by a step that has not run")
    }

    func testTruthiness() {
        let cases: [(Value, Bool)] = [
            (.null, false), (.bool(false), false), (.number(0), false), (.string(""), false),
            (.list([]), false), (.map([]), false),
            (.bool(true), true), (.number(-1), true), (.string("0"), true), (.string("false"), true),
            (.list([.null]), true), (.map([("a", .null)]), true),
        ]
        for (value, expected) in cases {
            XCTAssertEqual(value.truthy, expected, "\(value)")
        }
        XCTAssertTrue(Lang.result("", exit: 0).truthy, "a command result is true when it exited 0")
        XCTAssertFalse(Lang.result("output", exit: 1).truthy)
    }

    func testValuesAsText() {
        XCTAssertEqual(Value.number(3).text, "3")
        XCTAssertEqual(Value.number(-0.5).text, "-0.5")
        XCTAssertEqual(Value.number(1e20).text, "1e+20")
        XCTAssertEqual(Value.bool(true).text, "true")
        XCTAssertEqual(Value.null.text, "")
        XCTAssertEqual(Value.list([.string("a"), .number(1)]).text, "a\n1", "lists become lines in the environment")
        XCTAssertEqual(Value.list([.string("a"), .number(1)]).displayText, "a, 1", "and commas in messages")
        XCTAssertEqual(Value.map([("a", .number(1)), ("b", .string("x"))]).text, "a=1 b=x")
        XCTAssertEqual(Lang.result("out\n\n").text, "out", "a result reads as its stdout without trailing newlines")
    }

    func testNumberValueOfText() {
        XCTAssertEqual(Value.string(" 42\n").numberValue, 42)
        XCTAssertEqual(Value.string("85%").numberValue, 85)
        XCTAssertEqual(Value.string("1.5e3").numberValue, 1500)
        XCTAssertNil(Value.string("").numberValue)
        XCTAssertNil(Value.string("12 MB").numberValue)
        XCTAssertNil(Value.list([.number(1)]).numberValue)
        XCTAssertEqual(Value.bool(true).numberValue, 1)
    }

    func testCommandResultFields() {
        let r = Lang.result("line1\nline2\n\n", stderr: "warn\n", exit: 3, duration: 1.25, timedOut: true)
        let vars = ["r": r]
        XCTAssertEqual(show("r.stdout", vars), "line1\nline2")
        XCTAssertEqual(show("r.stderr", vars), "warn")
        XCTAssertEqual(show("r.exit", vars), "3")
        XCTAssertEqual(show("r.code", vars), "3")
        XCTAssertEqual(show("r.ok", vars), "false")
        XCTAssertEqual(show("r.lines", vars), "line1, line2")
        XCTAssertEqual(show("count(r.lines)", vars), "2")
        XCTAssertEqual(show("r.duration", vars), "1.25")
        XCTAssertEqual(show("r.timed_out", vars), "true")
        XCTAssertEqual(show("r.unreachable", vars), "false")
        XCTAssertEqual(show("r", vars), "line1\nline2")
        XCTAssertEqual(show("r[1]", vars), "line2", "indexing a result picks a line")
        XCTAssertEqual(show("r.nope", vars),
                       "ERROR: a command result has no field 'nope': use stdout, stderr, output, exit, ok, lines, duration, timed_out, unreachable, bytes or cut")
    }

    /// BUG: `output` joins stdout and stderr with an extra newline, so a command that prints
    /// "a\n" on stdout and "b\n" on stderr reads as "a\n\nb" (a blank line in the middle).
    func testOutputJoinsStdoutAndStderrLineByLine() {
        let vars = ["r": Lang.result("a\n", stderr: "b\n", exit: 1)]
        XCTAssertEqual(show("r.output", vars), "a\nb")
        XCTAssertEqual(show("count(lines(r.output))", vars), "2")
        XCTAssertEqual(show("x.output", ["x": Lang.result("only out\n")]), "only out")
        XCTAssertEqual(show("x.output", ["x": Lang.result("", stderr: "only err\n")]), "only err")
    }

    func testMembersAndIndexes() {
        let m = Value.map([("name", .string("web")), ("ports", .list([.number(80), .number(443)]))])
        XCTAssertEqual(show("m.name", ["m": m]), "web")
        XCTAssertEqual(show("m.missing", ["m": m]), "")
        XCTAssertEqual(show("m[\"ports\"][1]", ["m": m]), "443")
        XCTAssertEqual(show("m.ports.count", ["m": m]), "2")
        XCTAssertEqual(show("[1, 2, 3][-1]"), "3")
        XCTAssertEqual(show("[1][5]"), "")
        XCTAssertEqual(show("[1][0.5]"), "ERROR: a list index must be a whole number, not number")
        XCTAssertEqual(show("\"a\\nb\"[1]"), "b")
        XCTAssertEqual(show("null.x"), "")
        XCTAssertEqual(show("null[3]"), "")
        XCTAssertEqual(show("(1).x"), "ERROR: number has no field 'x'")
        XCTAssertEqual(show("true[0]"), "ERROR: cannot index boolean")
    }

    func testUndefinedNameAtRunTime() throws {
        XCTAssertThrowsError(try Lang.eval("missing")) { error in
            let e = error as? RuntimeError
            XCTAssertEqual(e?.message, "'missing' has no value yet: it is set by a step that has not run")
            XCTAssertNotNil(e?.offset)
        }
    }

    func testTemplatesRenderValuesOnce() throws {
        // A value that looks like interpolation is shown as it is, never evaluated again.
        let (runbook, _) = Lang.parse("runbook \"t\"\nstep s \"S\"\n  print \"got {v} and {[1, 2]} and \\{v\\}\"\n")
        guard case .print(let template)? = runbook?.steps[0].body[0].kind else { return XCTFail() }
        let text = try Evaluator { $0 == "v" ? .string("{pod} $(id)") : nil }.render(template)
        XCTAssertEqual(text, "got {pod} $(id) and 1, 2 and {v}")
    }

    func testRuntimeErrorsPointAtTheExpression() {
        let file = Lang.file("runbook \"t\"\nstep s \"S\"\n  x = 1 + 1 / 0\n")
        let (runbook, _) = Parser.parse(file)
        guard case .assign(_, let expr)? = runbook?.steps[0].body[0].kind else { return XCTFail() }
        XCTAssertThrowsError(try Evaluator { _ in nil }.evaluate(expr)) { error in
            let located = (error as? RuntimeError)?.located(in: file)
            XCTAssertEqual(located?.description, "/tmp/runbook-language-tests/test.runbook:3:11: error: division by zero")
        }
    }
}
