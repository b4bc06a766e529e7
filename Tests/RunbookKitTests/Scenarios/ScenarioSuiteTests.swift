import XCTest
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import RunbookKit

final class ScenarioSuiteTests: XCTestCase {
    func testFixtureDirectoryCountsAndExitCode() throws {
        let files = try ScenarioSuite.discover([ScenarioFixtures.directory])
        XCTAssertEqual(files.map { $0.replacingOccurrences(of: ScenarioFixtures.directory + "/", with: "") }, [
            "disks/per-host.scenario",
            "failing/unanswered-command.scenario",
            "failing/unanswered-question.scenario",
            "failing/unused-answer.scenario",
            "failing/wrong-conclusion.scenario",
            "malformed/bad-status.scenario",
            "poll/in-order.scenario",
            "poll/never-healthy.scenario",
            "service-down/config-error.scenario",
            "service-down/listening.scenario",
            "service-down/restarted.scenario",
        ])
        var reported: [String] = []
        let outcome = ScenarioSuite(files: files).run { reported.append(ScenarioReport.text(for: $0)) }
        XCTAssertEqual(outcome.summary, "6 passed, 5 failed")
        XCTAssertEqual(outcome.exitCode, 2)
        XCTAssertEqual(reported.filter { $0.hasPrefix("PASS ") }.count, 6)
        XCTAssertEqual(reported.filter { $0.hasPrefix("FAIL ") }.count, 5)
    }

    func testExitCodeIsOneWhenAScenarioFailsAndZeroWhenAllPass() {
        let passing = ScenarioSuite(files: [ScenarioFixtures.path("poll/in-order.scenario")]).run()
        XCTAssertEqual(passing.exitCode, 0)
        XCTAssertEqual(passing.summary, "1 passed, 0 failed")
        let failing = ScenarioSuite(files: [ScenarioFixtures.path("poll/in-order.scenario"),
                                            ScenarioFixtures.path("failing/wrong-conclusion.scenario")]).run()
        XCTAssertEqual(failing.exitCode, 1)
        XCTAssertEqual(failing.summary, "1 passed, 1 failed")
    }

    func testMissingPathIsAnError() {
        XCTAssertThrowsError(try ScenarioSuite.discover(["/no/such/dir"])) { error in
            XCTAssertEqual((error as? Diagnostic)?.message, "/no/such/dir: no such file or directory")
        }
    }

    func testJUnitXMLIsWellFormedAndCounts() throws {
        let files = try ScenarioSuite.discover([ScenarioFixtures.directory])
        let outcome = ScenarioSuite(files: files).run()
        let xml = JUnitWriter.xml(outcome.results)
        let document = try XMLDocument(xmlString: xml)
        let suite = try XCTUnwrap(try document.nodes(forXPath: "/testsuites/testsuite").first as? XMLElement)
        XCTAssertEqual(suite.attribute(forName: "tests")?.stringValue, "11")
        XCTAssertEqual(suite.attribute(forName: "failures")?.stringValue, "4")
        XCTAssertEqual(suite.attribute(forName: "errors")?.stringValue, "1")
        let failures = try document.nodes(forXPath: "//testcase/failure")
        XCTAssertEqual(failures.count, 4)
        let wrong = try document.nodes(forXPath: "//testcase[@name='Expects a restart, but the service was running']/failure").first as? XMLElement
        XCTAssertEqual(wrong?.attribute(forName: "message")?.stringValue,
                       #"line 12: expected conclusion "web was stopped; restarted it", got "web is up and listens on 8080""#)
    }

    func testJUnitEscapesMarkup() {
        XCTAssertEqual(JUnitWriter.escape("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;")
    }
}
