import XCTest
@testable import RunbookKit

final class GraphTests: XCTestCase {
    private func graph(_ relative: String, findings: Bool = false) throws -> FlowGraph {
        let path = ScenarioFixtures.path(relative)
        let file = SourceFile(path: path, text: try String(contentsOfFile: path, encoding: .utf8))
        let runbook = try XCTUnwrap(Parser.parse(file).runbook)
        return RunbookGraph.graph(of: runbook, includeFindings: findings)
    }

    /// The edges of graph/flow.runbook, read off the runbook by hand.
    func testEdgesOfAFixtureAreExactlyWhatTheRunbookSays() throws {
        let flow = try graph("graph/flow.runbook")
        XCTAssertEqual(flow.edges.map(\.description), [
            "start -> s0",
            #"s0 -> s1 [mode == "a"]"#,               // if … goto second
            #"s0 -> s2 [mode == "b" / left]"#,        // else if … ask: left → goto third
            #"s0 -> c0 [mode == "b" / right]"#,       // … right → conclude
            #"s0 -> f0 [not (mode != "z")]"#,         // require
            "s0 -> s1",                               // falls through to the next step
            "s1 -> r0 (call)",                        // run ../poll.runbook
            #"s1 -> f1 [result.status == "failed"]"#, // if … fail
            "s1 -> s2",
            "s2 -> f2 [not true after 2 tries]",      // retry without else fails
            "s2 -> done",                             // the last step completes the run
        ])
        XCTAssertEqual(flow.nodes.map { "\($0.id) \($0.kind.rawValue): \($0.label)" }, [
            "start start: start",
            "s0 step: check\nWhich way? <a|b> {x} [y] #z & `w`",
            "s1 step: second\nSecond",
            "s2 step: third\nThird",
            #"c0 conclusion: went "right" | {mode}"#,
            "f0 failure: mode z is not allowed",
            "r0 call: run ../poll.runbook",
            "f1 failure: poll failed",
            "f2 failure: true did not hold",
            "done end: completed",
        ])
    }

