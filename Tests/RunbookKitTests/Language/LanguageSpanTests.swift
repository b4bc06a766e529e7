import XCTest
@testable import RunbookKit

/// The spans the parser records on the syntax tree, and the carets diagnostics draw from them.
final class LanguageSpanTests: XCTestCase {
    private let source = """
    runbook "Spans"
    secret param token = "t" "an API token"
    step first "First" on "db-1"
      r = timeout 5s confirm "Sure?" $ echo "$token"
      if r.ok and (r.exit == 0)
        goto second
      else
        print "{count(r.lines)} lines"
      res = run "lib/child.runbook" on "db-2" host="h"
      ask "Go on?"
        yes: goto second
        no: fail "stopped"
    step second "Second"
      ask ready "Ready?"
        yes: print "{ready}"
    """

    private func parsed() throws -> Runbook {
        try XCTUnwrap(Lang.parsed(source))
    }

    private func text(_ span: Span?, in runbook: Runbook) -> String? { span.map { runbook.file.text($0) } }

    func testHeaderAndStepSpans() throws {
        let runbook = try parsed()
        XCTAssertEqual(text(runbook.titleSpan, in: runbook), "\"Spans\"")
        XCTAssertEqual(text(runbook.params[0].span, in: runbook), "secret param token = \"t\" \"an API token\"")
        XCTAssertEqual(text(runbook.params[0].nameSpan, in: runbook), "token")
        XCTAssertEqual(text(runbook.steps[0].span, in: runbook), "step first \"First\" on \"db-1\"")
        XCTAssertEqual(text(runbook.steps[0].idSpan, in: runbook), "first")
        XCTAssertEqual(text(runbook.steps[1].idSpan, in: runbook), "second")
    }

    func testStatementSpans() throws {
        let runbook = try parsed()
        let body = runbook.steps[0].body
        XCTAssertEqual(text(body[0].span, in: runbook), "r = timeout 5s confirm \"Sure?\" $ echo \"$token\"")
        XCTAssertEqual(text(body[0].nameSpan, in: runbook), "r")
        guard case .command(_, let command) = body[0].kind else { return XCTFail() }
        XCTAssertEqual(text(command.span, in: runbook), "timeout 5s confirm \"Sure?\" $ echo \"$token\"")
        XCTAssertEqual(text(command.timeoutSpan, in: runbook), "5s")
        XCTAssertEqual(text(command.confirmSpan, in: runbook), "confirm \"Sure?\"")

        // A block statement ends with the last word of its block, not at a line end.
        XCTAssertTrue(try XCTUnwrap(text(body[1].span, in: runbook)).hasPrefix("if r.ok and (r.exit == 0)\n"))
        XCTAssertTrue(try XCTUnwrap(text(body[1].span, in: runbook)).hasSuffix("print \"{count(r.lines)} lines\""))
        guard case .ifElse(let branches, let elseBody?) = body[1].kind else { return XCTFail() }
        XCTAssertEqual(text(branches[0].body[0].span, in: runbook), "goto second")
        XCTAssertEqual(text(branches[0].body[0].nameSpan, in: runbook), "second")
        guard case .print(let message) = elseBody[0].kind else { return XCTFail() }
        XCTAssertEqual(text(message.span, in: runbook), "\"{count(r.lines)} lines\"")
        XCTAssertEqual(message.holeSpans.map { runbook.file.text($0) }, ["{count(r.lines)}"])

        guard case .call(_, let call) = body[2].kind else { return XCTFail() }
        XCTAssertEqual(text(call.span, in: runbook), "run \"lib/child.runbook\" on \"db-2\" host=\"h\"")
        XCTAssertEqual(text(call.pathSpan, in: runbook), "\"lib/child.runbook\"")
        XCTAssertEqual(text(call.arguments[0].nameSpan, in: runbook), "host")

        guard case .ask(_, _, let choices) = body[3].kind else { return XCTFail() }
        XCTAssertNil(body[3].nameSpan, "the id was not written: it is the step's")
        XCTAssertEqual(choices.map { runbook.file.text($0.labelSpan) }, ["yes", "no"])
        XCTAssertEqual(text(runbook.steps[1].body[0].nameSpan, in: runbook), "ready")
    }

    func testExpressionSpans() throws {
        let runbook = try parsed()
        guard case .ifElse(let branches, _) = runbook.steps[0].body[1].kind,
              case .binary("and", let lhs, let rhs) = branches[0].condition.kind else { return XCTFail() }
        XCTAssertEqual(text(branches[0].condition.span, in: runbook), "r.ok and (r.exit == 0)")
        XCTAssertEqual(text(lhs.nameSpan, in: runbook), "ok", "a field's name")
        XCTAssertEqual(text(rhs.span, in: runbook), "(r.exit == 0)", "parentheses belong to the expression")
        let call = try XCTUnwrap(Lang.expression("(lenght(x))"))
        XCTAssertEqual(call.span, Span(start: 29, length: 11))
        XCTAssertEqual(call.nameSpan, Span(start: 30, length: 6), "the function's name, not the parenthesis")
    }

    // MARK: Carets

    private func rendered(_ text: String) -> [String] {
        let renderer = DiagnosticRenderer(color: false)
        return Lang.check(text).1.map { renderer.render($0) }
    }

    func testCaretsUnderlineTheNameTheyAreAbout() {
        XCTAssertEqual(rendered("runbook \"t\"\nstep s \"S\"\n  n = (lenght(\"x\"))\n"), ["""
        /tmp/runbook-language-tests/test.runbook:3:8: error: unknown function 'lenght', did you mean 'length'?
            n = (lenght("x"))
                 ^~~~~~

        """])
        XCTAssertEqual(rendered("runbook \"t\"\nstep s \"S\"\n  foreach h in [1] parallel 2\n    on h confirm \"Sure?\" $ true\n"), ["""
        /tmp/runbook-language-tests/test.runbook:4:10: error: 'confirm' cannot run inside 'foreach … parallel': confirm before the loop
              on h confirm "Sure?" $ true
                   ^~~~~~~~~~~~~~~

        """])
        XCTAssertEqual(rendered("runbook \"t\"\nstep s \"S\"\n  x = match(\"aaa\", \"a{3}\")\n"), ["""
        /tmp/runbook-language-tests/test.runbook:3:22: error: '{3}' in a regular expression is read as a value: write \\{3\\} for a repetition
            x = match("aaa", "a{3}")
                               ^~~

        """])
    }

    /// Spans are bytes; a caret is as wide as the characters it underlines.
    func testCaretWidthCountsCharactersNotBytes() {
        XCTAssertEqual(rendered("runbook \"t\"\nstep s \"S\"\n  run \"größe.runbook\"\n"), ["""
        /tmp/runbook-language-tests/test.runbook:3:7: error: cannot run 'größe.runbook': /tmp/runbook-language-tests/größe.runbook: no such file
            run "größe.runbook"
                ^~~~~~~~~~~~~~~

        """])
    }
}
