import Foundation

/// `runbook test`: finds scenario files, runs each, and reports one line per scenario and a
/// closing `N passed, N failed`. Exit code 0 all passed, 1 some failed, 2 some malformed.
public struct ScenarioSuite {
    public let files: [String]
    public let clusters: ScenarioClusters?

    public init(files: [String], clusters: ScenarioClusters? = nil) {
        self.files = files
        self.clusters = clusters
    }

    /// Scenario files: files as given, directories searched recursively for `*.scenario`.
    public static func discover(_ paths: [String]) throws -> [String] {
        var result: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw Diagnostic(.error, "\(path): no such file or directory", at: nil)
            }
            guard isDirectory.boolValue else {
                result.append(path)
                continue
            }
            let found = FileManager.default.enumerator(atPath: path)?.compactMap { $0 as? String } ?? []
            result += found.filter { $0.hasSuffix(".scenario") }.sorted()
                .map { (path as NSString).appendingPathComponent($0) }
        }
        return result
    }

    public struct Outcome {
        public var results: [ScenarioResult]
        public var passed: Int { results.filter(\.passed).count }
        public var failed: Int { results.count - passed }
        public var knownWrong: Int { results.filter(\.isKnownWrong).count }
        public var exitCode: Int32 {
            if results.contains(where: \.isMalformed) { return 2 }
            return failed > 0 ? 1 : 0
        }
        public var summary: String {
            "\(passed) passed" + (knownWrong > 0 ? " (\(knownWrong) of them known wrong)" : "") + ", \(failed) failed"
        }
    }

    /// Runs every scenario in order; `report` receives each result as soon as it is known.
    /// A cancellation stops the suite between scenarios.
    public func run(cancellation: Cancellation = Cancellation(), report: (ScenarioResult) -> Void = { _ in }) -> Outcome {
        let runner = ScenarioRunner(cancellation: cancellation, clusters: clusters)
        defer { clusters?.stopAll() }
        var results: [ScenarioResult] = []
        for file in files {
            if cancellation.isCancelled { break }
            let result = runner.run(path: file)
            report(result)
            results.append(result)
        }
        return Outcome(results: results)
    }
}

/// The text `runbook test` prints for one scenario (errors of a malformed one are printed
/// separately, as diagnostics).
public enum ScenarioReport {
    public static func text(for result: ScenarioResult) -> String {
        let title = result.title.isEmpty ? "" : " — \(result.title)"
        if result.isKnownWrong {
            var text = "WRONG \(result.scenarioPath)\(title) (known wrong: \(result.knownWrong ?? ""))\n"
            text += "    said: \(result.endDescription)\n"
            return text
        }
        if result.passed { return "PASS \(result.scenarioPath)\(title)\n" }
        if result.isMalformed {
            return "FAIL \(result.scenarioPath)\(title) (not run: \(result.errors.count == 1 ? "an error" : "errors") above)\n"
        }
        var text = "FAIL \(result.scenarioPath)\(title)\n"
        let path = result.steps.isEmpty ? "no steps" : result.steps.joined(separator: " → ")
        text += "    path: \(path) (\(result.endDescription))\n"
        for (n, difference) in result.differences.enumerated() {
            text += "    \(n == 0 ? "first difference" : "also"): \(difference)\n"
        }
        return text
    }
}