    func testFindingsAreDrawnOnRequest() throws {
        let flow = try graph("graph/flow.runbook", findings: true)
        XCTAssertTrue(flow.edges.map(\.description).contains(#"s1 -> x0 [not (result.status == "concluded")] (finding)"#))
        XCTAssertEqual(flow.nodes.first { $0.id == "x0" }?.label, "poll did not conclude")
        XCTAssertFalse(try graph("graph/flow.runbook").nodes.contains { $0.kind == .finding })
    }

    func testMermaidQuotesEveryLabel() throws {
        let text = RunbookGraph.render(try graph("graph/flow.runbook"), format: .mermaid)
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[1], "flowchart TD")
        XCTAssertTrue(lines.contains(#"  s0["check<br/>Which way? #lt;a#124;b#gt; #123;x#125; #91;y#93; #35;z #amp; #96;w#96;"]"#))
        XCTAssertTrue(lines.contains(#"  c0(["went #quot;right#quot; #124; #123;mode#125;"])"#))
        XCTAssertTrue(lines.contains(#"  s0 -->|"mode == #quot;b#quot; / left"| s2"#))
        XCTAssertTrue(lines.contains("  s1 -.-> r0"))
        XCTAssertTrue(lines.contains("  r0[[\"run ../poll.runbook\"]]"))
        XCTAssertTrue(lines.contains("  f0{{\"mode z is not allowed\"}}"))
        XCTAssertTrue(lines.contains("  class f0,f1,f2 failure"))
        // Outside the %% comment line, no raw quote, pipe or angle bracket is left inside a label.
        for line in lines.dropFirst(2) where line.contains("\"") {
            let inner = line.split(separator: "\"", omittingEmptySubsequences: false).enumerated()
                .filter { $0.offset % 2 == 1 }.map(\.element).joined()
            let withoutBreaks = inner.replacingOccurrences(of: "<br/>", with: "")
            XCTAssertFalse(withoutBreaks.contains { "<>|{}[]`".contains($0) }, line)
        }
    }

    private func edges(_ text: String, findings: Bool = true) throws -> [String] {
        let runbook = try XCTUnwrap(Parser.parse(SourceFile(path: "/tmp/g.runbook", text: text)).runbook)
        return RunbookGraph.graph(of: runbook, includeFindings: findings).edges.compactMap(\.label)
    }

    /// A check fails when its condition does not hold: the label says so with the right
    /// precedence, and without a double `not`.
    func testNegatedConditionsKeepTheirMeaning() throws {
        XCTAssertEqual(try edges("""
            runbook "t"
            step s "S"
              r = $ true
              require r.ok or r.exit == 3 else "a"
              require not r.ok else "b"
              expect not (r.ok and r.exit == 0) else "c"
              expect r.ok and not r.timed_out else "d"
              require -r.exit < 1 else "e"
              retry 2 until r.ok or r.unreachable
                r = $ true
            """), [
            "not (r.ok or r.exit == 3)",
            "r.ok",
            "r.ok and r.exit == 0",
            "not (r.ok and not r.timed_out)",
            "not (-r.exit < 1)",
            "not (r.ok or r.unreachable) after 2 tries",
        ])
    }

    func testLongLabelsAreWrappedOnWordsInBothFormats() throws {
        let runbook = try XCTUnwrap(Parser.parse(SourceFile(path: "/tmp/g.runbook", text: """
            runbook "t"
            step s "A title that is long enough to need more than one line in a drawing"
              require count(lines(output)) > 0 and first(lines(output)) != "nothing" else "no output at all"
            """)).runbook)
        let graph = RunbookGraph.graph(of: runbook)
        let mermaid = RunbookGraph.render(graph, format: .mermaid)
        XCTAssertTrue(mermaid.contains(#"s0["s<br/>A title that is long enough to need more<br/>than one line in a drawing"]"#), mermaid)
        XCTAssertTrue(mermaid.contains(#"s0 -->|"not (count(lines(output)) #gt; 0 and<br/>first(lines(output)) != #quot;nothing#quot;)"| f0"#), mermaid)
        let dot = RunbookGraph.render(graph, format: .dot)
        XCTAssertTrue(dot.contains(#"[label="s\nA title that is long enough to need more\nthan one line in a drawing""#), dot)
        XCTAssertTrue(dot.contains(#"[label="not (count(lines(output)) > 0 and\nfirst(lines(output)) != \"nothing\")"]"#), dot)
        XCTAssertEqual(RunbookGraph.wrap("short"), "short")
        XCTAssertEqual(RunbookGraph.wrap("a-word-longer-than-ten x y", width: 10), "a-word-longer-than-ten\nx y")
        XCTAssertEqual(RunbookGraph.wrap("one two\nthree four", width: 8), "one two\nthree\nfour")
    }

    func testDotEscapesQuotesAndBackslashes() {
        XCTAssertEqual(GraphDot.quote(#"a "b" \N <c|d> {e}"#), #""a \"b\" \\N <c|d> {e}""#)
        XCTAssertEqual(GraphDot.quote("two\nlines"), #""two\nlines""#)
    }

    /// Every runbook in the repository, drawn as DOT, is accepted by Graphviz.
    func testGraphvizRendersTheDotOfEveryRunbook() throws {
        guard let dot = GraphTests.findDot() else {
            return XCTFail("Graphviz `dot` is not installed: install it (Debian/Ubuntu: apt-get install graphviz) to run this test")
        }
        let work = NSTemporaryDirectory() + "graph-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        var rendered = 0
        for path in ScenarioFixtures.runbooks(under: ["runbooks", "Tests"]) {
            guard case .success(let file) = RunbookLoader.readSource(path: path) else { continue }
            let text: String
            do {
                text = try RunbookGraph.render(file: file, format: .dot, includeFindings: true)
            } catch is DiagnosticList {
                continue   // a runbook with errors on purpose
            }
            let input = work + "/g.dot", output = work + "/g.svg"
            try text.write(toFile: input, atomically: true, encoding: .utf8)
            let (status, stderr) = try GraphTests.run(dot, ["-Tsvg", "-o", output, input])
            XCTAssertEqual(status, 0, "\(path): dot failed: \(stderr)")
            let svg = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            XCTAssertTrue(svg.contains("<svg"), "\(path): no SVG produced")
            rendered += 1
        }
        XCTAssertGreaterThanOrEqual(rendered, 6, "too few runbooks found under runbooks/ and Tests/")
    }

    static func findDot() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return (path.split(separator: ":").map { "\($0)/dot" } + ["/usr/bin/dot", "/usr/local/bin/dot"])
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, stderr)
    }
}
