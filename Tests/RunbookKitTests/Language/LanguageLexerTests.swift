import XCTest
@testable import RunbookKit

final class LanguageLexerTests: XCTestCase {
    func testHeaderAndStepTokens() {
        let text = """
        runbook "Title"
        param pod = "web-1" "the pod"
        timeout 30s

        step check-pod "Check"
          x = 1.5
        """
        XCTAssertEqual(Lang.tokenSummary(text), [
            "id:runbook", "str:Title", "NL",
            "id:param", "id:pod", "sym:=", "str:web-1", "str:the pod", "NL",
            "id:timeout", "dur:30s", "NL",
            "id:step", "id:check-pod", "str:Check", "NL",
            "IN", "id:x", "sym:=", "num:1.5", "NL",
            "DE", "EOF",
        ])
    }

    func testIndentAndDedentFollowNesting() {
        let text = "a\n  b\n    c\n  d\ne\n"
        XCTAssertEqual(Lang.tokenSummary(text), [
            "id:a", "NL", "IN", "id:b", "NL", "IN", "id:c", "NL", "DE", "id:d", "NL", "DE", "id:e", "NL", "EOF",
        ])
    }

    func testBlankLinesAndCommentsDoNotChangeIndentation() {
        let text = "a\n  b\n\n# a comment at column 0\n      # deeper comment\n  c\n"
        XCTAssertEqual(Lang.tokenSummary(text), ["id:a", "NL", "IN", "id:b", "NL", "id:c", "NL", "DE", "EOF"])
        let comments = Lang.tokens(text).comments
        XCTAssertEqual(comments.map(\.text), ["# a comment at column 0", "# deeper comment"])
        XCTAssertEqual(comments.map(\.ownLine), [true, true])
    }

    func testTrailingCommentIsKeptOutOfTokens() {
        let output = Lang.tokens("print \"a # not a comment\" # a comment\n")
        XCTAssertEqual(output.tokens.map(\.text).prefix(2), ["print", "a # not a comment"])
        XCTAssertEqual(output.comments.map(\.text), ["# a comment"])
        XCTAssertEqual(output.comments.first?.ownLine, false)
    }

    func testCommandTakesTheRestOfTheLineVerbatim() {
        let output = Lang.tokens("r = $ kubectl get pod \"$pod\" -o jsonpath='{.x}' # shell comment\n")
        let command = output.tokens.first { $0.kind == .command }
        XCTAssertEqual(command?.text, "kubectl get pod \"$pod\" -o jsonpath='{.x}' # shell comment")
        XCTAssertTrue(output.comments.isEmpty, "a '#' in a command belongs to the shell")
    }

    func testBackslashContinuationKeepsBackslashNewline() {
        let output = Lang.tokens("$ echo one \\\n    two \\\n  three\nprint \"x\"\n")
        let commands = output.tokens.filter { $0.kind == .command }
        XCTAssertEqual(commands.map(\.text), ["echo one \\\n    two \\\n  three"])
        XCTAssertTrue(output.tokens.contains { $0.kind == .string && $0.text == "x" })
    }

    func testBlockCommandRemovesCommonIndentation() {
        let text = "step s \"S\"\n  $ |\n    if true; then\n      echo yes\n    fi\n\n  print \"after\"\n"
        let output = Lang.tokens(text)
        XCTAssertEqual(output.tokens.filter { $0.kind == .command }.map(\.text), ["if true; then\n  echo yes\nfi"])
        XCTAssertTrue(output.diagnostics.isEmpty)
        XCTAssertTrue(output.tokens.contains { $0.kind == .string && $0.text == "after" })
    }

    func testBlockCommandKeepsInnerBlankLines() {
        let text = "  $ |\n    echo a\n\n    echo b\n  print \"x\"\n"
        let commands = Lang.tokens(text).tokens.filter { $0.kind == .command }
        XCTAssertEqual(commands.map(\.text), ["echo a\n\necho b"])
    }

    func testDollarWithoutSpaceIsNotACommand() {
        let output = Lang.tokens("x = $HOME\n")
        XCTAssertFalse(output.tokens.contains { $0.kind == .command })
        XCTAssertEqual(output.diagnostics.map(\.message), ["unexpected character '$': a command starts with '$ ' (dollar, space)"])
    }

    func testEmptyCommandIsAnError() {
        let output = Lang.tokens("$ \n")
        XCTAssertEqual(output.diagnostics.map(\.message), ["empty command after '$'"])
    }

