import Foundation
import XCTest
@testable import RunbookKit

/// The one walk over statements and expressions, and what is built on it.
final class LanguageWalkTests: XCTestCase {
    private let source = """
    runbook "Walk"
    step a "A"
      print "1"
      if true
        print "2"
        foreach x in [1, 2]
          print "3 {x}"
      else if false
        retry 2 until y.ok else "4 {y.exit}"
          y = allow-fail $ true
      else
        ask first "Q?"
          yes: print "5"
          no:
            ask second "R?"
              a: print "6"
    step b "B"
      print "7"
    """

    func testEveryStatementInSourceOrder() throws {
        let runbook = try XCTUnwrap(Lang.parsed(source))
        var printed: [String] = []
        var kinds: [String] = []
        runbook.forEachStatement { stmt in
            if case .print(let t) = stmt.kind { printed.append(String(t.raw.prefix(1))) }
            kinds.append(String("\(stmt.kind)".prefix { $0 != "(" }))
        }
        XCTAssertEqual(printed, ["1", "2", "3", "5", "6", "7"])
        XCTAssertEqual(kinds, ["print", "ifElse", "print", "foreach", "print", "retry", "command", "ask", "print", "ask",
                               "print", "print"])
    }

    func testNestedBlocksAndExpressions() throws {
        let runbook = try XCTUnwrap(Lang.parsed(source))
        let ifElse = runbook.steps[0].body[1]
        XCTAssertEqual(ifElse.nestedBlocks.map(\.count), [2, 1, 1], "two branches and the else")
        XCTAssertEqual(ifElse.expressions.count, 2, "the conditions; the blocks are not the statement's own")
        var names: [String] = []
        runbook.forEachStatement { stmt in
            for expr in stmt.expressions {
                expr.forEachNested { if case .name(let n) = $0.kind { names.append(n) } }
            }
        }
        XCTAssertEqual(names, ["x", "y", "y"], "message holes and conditions are reached")
    }

    func testQuestionsOfARunbookAndOfWhatItCalls() throws {
        let directory = NSTemporaryDirectory() + "runbook-walk-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "runbook \"child\"\nstep c \"C\"\n  ask \"Reboot?\"\n    yes: print \"y\"\n    \"not now\": print \"n\"\n"
            .write(toFile: directory + "/child.runbook", atomically: true, encoding: .utf8)
        let main = source.replacingOccurrences(of: "  print \"7\"", with: "  print \"7\"\n  run \"child.runbook\"")
        let (loaded, diagnostics) = Lang.check(main, path: directory + "/main.runbook")
        XCTAssertEqual(diagnostics.map(\.description), [])
        let checked = try XCTUnwrap(loaded)
        XCTAssertEqual(checked.questions(), [Question(id: "first", choices: ["yes", "no"]),
                                             Question(id: "second", choices: ["a"])])
        XCTAssertEqual(checked.questions(includingCallees: true).map(\.id), ["first", "second", "c"])
        XCTAssertEqual(checked.questions(includingCallees: true).last?.choices, ["yes", "not now"])
    }
}
