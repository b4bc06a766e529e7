import XCTest
@testable import RunbookKit

/// `selects(selector, labels)` answers as the API server does for LabelSelectors (matchLabels
/// and every matchExpressions operator) and for a Service's plain map.
final class LanguageSelectorTests: XCTestCase {
    /// Each selector (JSON, or "null") asked about the labels, in one run; canned command
    /// output carries the JSON, as kubectl's would.
    private func answers(_ selectors: [String], labels: String = #"{"app": "web", "track": "stable", "tier": ""}"#,
                         file: StaticString = #filePath, line: UInt = #line) throws -> LangRun {
        let executor = LangFakeExecutor()
        executor.on("echo labels", stdout: labels + "\n")
        var body = ""
        for (i, selector) in selectors.enumerated() {
            executor.on("echo selector-\(i)-", stdout: selector + "\n")
            body += "  s = $ echo selector-\(i)-\n  print \"{selects(json(s), json(labels))}\"\n"
        }
        return try LangRun.run("""
        runbook "selectors"
        step s "S"
          labels = $ echo labels
        \(body)
        """, executor: executor, file: file, line: line)
    }

    func testLabelSelectorOperators() throws {
        let cases: [(String, String)] = [
            (#"{"matchLabels": {"app": "web"}}"#, "true"),
            (#"{"matchLabels": {"app": "db"}}"#, "false"),
            (#"{"matchExpressions": [{"key": "track", "operator": "In", "values": ["stable", "beta"]}]}"#, "true"),
            (#"{"matchExpressions": [{"key": "track", "operator": "In", "values": ["canary"]}]}"#, "false"),
            (#"{"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}"#, "false"),
            (#"{"matchExpressions": [{"key": "track", "operator": "NotIn", "values": ["canary"]}]}"#, "true"),
            (#"{"matchExpressions": [{"key": "zone", "operator": "NotIn", "values": ["a"]}]}"#, "true"),
            (#"{"matchExpressions": [{"key": "track", "operator": "NotIn", "values": ["stable"]}]}"#, "false"),
            (#"{"matchExpressions": [{"key": "tier", "operator": "Exists"}]}"#, "true"),
            (#"{"matchExpressions": [{"key": "zone", "operator": "Exists"}]}"#, "false"),
            (#"{"matchExpressions": [{"key": "zone", "operator": "DoesNotExist"}]}"#, "true"),
            (#"{"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "track", "operator": "In", "values": ["canary"]}]}"#, "false"),
            (#"{}"#, "true"),
            (#"{"app": "web", "track": "stable"}"#, "true"),
            (#"{"app": "web", "track": "canary"}"#, "false"),
        ]
        XCTAssertEqual(try answers(cases.map(\.0)).observer.messages, cases.map(\.1))
        XCTAssertEqual(try answers(["null", "{}"], labels: "null").observer.messages, ["false", "true"])
    }

    func testAnUnknownOperatorIsAnErrorThatNamesIt() throws {
        let run = try answers([#"{"matchExpressions": [{"key": "a", "operator": "Gt", "values": ["1"]}]}"#])
        guard case .failed(let message) = run.outcome.status else { return XCTFail("\(run.outcome.status)") }
        XCTAssertTrue(message.contains("'Gt' is not a selector operator (In, NotIn, Exists, DoesNotExist)"), message)
    }
}
