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

    /// Runs every scenario; `report` receives each result in file order, as soon as it and
    /// those before it are known. `jobs` scenarios run at once, each on its own thread with its
    /// own runner (a `RunbookLibrary` is not shared between threads): a cluster-backed scenario
    /// spends most of its time waiting for kubectl processes, so two jobs on two cores take
    /// about half as long. A cancellation stops the suite between scenarios.
    public func run(jobs: Int = 1, cancellation: Cancellation = Cancellation(),
                    report: (ScenarioResult) -> Void = { _ in }) -> Outcome {
        defer { clusters?.stopAll() }
        let runners = RunnerPool(cancellation: cancellation, clusters: clusters)
        let lock = Mutex()
        var results = [ScenarioResult?](repeating: nil, count: files.count)
        var finished = [Bool](repeating: false, count: files.count)
        var reported = 0
        withoutActuallyEscaping(report) { report in
            ConcurrentWork.forEach(count: files.count, limit: max(1, jobs)) { index in
                var result: ScenarioResult?
                if !cancellation.isCancelled {
                    let runner = runners.take()
                    result = runner.run(path: files[index])
                    runners.give(runner)
                }
                lock.withLock {
                    results[index] = result
                    finished[index] = true
                    while reported < files.count, finished[reported] {
                        if let done = results[reported] { report(done) }
                        reported += 1
                    }
                }
            }
        }
        return Outcome(results: results.compactMap { $0 })
    }
}

/// Runners for the suite's threads: one per thread at a time, each keeping its own cache of
/// checked runbooks for the next scenario it runs.
private final class RunnerPool: @unchecked Sendable {
    private let lock = Mutex()
    private var idle: [ScenarioRunner] = []
    private let cancellation: Cancellation
    private let clusters: ScenarioClusters?

    init(cancellation: Cancellation, clusters: ScenarioClusters?) {
        self.cancellation = cancellation
        self.clusters = clusters
    }

    func take() -> ScenarioRunner {
        lock.withLock { idle.popLast() } ?? ScenarioRunner(cancellation: cancellation, clusters: clusters)
    }

    func give(_ runner: ScenarioRunner) {
        lock.withLock { idle.append(runner) }
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
