import XCTest
@testable import RunbookKit

/// Lines found on bytes are the lines Swift's `isNewline` gives, for every kind of line end.
final class OutputTextTests: XCTestCase {
    func testLinesOnBytesMatchTheCharacterSplit() {
        let texts = [
            "a\nb\n", "a\r\nb\r\n\r\n", "a\rb", "x\u{0B}y\u{0C}z", "one\u{85}two\u{2028}three\u{2029}four",
            "\n\n\nlast", "é\nü\r\n€", "no newline", "", "\r\n", "tab\tline\n  spaced  \n",
        ]
        for text in texts {
            var found: [String] = []
            OutputText.forEachLine(CapturedText(text)) { found.append($0) }
            XCTAssertEqual(found, text.split(whereSeparator: \.isNewline).map(String.init), "\(text.debugDescription)")
        }
    }
}
