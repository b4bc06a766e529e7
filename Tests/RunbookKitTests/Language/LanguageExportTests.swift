import Foundation
import XCTest
@testable import RunbookKit

/// `export NAME = VALUE` in a called runbook; the caller reads it from the capture of its
/// `run`, checked against what the callee exports.
final class LanguageExportTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = try Lang.scratchDirectory("exports")
        try """
        runbook "days until a certificate expires"
        param notAfter
        step compute "Compute"
          days = number(notAfter) - 10
          export days = days
          export expired = days < 0
          export hosts = ["a", "b"]
        """.write(toFile: directory + "/cert.runbook", atomically: true, encoding: .utf8)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func testTheCallerReadsTypedExportedValues() throws {
        let run = try LangRun.run("""
        runbook "caller"
        step a "A"
          r = run "cert.runbook" notAfter="40"
          print "{r.days} {r.expired} {r.hosts} {r.status}"
          require r.days == 30 else "a number comes back as a number"
          require not r.expired else "a boolean comes back as a boolean"
        """, path: directory + "/caller.runbook")
        XCTAssertEqual(run.observer.messages, ["30 false a, b completed"])
        XCTAssertEqual(run.outcome.status, .completed)
    }

    func testTheCaptureSaysWhatTheCalleeFoundOut() throws {
        for (body, expected) in [("conclude unknown \"cannot tell\"", "unknown concluded"),
                                 ("diagnose \"broken\"", "problem concluded"),
                                 ("conclude ok \"fine\"", "ok concluded"),
                                 ("expect false else \"a finding\"", "problem completed")] {
            try """
            runbook "callee"
            step a "A"
              \(body)
            """.write(toFile: directory + "/verdict.runbook", atomically: true, encoding: .utf8)
            let run = try LangRun.run("""
            runbook "caller"
            step a "A"
              r = run "verdict.runbook"
              print "{r.severity} {r.status}"
            """, path: directory + "/caller.runbook")
            XCTAssertEqual(run.observer.messages.last, expected, body)
        }
    }

    func testReadingAValueTheCalleeDoesNotExportIsACheckError() throws {
        let (checked, diagnostics) = Lang.check("""
        runbook "caller"
        step a "A"
          r = run "cert.runbook" notAfter="40"
          print "{r.dayz}"
        """, path: directory + "/caller.runbook")
        XCTAssertNil(checked)
        let message = try XCTUnwrap(diagnostics.first?.description)
        XCTAssertTrue(message.contains("'cert.runbook' does not export 'dayz', did you mean 'days'?"), message)
        XCTAssertTrue(message.contains("add `export dayz = …` to it"), message)
        XCTAssertTrue(message.contains(":4:"), "the position of r.dayz: \(message)")
    }

    func testAnExportCannotShadowWhatTheCaptureAlreadyHas() throws {
        let (checked, diagnostics) = Lang.check("""
        runbook "callee"
        step a "A"
          export status = "fine"
        """, path: directory + "/bad.runbook")
        XCTAssertNil(checked)
        XCTAssertTrue(diagnostics.contains { $0.message.contains("'status' cannot be exported") }, "\(diagnostics)")
    }

    func testFormatterKeepsTheExport() throws {
        let source = try String(contentsOfFile: directory + "/cert.runbook", encoding: .utf8)
        let file = SourceFile(path: directory + "/cert.runbook", text: source)
        let formatted = try RunbookFormatter.format(file)
        XCTAssertTrue(formatted.contains("  export days = days\n"), formatted)
        XCTAssertTrue(formatted.contains("  export hosts = [\"a\", \"b\"]\n"), formatted)
    }
}
