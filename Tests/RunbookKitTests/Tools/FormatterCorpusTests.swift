import XCTest
@testable import RunbookKit

/// Every runbook in the repository: formatting keeps its meaning and is idempotent.
final class FormatterCorpusTests: XCTestCase {
    func testEveryRunbookKeepsItsMeaningAndFormatsOnce() throws {
        let paths = ScenarioFixtures.runbooks(under: ["runbooks", "Tests"])
        var formattedCount = 0
        for path in paths {
            // Deeply nested inputs (Tests/fuzz-corpus) need more stack than a test thread
            // has, to parse and to free, so all work on trees happens on a large stack.
            let problems = try LargeStack.run { () -> [String]? in
                guard case .success(let file) = RunbookLoader.readSource(path: path),
                      let original = Parser.parse(file).runbook else { return nil }   // broken on purpose
                return FormatterCorpusTests.problems(formatting: file, original: original)
            }
            guard let problems else { continue }
            XCTAssertEqual(problems, [], path)
            formattedCount += 1
        }
        XCTAssertTrue(paths.contains { $0.hasSuffix("runbooks/node-health.runbook") })
        XCTAssertGreaterThanOrEqual(formattedCount, 6, "too few runbooks found under runbooks/ and Tests/")
    }

    private static func problems(formatting file: SourceFile, original: Runbook) -> [String] {
        let once: String
        do {
            once = try RunbookFormatter.format(file)
        } catch {
            return ["\(error)"]
        }
        guard let reparsed = Parser.parse(SourceFile(path: file.path, text: once)).runbook else { return ["output does not parse"] }
        var problems: [String] = []
        if let difference = RunbookMeaning.difference(original, reparsed) { problems.append("changes \(difference)") }
        if RunbookMeaning.comments(original) != RunbookMeaning.comments(reparsed) { problems.append("changes comments") }
        if (try? RunbookFormatter.format(SourceFile(path: file.path, text: once))) != once { problems.append("not idempotent") }
        return problems
    }

    func testMessyFixtureMatchesItsGoldenFile() throws {
        let messy = ScenarioFixtures.path("fmt/messy.runbook")
        let golden = try String(contentsOfFile: ScenarioFixtures.path("fmt/messy.formatted.runbook"), encoding: .utf8)
        let file = SourceFile(path: messy, text: try String(contentsOfFile: messy, encoding: .utf8))
        XCTAssertEqual(try RunbookFormatter.format(file), golden)
        XCTAssertEqual(try RunbookFormatter.format(SourceFile(path: messy, text: golden)), golden)
    }
}