    func testDurationsAndUnits() {
        XCTAssertEqual(Lang.tokenSummary("500ms 2s 1.5m 1h 7"), ["dur:500ms", "dur:2s", "dur:1.5m", "dur:1h", "num:7", "NL", "EOF"])
        let bad = Lang.tokens("timeout 5sec\n")
        XCTAssertEqual(bad.diagnostics.map(\.message), ["unknown unit 'sec': durations use ms, s, m or h"])
        XCTAssertEqual(bad.diagnostics.first?.location?.column, 10)
    }

    func testHyphenJoinsWordsOnlyBeforeALetter() {
        XCTAssertEqual(Lang.tokenSummary("allow-fail a-b a - b a-1"),
                       ["id:allow-fail", "id:a-b", "id:a", "sym:-", "id:b", "id:a", "sym:-", "num:1", "NL", "EOF"])
    }

    func testSymbols() {
        XCTAssertEqual(Lang.tokenSummary("== != <= >= < > = + - * / % ( ) [ ] , . :"),
                       ["sym:==", "sym:!=", "sym:<=", "sym:>=", "sym:<", "sym:>", "sym:=", "sym:+", "sym:-", "sym:*",
                        "sym:/", "sym:%", "sym:(", "sym:)", "sym:[", "sym:]", "sym:,", "sym:.", "sym::", "NL", "EOF"])
    }

    func testStringWithInterpolationHoldingStrings() {
        let output = Lang.tokens("print \"items: {join(xs, \", \")} done\"\n")
        XCTAssertEqual(output.tokens.filter { $0.kind == .string }.map(\.text), ["items: {join(xs, \", \")} done"])
        XCTAssertTrue(output.diagnostics.isEmpty)
    }

    func testEscapedQuoteDoesNotEndTheString() {
        let output = Lang.tokens("print \"say \\\"hi\\\"\"\n")
        XCTAssertEqual(output.tokens.filter { $0.kind == .string }.map(\.text), ["say \\\"hi\\\""])
    }

    func testUnterminatedString() {
        let output = Lang.tokens("print \"open\nprint \"closed\"\n")
        XCTAssertEqual(output.diagnostics.map(\.message), ["unterminated string: add a closing \""])
        XCTAssertEqual(output.diagnostics.first?.location?.line, 1)
        XCTAssertEqual(output.diagnostics.first?.location?.column, 7)
        // The next line still lexes.
        XCTAssertTrue(output.tokens.contains { $0.kind == .string && $0.text == "closed" })
    }

    func testTabInIndentation() {
        let output = Lang.tokens("step s \"S\"\n\tprint \"x\"\n")
        XCTAssertEqual(output.diagnostics.map(\.message), ["tab in indentation: indent with spaces"])
        XCTAssertEqual(output.diagnostics.first?.location?.line, 2)
        XCTAssertEqual(output.diagnostics.first?.location?.column, 1)
    }

    func testIndentationThatMatchesNoBlock() {
        let output = Lang.tokens("a\n    b\n  c\n")
        XCTAssertEqual(output.diagnostics.map(\.message), ["indentation does not match any enclosing block"])
        XCTAssertEqual(output.diagnostics.first?.location?.line, 3)
        XCTAssertEqual(output.diagnostics.first?.location?.column, 3)
    }

    func testUnexpectedCharacterIsNamedWhole() {
        let output = Lang.tokens("x = 1 ✓ 2\n")
        XCTAssertEqual(output.diagnostics.map(\.message), ["unexpected character '✓'"])
        XCTAssertEqual(output.diagnostics.first?.location?.column, 7)
    }

    func testCRLFLinesLexLikeLF() {
        XCTAssertEqual(Lang.tokenSummary("a\r\n  b\r\n"), Lang.tokenSummary("a\n  b\n"))
    }

    func testTokensCarryByteOffsets() {
        let output = Lang.tokens("é = \"ü\"\n")
        // `é` is an unexpected character (identifiers are ASCII); the string starts at byte 5.
        let string = output.tokens.first { $0.kind == .string }
        XCTAssertEqual(string?.offset, 5)
        let file = Lang.file("é = \"ü\"\n")
        XCTAssertEqual(file.column(of: 5), 5, "columns count characters, not bytes")
    }

    func testEveryLoopTerminatesOnHostileInput() {
        // Odd inputs must produce diagnostics, never hang or crash.
        let inputs = ["\"", "{", "$", "$ |", "\\", "\"{\"", "\"{", "step\n\t\t\n  \"", String(repeating: "(", count: 500),
                      "\u{0}", "a\r", "   \n\t\n", "\"\\", "1.", "1.2.3", "x-", "-x"]
        for input in inputs {
            _ = Lang.tokens(input)
            _ = Lang.parse(input)
        }
    }
}
