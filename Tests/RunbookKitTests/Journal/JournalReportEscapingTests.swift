import Foundation
import XCTest
@testable import RunbookKit

/// Every field of the report is escaped for the place it goes: nothing from a run (a host
/// name, a parameter, a conclusion, a path, command output) becomes Markdown or HTML.
final class JournalReportEscapingTests: XCTestCase {
    private func report(_ events: [RunEvent], header: (inout RunHeader) -> Void = { _ in }) throws -> String {
        let fixture = try JournalFixture()
        let writer = try fixture.writer()
        var h = fixture.header(parameters: ["<img src=x onerror=alert(1)>": "v", "empty": ""])
        header(&h)
        writer.handle(.runStarted(h))
        for event in events { writer.handle(event) }
        writer.close()
        return JournalReport.markdown(try JournalReader.read(path: fixture.path()))
    }

    func testHostilePartsStayText() throws {
        let host = "<script>alert(1)</script>"
        let path = StepPath(target: host, step: "check")
        let markdown = try report([
            .stepStarted(StepStart(path: path, title: "Check")),
            .commandEnded(CommandEnd(id: 1, path: path, host: host, script: "printf 'x'",
                                     result: CommandResult(stdout: "\u{1B}]52;c;ZXZpbA==\u{07}copied\n", exitCode: 1))),
            .concluded(Conclusion(path: path, message: "# Not a heading\n- nor a list")),
        ]) { $0.runbookPath = "/tmp/a`b\n# x.runbook" }
        // Raw only inside code spans, where Markdown shows it as text.
        XCTAssertEqual(markdown.components(separatedBy: "<script>").count - 1,
                       markdown.components(separatedBy: "`<script>").count - 1, markdown)
        XCTAssertTrue(markdown.contains("| \\<img src=x onerror=alert(1)\\> |"), markdown)
        XCTAssertTrue(markdown.contains("\\<script\\>"), markdown)
        XCTAssertFalse(markdown.contains("\n# Not a heading"), markdown)
        XCTAssertTrue(markdown.contains("\\# Not a heading - nor a list"), markdown)
        XCTAssertFalse(markdown.contains("\u{1B}"), "escape sequences from output reach the report")
        XCTAssertFalse(markdown.contains("\u{07}"))
        XCTAssertFalse(markdown.contains("\n# x.runbook"), "a path with a newline escaped its code span")
        XCTAssertTrue(markdown.contains("| empty | *empty* |"), markdown)
    }

    func testMultiLineScriptsAreQuotedWhole() throws {
        let script = "echo start\nmv /etc/kubernetes /tmp/gone\necho done"
        let markdown = try report([
            .commandEnded(CommandEnd(id: 1, path: StepPath(step: "fix"), host: nil, script: script,
                                     result: CommandResult(stdout: "", exitCode: 0))),
        ])
        XCTAssertTrue(markdown.contains("(script S1, 3 lines)"), markdown)
        XCTAssertTrue(markdown.contains("## Scripts\n\n### S1\n\n```sh\necho start\nmv /etc/kubernetes /tmp/gone\necho done\n```"), markdown)
    }
}
