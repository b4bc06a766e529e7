import Foundation
import XCTest
@testable import RunbookKit

/// Numbers too large for a machine integer: a runtime error with the position when they come
/// from output, a `check` error when they are written in the runbook; never a trap.
final class LanguageNumberRangeTests: XCTestCase {
    private let list: Value = .list([.string("a"), .string("b")])

    func testHugeOrInfiniteListIndexIsAnError() {
        for index in ["1e19", "-1e19", "inf", "-inf", "9223372036854775808"] {
            let shown = Lang.show("l[i]", ["l": list, "i": .string(index)])
            XCTAssertTrue(shown.hasPrefix("ERROR: the list index"), "\(index): \(shown)")
            XCTAssertTrue(shown.contains("out of range"), "\(index): \(shown)")
        }
        XCTAssertEqual(Lang.show("l[i]", ["l": list, "i": .number(-1)]), "b")
        XCTAssertEqual(Lang.show("l[i]", ["l": list, "i": .number(1e18)]), "")
        XCTAssertEqual(Lang.show("out[i]", ["out": .string("x\ny"), "i": .number(1)]), "y")
    }

    func testHugeOrInfiniteFieldNumberIsAnError() {
        for n in ["inf", "-inf", "1e19", "nan"] {
            let shown = Lang.show("field(t, n)", ["t": .string("a b c"), "n": .string(n)])
            XCTAssertTrue(shown.hasPrefix("ERROR: field(): n "), "\(n): \(shown)")
        }
        XCTAssertEqual(Lang.show("field(t, n)", ["t": .string("a b c"), "n": .number(-1)]), "c")
        XCTAssertEqual(Lang.show("field(t, n)", ["t": .string("a b c"), "n": .number(2.9)]), "b")
    }

    func testTheRuntimeErrorHasThePosition() throws {
        let executor = LangFakeExecutor()
        executor.on("echo", stdout: "10000000000000000000\n")
        let run = try LangRun.run("""
        runbook "r"
        step s "S"
          n = $ echo
          print "{field("a b", n)}"
        """, executor: executor)
        guard case .failed(let message) = run.outcome.status else {
            return XCTFail("expected a failed run, got \(run.outcome.status)")
        }
        XCTAssertTrue(message.contains("test.runbook:4:11"), message)
        XCTAssertTrue(message.contains("out of range"), message)
    }

    func testLongWaitsDoNotTrap() {
        let cancelled = Cancellation()
        cancelled.cancel()
        // 600 h in milliseconds does not fit in 32 bits; infinity fits nowhere.
        XCTAssertFalse(cancelled.sleep(seconds: 600 * 3600))
        XCTAssertFalse(cancelled.sleep(seconds: .infinity))
        let idle = Cancellation()
        XCTAssertTrue(idle.sleep(seconds: .nan))
        XCTAssertTrue(idle.sleep(seconds: -5))
        XCTAssertTrue(idle.sleep(seconds: 0.01))
    }

    func testOutOfRangeLiteralsAreCheckErrors() {
        let errors = Lang.errors("""
        runbook "r"
        step s "S"
          l = [1]
          a = l[10000000000000000000]
          b = l[-99999999999999999999]
          c = field("a b", 10000000000000000000)
        """)
        XCTAssertEqual(errors, [
            "4:9: the index 1e+19 is out of range: it must be \(WholeNumber.rangeDescription)",
            "5:9: the index -1e+20 is out of range: it must be \(WholeNumber.rangeDescription)",
            "6:20: field number 1e+19 is out of range: it must be \(WholeNumber.rangeDescription)",
        ])
    }

    func testNumbersBeyondDoubleAreCheckErrors() {
        let digits = "1" + String(repeating: "0", count: 400)
        let errors = Lang.errors("""
        runbook "r"
        step s "S"
          d = \(digits)
          e = timeout \(digits)s $ sleep 1
          retry 2 every \(digits)h until true
            $ true
        """)
        XCTAssertEqual(errors, [
            "3:7: 100000000000… (401 characters) is too large: numbers go up to about 1.8e308",
            "4:15: 100000000000… (402 characters) is too large: numbers go up to about 1.8e308",
            "5:17: 100000000000… (402 characters) is too large: numbers go up to about 1.8e308",
        ])
    }

    func testLiteralsInRangeCheck() {
        XCTAssertEqual(Lang.errors("""
        runbook "r"
        step s "S"
          l = [1]
          a = l[-1]
          b = l[9000000000000000000]
          c = field("a b", 2)
          retry 2 every 600h until true
            $ true
        """), [])
    }
}
