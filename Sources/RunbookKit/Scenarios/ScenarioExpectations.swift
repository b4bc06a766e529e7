/// Compares a finished run with a scenario's `expect` lines; each line that does not hold
/// gives one difference, in file order.
enum ScenarioExpectations {
    static func differences(_ scenario: Scenario, _ result: ScenarioResult) -> [String] {
        scenario.expectations.compactMap { expectation in
            difference(expectation, result).map { "line \(scenario.file.line(of: expectation.offset)): \($0)" }
        }
    }

    /// What differs, or nil when the expectation holds.
    static func difference(_ expectation: Expectation, _ result: ScenarioResult) -> String? {
        switch expectation.kind {
        case .conclusion(let match):
            if let conclusion = result.conclusion, result.status == "concluded" {
                return match.matches(conclusion) ? nil : "expected conclusion \(match), got \(ScenarioText.quoted(conclusion))"
            }
            return "expected conclusion \(match), but the run \(result.endDescription)"
        case .failure(let match):
            if let failure = result.failure, result.status == "failed" || result.status == "aborted" {
                return match.matches(failure) ? nil : "expected failure \(match), got \(ScenarioText.quoted(failure))"
            }
            return "expected failure \(match), but the run \(result.endDescription)"
        case .status(let status):
            return result.status == status ? nil : "expected status \(status), but the run \(result.endDescription)"
        case .steps(let expected):
            return stepsDifference(expected, result.steps)
        case .severity(let severity):
            guard let got = result.severity else { return "expected severity \(severity.rawValue), but the run \(result.endDescription)" }
            return got == severity ? nil : "expected severity \(severity.rawValue), got \(got.rawValue) (the run \(result.endDescription))"
        case .exitCode(let code):
            guard let got = result.exitCode else { return "expected exit \(code), but the run \(result.endDescription)" }
            return got == code ? nil : "expected exit \(code), got \(got) (the run \(result.endDescription))"
        case .findingCount(let n):
            guard result.findings.count != n else { return nil }
            return "expected \(count(n, "finding")), got \(result.findings.count)\(listed(result.findings))"
        case .finding(let match):
            if result.findings.contains(where: match.matches) { return nil }
            return "expected a finding \(match), got \(quotedList(result.findings, empty: "no findings"))"
        case .confirmation(let match):
            if result.confirmations.contains(where: match.matches) { return nil }
            return "expected a confirmation \(match), got \(quotedList(result.confirmations, empty: "none"))"
        }
    }

    private static func stepsDifference(_ expected: [String], _ actual: [String]) -> String? {
        guard expected != actual else { return nil }
        let at = zip(expected, actual).enumerated().first { $1.0 != $1.1 }?.offset ?? min(expected.count, actual.count)
        let detail: String
        if at >= actual.count {
            detail = "the run stopped after \(actual.count) step\(actual.count == 1 ? "" : "s"), before \(expected[at])"
        } else if at >= expected.count {
            detail = "then it went on to \(actual[at])"
        } else {
            detail = "step \(at + 1) is \(actual[at]), expected \(expected[at])"
        }
        return "expected steps \(expected.joined(separator: ", ")); visited \(actual.isEmpty ? "none" : actual.joined(separator: ", ")) (\(detail))"
    }

    private static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    /// `"a"; "b"`, or `empty` for an empty list.
    private static func quotedList(_ items: [String], empty: String) -> String {
        items.isEmpty ? empty : items.map(ScenarioText.quoted).joined(separator: "; ")
    }

    /// `: "a"; "b"` or nothing for an empty list.
    private static func listed(_ items: [String]) -> String {
        items.isEmpty ? "" : ": " + items.map(ScenarioText.quoted).joined(separator: "; ")
    }
}
