// The golden corpus (Tests/golden, see its README.md): small runbooks, each with the exact
// output the built binary must give.
//
//   check/NAME.runbook + NAME.expected   `runbook check --no-color NAME.runbook` must fail (exit 2)
//                                        with exactly this stderr and no stdout; a case named
//                                        warning-… has only warnings: exit 0, stdout "… ok".
//   run/NAME.runbook + NAME.expected     `runbook run NAME.runbook --no-journal --no-color ARGS…`
//                                        must print exactly this (timings normalised to TIME);
//                                        stderr, when there is any, follows a "--- stderr" line.
//   run/NAME.args                        optional arguments, one per line.
//
// Runbooks in lib/ folders are called by the others and are not cases themselves.
// RUNBOOK_GOLDEN_UPDATE=1 rewrites the .expected files from what the binary does now (review
// the diff before committing it).

import Foundation
import XCTest

final class GoldenTests: XCTestCase {
    private static let goldenRoot = E2E.repositoryRoot + "/Tests/golden"
    private let update = ProcessInfo.processInfo.environment["RUNBOOK_GOLDEN_UPDATE"] == "1"

    private func cases(_ folder: String) throws -> [String] {
        let directory = GoldenTests.goldenRoot + "/" + folder
        return try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".runbook") }
            .map { String($0.dropLast(".runbook".count)) }
            .sorted()
    }

    func testCheckErrors() throws {
        let directory = GoldenTests.goldenRoot + "/check"
        let names = try cases("check")
        XCTAssertGreaterThanOrEqual(names.count, 25, "the check corpus went missing")
        for name in names {
            let result = try E2E.run(["check", "--no-color", name + ".runbook"], in: directory, timeout: 30)
            let actual = result.stderr
            XCTAssertNil(result.signal, "\(name): the checker crashed (signal \(result.signal ?? 0))")
            if name.hasPrefix("warning-") {
                XCTAssertEqual(result.exitCode, 0, "\(name): warnings alone must not fail `runbook check`")
                XCTAssertTrue(result.stdout.hasPrefix(name + ".runbook: ok ("), "\(name): a file with warnings checks ok")
                XCTAssertTrue(actual.contains(": warning: "), "\(name): a warning case shows a warning")
            } else {
                XCTAssertEqual(result.exitCode, 2, "\(name): `runbook check` must fail with exit code 2")
                XCTAssertEqual(result.stdout, "", "\(name): nothing on stdout when the check fails")
            }
            compare(name: "check/\(name)", actual: actual, expectedPath: "\(directory)/\(name).expected")
        }
    }

    func testRuns() throws {
        let directory = GoldenTests.goldenRoot + "/run"
        let names = try cases("run")
        XCTAssertGreaterThanOrEqual(names.count, 25, "the run corpus went missing")
        for name in names {
            var extra: [String] = []
            if let args = E2E.read("\(directory)/\(name).args") {
                extra = args.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
            }
            let result = try E2E.run(["run", name + ".runbook", "--no-journal", "--no-color"] + extra,
                                     in: directory, timeout: 60)
            XCTAssertNil(result.signal, "\(name): the runner crashed (signal \(result.signal ?? 0))")
            // The run header may name the runbook by its absolute path; the corpus must not
            // depend on where the repository is.
            var actual = E2E.normalizeTimes(result.stdout).replacingOccurrences(of: directory + "/", with: "")
            if !result.stderr.isEmpty { actual += "--- stderr\n" + result.stderr }
            compare(name: "run/\(name)", actual: actual, expectedPath: "\(directory)/\(name).expected")
            // The summary states the exit code; the process must agree with it.
            if let line = result.stdout.split(separator: "\n").last(where: { $0.contains("· exit code ") }),
               let code = Int32(line.components(separatedBy: "exit code ").last ?? "") {
                XCTAssertEqual(result.exitCode, code, "\(name): the exit status differs from the summary's")
            } else if result.stdout.hasPrefix("Plan for ") {
                XCTAssertEqual(result.exitCode, 0, "\(name): a dry run exits 0")
            } else {
                XCTAssertFalse(result.stderr.isEmpty, "\(name): no summary and no error message")
                XCTAssertEqual(result.exitCode, 2, "\(name): an error before the run starts is a usage error")
            }
        }
    }

    func testEveryCaseHasAnExpectation() throws {
        for folder in ["check", "run"] {
            for name in try cases(folder) {
                XCTAssertTrue(E2E.exists("\(GoldenTests.goldenRoot)/\(folder)/\(name).expected") || update,
                              "\(folder)/\(name).runbook has no .expected file")
            }
        }
    }

    func testNormaliser() {
        XCTAssertEqual(E2E.normalizeTimes("  ✓ ok (12 ms)\n  ✗ failed (1.2 s)\n  elapsed:   2m 5s · exit code 1\n"),
                       "  ✓ ok (TIME)\n  ✗ failed (TIME)\n  elapsed:   TIME · exit code 1\n")
        XCTAssertEqual(E2E.normalizeTimes("exit 4 · 0 ms\ntimed out after 1.0 s\n"), "exit 4 · TIME\ntimed out after TIME\n")
        XCTAssertEqual(E2E.normalizeTimes("`sleep 9` timed out after 2s\nnext in 0.1s"), "`sleep 9` timed out after TIME\nnext in 0.1s")
        XCTAssertEqual(E2E.normalizeTimes("12 items, 3 msgs, 1.25 s"), "12 items, 3 msgs, 1.25 s")
    }

    private func compare(name: String, actual: String, expectedPath: String,
                         file: StaticString = #filePath, line: UInt = #line) {
        if update {
            FileManager.default.createFile(atPath: expectedPath, contents: Data(actual.utf8))
            return
        }
        guard let expected = E2E.read(expectedPath) else {
            XCTFail("\(name): missing \(expectedPath)", file: file, line: line)
            return
        }
        guard expected != actual else { return }
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let first = zip(e, a).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(e.count, a.count)
        let expectedLine = first < e.count ? String(e[first]) : "<end>"
        let actualLine = first < a.count ? String(a[first]) : "<end>"
        XCTFail("""
            \(name): output differs from \((expectedPath as NSString).lastPathComponent) at line \(first + 1)
              expected: \(expectedLine)
              actual:   \(actualLine)
            --- whole actual output ---
            \(actual)
            """, file: file, line: line)
    }
}
