import XCTest
@testable import RunbookKit

/// A `foreach` records where it starts and ends, so that an observer can tell the branches
/// of its body from the others (the terminal sums them up in one line).
final class LanguageLoopBoundTests: XCTestCase {
    private func bounds(_ run: LangRun) -> [LoopBound] {
        run.observer.events.compactMap { if case .branch(let b) = $0 { return b.loop } else { return nil } }
    }

    func testALoopIsBoundedAndItsBranchesRecordedBetween() throws {
        let run = try LangRun.run("""
        runbook "t"
        step a "A"
          foreach n in [1, 2, 3]
            if n == 2
              print "two"
        """)
        XCTAssertEqual(bounds(run), [.start(header: "foreach n in [1, 2, 3]", items: 3),
                                     .end(header: "foreach n in [1, 2, 3]", iterations: 3)])
        let kinds: [String] = run.observer.events.compactMap {
            guard case .branch(let b) = $0 else { return nil }
            switch b.loop {
            case .start?: return "start"
            case .end?: return "end"
            case nil: return b.description
            }
        }
        XCTAssertEqual(kinds, ["start", "if n == 2 → true", "end"])
    }

    func testALoopLeftByAConclusionIsEndedBeforeTheConclusion() throws {
        let run = try LangRun.run("""
        runbook "t"
        step a "A"
          seen = 0
          foreach n in [1, 2, 3]
            seen = seen + 1
            expect n != 2 else warn "two"
            if n == 2
              conclude "stopped after {seen}"
        """)
        XCTAssertEqual(run.outcome.status, .concluded("stopped after 2", severity: .unstated))
        XCTAssertEqual(bounds(run).last, .end(header: "foreach n in [1, 2, 3]", iterations: 2))
        let endIndex = run.observer.events.lastIndex { if case .branch(let b) = $0 { return b.loop != nil } else { return false } }
        let conclusionIndex = run.observer.events.firstIndex { if case .concluded = $0 { return true } else { return false } }
        XCTAssertLessThan(try XCTUnwrap(endIndex), try XCTUnwrap(conclusionIndex))
    }

    func testNestedAndParallelLoopsAreBoundedToo() throws {
        let run = try LangRun.run("""
        runbook "t"
        step a "A"
          foreach x in ["a", "b"] parallel 2
            foreach y in [1, 2]
              print "{x}{y}"
        """)
        let edges = bounds(run).map { bound -> String in
            if case .start = bound { return "start" } else { return "end" }
        }
        XCTAssertEqual(edges.filter { $0 == "start" }.count, 3)
        XCTAssertEqual(edges.filter { $0 == "end" }.count, 3)
        XCTAssertEqual(bounds(run).last, .end(header: "foreach x in [\"a\", \"b\"]", iterations: 2))
    }
}
