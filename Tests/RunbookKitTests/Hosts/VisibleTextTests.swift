import Foundation
import XCTest
@testable import RunbookKit

/// Escape sequences in command output are shown, never obeyed (terminal), or dropped
/// whole (reports). Tab is the one control that stays.
final class VisibleTextTests: XCTestCase {
    private let osc52 = "before \u{1B}]52;c;cm0gLXJmIC8=\u{07} after"
    private let csi = "\u{1B}[2J\u{1B}[1;1H\u{1B}[31mred\u{1B}[0m"

    func testPlainLinesAreUnchanged() {
        for line in ["", "pod-7   Running   0   3d", "tab\tseparated", "café ✓ 日本", "\u{A0}no-break"] {
            XCTAssertEqual(VisibleText.forTerminal(line), line)
            XCTAssertEqual(VisibleText.forReport(line), line)
        }
    }

    func testTerminalShowsOSC52Visibly() {
        let shown = VisibleText.forTerminal(osc52)
        XCTAssertEqual(shown, "before ␛]52;c;cm0gLXJmIC8=␇ after")
        XCTAssertFalse(shown.unicodeScalars.contains { VisibleText.isControl($0.value) })
    }

    func testTerminalShowsCSIVisibly() {
        XCTAssertEqual(VisibleText.forTerminal(csi), "␛[2J␛[1;1H␛[31mred␛[0m")
    }

    func testTerminalShowsEveryC0ControlButTab() {
        XCTAssertEqual(VisibleText.forTerminal("a\u{00}b\u{07}c\u{08}d\te\r\u{0B}\u{0C}\u{1F}"), "a␀b␇c␈d\te␍␋␌␟")
        XCTAssertEqual(VisibleText.forTerminal("a\nb"), "a␊b")
    }

    func testTerminalShowsDELAndC1() {
        XCTAssertEqual(VisibleText.forTerminal("x\u{7F}y"), "x␡y")
        XCTAssertEqual(VisibleText.forTerminal("\u{9B}31mred \u{9D}0;title\u{9C} \u{80}\u{85}"), "\\x9B31mred \\x9D0;title\\x9C \\x80\\x85")
        // Characters near the C1 range are text.
        XCTAssertEqual(VisibleText.forTerminal("\u{A0}\u{A9}Ā"), "\u{A0}\u{A9}Ā")
    }

    func testTerminalKeepsACRLFLineReadable() {
        // "\r\n" is one Character in Swift; it is two controls here.
        XCTAssertEqual(VisibleText.forTerminal("line\r\n"), "line␍␊")
    }

    func testReportDropsOSC52WithItsPayload() {
        XCTAssertEqual(VisibleText.forReport(osc52), "before  after")
        XCTAssertEqual(VisibleText.forReport("a\u{1B}]52;c;cm0=\u{1B}\\b"), "ab", "terminated by ST (ESC \\)")
        XCTAssertEqual(VisibleText.forReport("a\u{1B}]0;title never ends"), "a", "an unterminated string goes to the end")
        XCTAssertEqual(VisibleText.forReport("a\u{1B}]0;t\u{1B}[31mb"), "ab", "ESC ends the string and starts a CSI")
    }

    func testReportDropsCSIAndOtherEscapes() {
        XCTAssertEqual(VisibleText.forReport(csi), "red")
        XCTAssertEqual(VisibleText.forReport("\u{1B}[?25l\u{1B}[38;5;196mx\u{1B}7\u{1B}(B\u{1B}cy"), "xy")
        XCTAssertEqual(VisibleText.forReport("end\u{1B}"), "end")
    }

    func testReportDropsC1SequencesAndControls() {
        XCTAssertEqual(VisibleText.forReport("\u{9B}31mred\u{9B}0m"), "red")
        XCTAssertEqual(VisibleText.forReport("a\u{9D}52;c;cm0=\u{9C}b"), "ab")
        XCTAssertEqual(VisibleText.forReport("a\u{85}b\u{7F}c\u{00}d\u{08}e\tf\rg"), "abcde\tfg")
    }
}
