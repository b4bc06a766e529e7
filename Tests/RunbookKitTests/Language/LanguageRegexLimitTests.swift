import Foundation
import XCTest
@testable import RunbookKit

/// Regular expressions that backtrack catastrophically end with an error naming the pattern,
/// within seconds, and a cancelled run stops them at once.
final class LanguageRegexLimitTests: XCTestCase {
    /// 1,000 `a`s and a `!`: `(a*)*b` tries every way of splitting the `a`s before failing.
    private let almostMatching = String(repeating: "a", count: 1000) + "!"

    /// Runs `body` on a thread and waits at most `seconds`, so that a hang fails the test
    /// instead of blocking the suite.
    private func finishes<T>(within seconds: Double, _ body: @escaping () -> T,
                             file: StaticString = #filePath, line: UInt = #line) -> T? {
        let box = Box<T>()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            box.value = body()
            done.signal()
        }
        guard done.wait(timeout: .now() + seconds) == .success else {
            XCTFail("still matching after \(seconds) s", file: file, line: line)
            return nil
        }
        return box.value
    }

    private final class Box<T>: @unchecked Sendable { var value: T? }

    func testCatastrophicMatchesIsAnErrorNamingThePattern() {
        let text = almostMatching
        let shown = finishes(within: 60) { Lang.show("s matches \"(a*)*b\"", ["s": .string(text)]) }
        XCTAssertTrue(shown?.hasPrefix("ERROR: ") == true, shown ?? "")
        XCTAssertTrue(shown?.contains("\"(a*)*b\"") == true, "the message names the pattern: \(shown ?? "")")
    }

    func testCatastrophicGrepAndMatchAreErrors() {
        let text = almostMatching
        for source in ["grep(s, \"(a|aa)*b\")", "match(s, \"(a*)*b\")"] {
            let shown = finishes(within: 60) { Lang.show(source, ["s": .string(text)]) }
            XCTAssertTrue(shown?.hasPrefix("ERROR: ") == true, "\(source): \(shown ?? "")")
            XCTAssertTrue(shown?.contains("regular expression") == true, "\(source): \(shown ?? "")")
        }
    }

    func testTheRuntimeErrorCarriesTheExpressionsPosition() throws {
        let run = try LangRun.run("""
        runbook "r"
        step s "S"
          t = "\(almostMatching)"
          if t matches "(a*)*b"
            print "no"
        """)
        guard case .failed(let message) = run.outcome.status else {
            return XCTFail("expected a failed run, got \(run.outcome.status)")
        }
        XCTAssertTrue(message.contains("test.runbook:4:6"), message)
        XCTAssertTrue(message.contains("(a*)*b"), message)
    }

    func testOrdinaryPatternsStillMatch() throws {
        XCTAssertEqual(Lang.show("\"pod-7 Running\" matches \"^pod-[0-9]+ Run\""), "true")
        XCTAssertEqual(Lang.show("match(\"v1.2.3\", \"v([0-9.]+)\")"), "1.2.3")
        XCTAssertEqual(Lang.show("grep(\"a\\nb\\nab\", \"a\")"), "a, ab")
        XCTAssertEqual(Lang.show("s matches \"(a*)*b\"", ["s": .string(String(repeating: "a", count: 1000) + "b")]), "true")
    }

    func testCancellationStopsALongMatchAtOnce() throws {
        let cancellation = Cancellation()
        let regex = try RegexCache.shared.regex("(a*)*b")
        let text = almostMatching
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { cancellation.cancel() }
        let started = Date()
        let outcome = finishes(within: 60) { () -> String in
            do {
                _ = try BoundedMatch.firstMatch(regex, in: text, limit: 600, cancellation: cancellation)
                return "finished"
            } catch Interpreter.Flow.abort(let message) {
                return "aborted: \(message)"
            } catch {
                return "\(error)"
            }
        }
        XCTAssertEqual(outcome, "aborted: interrupted by the operator")
        XCTAssertLessThan(Date().timeIntervalSince(started), 10, "the match noticed the cancellation late")
    }
}
