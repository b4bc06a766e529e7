import XCTest
@testable import RunbookKit

/// `runbook test --jobs N`: the same results as one at a time, reported in file order.
final class ScenarioSuiteJobsTests: XCTestCase {
    func testSeveralJobsGiveTheSameResultsInFileOrder() throws {
        let files = try ScenarioSuite.discover([ScenarioFixtures.directory])
        let one = ScenarioSuite(files: files).run()
        for jobs in [2, 4] {
            var reported: [String] = []
            let several = ScenarioSuite(files: files).run(jobs: jobs) { reported.append($0.scenarioPath) }
            XCTAssertEqual(reported, files, "jobs \(jobs)")
            XCTAssertEqual(several.results.map(\.scenarioPath), files)
            XCTAssertEqual(several.results.map(ScenarioReport.text(for:)), one.results.map(ScenarioReport.text(for:)), "jobs \(jobs)")
            XCTAssertEqual(several.summary, one.summary)
            XCTAssertEqual(several.exitCode, one.exitCode)
        }
    }

    func testACancelledSuiteRunsNothingMore() throws {
        let files = try ScenarioSuite.discover([ScenarioFixtures.directory])
        let cancellation = Cancellation()
        cancellation.cancel()
        XCTAssertEqual(ScenarioSuite(files: files).run(jobs: 2, cancellation: cancellation).results.count, 0)
    }
}
