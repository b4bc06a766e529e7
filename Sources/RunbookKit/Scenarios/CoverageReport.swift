import Foundation

/// The generated part of docs/COVERAGE.md: every fixture cluster, the runbooks run against it
/// and what they diagnosed (right, or a recorded known-wrong), then each cause with the step
/// that found it. Only scenarios with a `cluster` line appear. The text depends on nothing but
/// the results (no times, no absolute paths), so a stale file is a real difference.
public enum CoverageReport {
    /// Everything from this line on is generated; what is above it is kept as written.
    public static let marker = "<!-- Generated below by `runbook test --coverage docs/COVERAGE.md runbooks/`: do not edit by hand; `make test` fails when it is stale. -->"

    /// `existing` with its generated part (from the marker on) replaced by one made from `results`.
    public static func document(keeping existing: String, results: [ScenarioResult]) -> String {
        var head = existing
        if let range = existing.range(of: marker) {
            head = String(existing[..<range.lowerBound])
        }
        if !head.isEmpty && !head.hasSuffix("\n\n") { head += head.hasSuffix("\n") ? "\n" : "\n\n" }
        return head + marker + "\n\n" + generated(results)
    }

    struct Row {
        var cluster: String
        var description: String
        var runbook: String
        var scenario: String
        var diagnosis: String
        var verdict: String
        var steps: String
    }

    static func rows(_ results: [ScenarioResult]) -> [Row] {
        results.compactMap { result -> Row? in
            guard let clusterPath = result.clusterPath else { return nil }
            let cluster = (clusterPath as NSString).lastPathComponent
            let runbook = ((result.runbookPath ?? "") as NSString).lastPathComponent.replacingOccurrences(of: ".runbook", with: "")
            return Row(cluster: cluster, description: description(ofCluster: clusterPath), runbook: runbook,
                       scenario: relativeScenario(result.scenarioPath), diagnosis: diagnosis(result),
                       verdict: verdict(result), steps: steps(result.conclusionSteps))
        }.sorted { ($0.cluster, $0.runbook, $0.scenario) < ($1.cluster, $1.runbook, $1.scenario) }
    }

    static func generated(_ results: [ScenarioResult]) -> String {
        let rows = rows(results)
        let clusters = Set(rows.map(\.cluster))
        let wrong = rows.filter { $0.verdict.hasPrefix("WRONG") }.count
        var out = "## Fixture clusters × runbooks\n\n"
        out += "Each row is a scenario (`runbooks/scenarios/<runbook>/cluster-<cluster>.scenario`) whose kubectl commands ran "
        out += "against the fixture cluster `runbooks/clusters/<cluster>` served by runbook's own API server. "
        out += "**right**: the runbook gives the diagnosis the scenario states; **WRONG**: it does not yet "
        out += "(the scenario records the right one with `known-wrong`, and fails once the runbook gets it right).\n\n"
        out += "\(clusters.count) clusters, \(rows.count) scenarios, \(rows.count - wrong) right, \(wrong) wrong.\n\n"
        out += "| cluster | runbook | diagnosis | verdict |\n|---|---|---|---|\n"
        for row in rows {
            out += "| `\(row.cluster)` | `\(row.runbook)` | \(cell(row.diagnosis)) | \(cell(row.verdict)) |\n"
        }
        out += "\n## Causes\n\nEach fixture cluster's cause (its description), and for each scenario the step that concluded "
        out += "(with the called runbooks' conclusions it was reached through).\n"
        var seen: Set<String> = []
        for row in rows where !seen.contains(row.cluster) {
            seen.insert(row.cluster)
            out += "\n### `\(row.cluster)`\n\n\(row.description)\n\n"
            for r in rows where r.cluster == row.cluster {
                let step = r.steps.isEmpty ? "no conclusion" : "step `\(r.steps)`"
                out += "- `\(r.runbook)` → \(step): `\(r.scenario)` (\(r.verdict.hasPrefix("WRONG") ? "WRONG" : r.verdict))\n"
            }
        }
        return out
    }

    /// `few` (via pod-crashloop/status, network/verdict): the last conclusion is the run's own.
    static func steps(_ concluded: [String]) -> String {
        guard let last = concluded.last else { return "" }
        var via: [String] = []
        for step in concluded.dropLast() where step != last && !via.contains(step) { via.append(step) }
        return via.isEmpty ? last : "\(last) (via \(via.joined(separator: ", ")))"
    }

    private static func verdict(_ result: ScenarioResult) -> String {
        if result.isKnownWrong { return "WRONG: \(result.knownWrong ?? "")" }
        return result.passed ? "right" : "FAILING"
    }

    /// The run's diagnosis on one line, cut at `diagnosisLimit` characters: the conclusion (or
    /// how the run ended) and its severity. Times are written as `<time>` and measured seconds
    /// as `N s`: a fixture's times are moved to the moment it is served (by a fraction of a
    /// second that differs from run to run), and the page must not change with the clock.
    static func diagnosis(_ result: ScenarioResult) -> String {
        let text = result.status == "concluded" ? (result.conclusion ?? "") : result.endDescription
        var oneLine = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " / ")
        oneLine = oneLine.replacingOccurrences(of: #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"#, with: "<time>",
                                               options: .regularExpression)
        oneLine = oneLine.replacingOccurrences(of: #"\b\d+(\.\d+)? s\b"#, with: "N s", options: .regularExpression)
        if oneLine.count > diagnosisLimit { oneLine = String(oneLine.prefix(diagnosisLimit)) + "…" }
        return oneLine + (result.severity.map { " (\($0.rawValue))" } ?? "")
    }

    /// Enough for the cause and its first "Next:" in most runbooks' wording.
    static let diagnosisLimit = 400

    /// A table cell: no line breaks, `|` escaped.
    private static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }

    /// `runbooks/scenarios/…` whatever directory the suite was given.
    private static func relativeScenario(_ path: String) -> String {
        let standard = (path as NSString).standardizingPath
        if let range = standard.range(of: "runbooks/scenarios/") {
            return String(standard[range.lowerBound...])
        }
        return standard
    }

    /// The one-line description from the cluster's cluster.json, or a note that it has none.
    static func description(ofCluster path: String) -> String {
        let manifest = (path as NSString).appendingPathComponent("cluster.json")
        guard let data = FileManager.default.contents(atPath: manifest),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let text = object["description"] as? String else {
            return "(no description in \(manifest))"
        }
        return text
    }
}
