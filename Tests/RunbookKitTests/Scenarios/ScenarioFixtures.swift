import Foundation
@testable import RunbookKit

/// Paths of the repository and of the scenario fixtures, found from this file's location.
enum ScenarioFixtures {
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url.path }
            url.deleteLastPathComponent()
        }
        fatalError("no Package.swift above \(#filePath)")
    }()

    static let directory = repositoryRoot + "/Tests/fixtures/scenarios"

    static func path(_ relative: String) -> String { directory + "/" + relative }

    /// Parses scenario text as if it were a file in the fixtures directory.
    static func scenario(_ text: String, name: String = "inline.scenario") throws -> Scenario {
        try ScenarioParser.parse(SourceFile(path: path(name), text: text))
    }

    static func run(_ relative: String) -> ScenarioResult {
        ScenarioRunner().run(path: path(relative))
    }

    static func run(text: String) throws -> ScenarioResult {
        ScenarioRunner().run(try scenario(text))
    }

    /// Every `.runbook` file under the given directories of the repository, sorted.
    static func runbooks(under directories: [String]) -> [String] {
        directories.flatMap { dir -> [String] in
            let base = repositoryRoot + "/" + dir
            let found = FileManager.default.enumerator(atPath: base)?.compactMap { $0 as? String } ?? []
            return found.filter { $0.hasSuffix(".runbook") && !$0.hasPrefix(".build") }.map { base + "/" + $0 }
        }.sorted()
    }
}
