import Foundation
import XCTest
@testable import RunbookKit

/// The compact rows of `table()` (`TableRows`): offsets into the captured text that read as
/// maps everywhere a map is read, and whole captures of megabytes counted to the last row.
final class LanguageTableRowsTests: XCTestCase {
    /// `kubectl get pods -A` as kubectl pads it (85 bytes a line); every `failEvery`-th pod
    /// is CrashLoopBackOff. Built as bytes: string padding takes a minute for 50 MB in a debug build.
    private func pods(_ count: Int, failEvery: Int) -> String {
        let header = "NAMESPACE   NAME                        READY   STATUS             RESTARTS       AGE\n"
        let running = Array("team-00     api-5d4f8b7c9-0000000000    1/1     Running            0              3d\n".utf8)
        let failing = Array("team-00     api-5d4f8b7c9-0000000000    0/1     CrashLoopBackOff   12 (3m ago)    3d\n".utf8)
        var out = Array(header.utf8)
        out.reserveCapacity(header.utf8.count + count * running.count)
        for i in 1...count {
            let line = out.count
            out.append(contentsOf: i % failEvery == 0 ? failing : running)
            out[line + 5] = UInt8(ascii: "0") + UInt8(i % 60 / 10)
            out[line + 6] = UInt8(ascii: "0") + UInt8(i % 10)
            var n = i
            for k in stride(from: 35, through: 26, by: -1) { out[line + k] = UInt8(ascii: "0") + UInt8(n % 10); n /= 10 }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private func podName(_ i: Int) -> String {
        let digits = String(i)
        return "api-5d4f8b7c9-" + String(repeating: "0", count: 10 - digits.count) + digits
    }

    private func countRows(_ text: String, loop: Bool, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let executor = LangFakeExecutor()
        executor.on("kubectl get pods") { _ in CommandResult(stdout: text, exitCode: 0, stdoutBytes: text.utf8.count) }
        let run = try LangRun.run("""
        runbook "t"
        step a "A"
          pods = $ kubectl get pods -A
          failing = 0
          rows = table(pods)
          \(loop ? "" : "# ")foreach p in rows
          \(loop ? "" : "# ")  if p.STATUS != "Running"
          \(loop ? "" : "# ")    failing = failing + 1
          conclude ok "{count(rows)} rows, {failing} failing, last {rows[-1].NAME} {rows[-1]["RESTARTS"]}"
        """, executor: executor, file: file, line: line)
        guard case .concluded(let message, _) = run.outcome.status else {
            XCTFail("\(run.outcome.status)", file: file, line: line)
            return ""
        }
        return message
    }

    func testACaptureOfOneAndAHalfMegabytesIsCountedToTheLastRow() throws {
        let text = pods(18_000, failEvery: 500)
        XCTAssertGreaterThan(text.utf8.count, 1_500_000)
        XCTAssertEqual(try countRows(text, loop: true), "18000 rows, 36 failing, last \(podName(18_000)) 12 (3m ago)")
    }

    func testACaptureOfFiftyMegabytesIsCountedToTheLastRow() throws {
        let text = pods(600_000, failEvery: 1000)
        XCTAssertGreaterThan(text.utf8.count, 50_000_000)
        // Counted without a loop over every row: 600,000 iterations take minutes in a debug build.
        XCTAssertEqual(try countRows(text, loop: false), "600000 rows, 0 failing, last \(podName(600_000)) 12 (3m ago)")
    }

    /// A compact row is a map to every reader: equality, text, keys, membership, JSON paths,
    /// sorting and the journal's encoding.
    func testACompactRowReadsAsTheMapOfItsCells() throws {
        let text = "NAME    STATUS    RESTARTS\nweb-1   Running   0\nweb-2   Failed    3 (2m ago)\n"
        guard case .list(let rows) = TableParser.parse(text), rows.count == 2 else { return XCTFail("two rows") }
        guard case .row = rows[1] else { return XCTFail("plain ASCII with distinct headers is kept compact: \(rows[1])") }
        let map = Value.map([("NAME", .string("web-2")), ("STATUS", .string("Failed")), ("RESTARTS", .string("3 (2m ago)"))])
        XCTAssertEqual(rows[1], map)
        XCTAssertEqual(map, rows[1])
        XCTAssertNotEqual(rows[0], rows[1])
        XCTAssertEqual(rows[1].typeName, "map")
        XCTAssertEqual(rows[1].text, "NAME=web-2 STATUS=Failed RESTARTS=3 (2m ago)")
        XCTAssertEqual(rows[1].mapKeys, ["NAME", "STATUS", "RESTARTS"])
        XCTAssertEqual(rows[1].entry("RESTARTS"), .string("3 (2m ago)"))
        XCTAssertNil(rows[1].entry("AGE"))
        XCTAssertEqual(try JSONDecoder().decode([String: String].self, from: JSONEncoder().encode(rows[1])),
                       ["NAME": "web-2", "STATUS": "Failed", "RESTARTS": "3 (2m ago)"])
        let run = try LangRun.run("""
        runbook "t"
        step a "A"
          rows = table("NAME    STATUS\\nweb-2   Failed\\nweb-1   Running\\n")
          byName = sort(rows, "NAME")
          same = rows[1] == byName[0]
          conclude ok "{byName[0].NAME} {"STATUS" in rows[0]} {keys(rows[0])} {count(rows[0])} {same} {rows[0] == rows[1]} {rows[0] == null} {rows[0] == 1}"
        """)
        guard case .concluded(let message, _) = run.outcome.status else { return XCTFail("\(run.outcome.status)") }
        XCTAssertEqual(message, "web-1 true NAME, STATUS 2 true false false false")
    }
}
