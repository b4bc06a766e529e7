import Foundation
import XCTest
@testable import RunbookKit

/// A capture spilled to its temporary file reads as data exactly as the same capture held in
/// memory: the same runbook, run by real `sh` children with a 1 MiB and a 64 MiB memory bound,
/// must print the same answers, and only the first run may have a spill file mapped.
final class SpilledOutputDataTests: XCTestCase {
    private var directory = ""

    override func setUp() {
        directory = HostTest.makeTemporaryDirectory()
    }

    override func tearDown() {
        HostTest.removeDirectory(directory)
    }

    /// 40,000 pods as kubectl pads them (3.4 MB), every 1,000th CrashLoopBackOff, and a JSON
    /// list of 20,000 items (1.3 MB); `PPID` is this test process, which holds the mappings.
    private let runbook = #"""
    runbook "spilled output as data"
    param dir

    step read "Read"
      pods = $ awk 'BEGIN { printf "%-12s%-28s%-8s%-19s%-15s%s\n", "NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"; for (i = 1; i <= 40000; i++) { s = (i % 1000 == 0) ? "CrashLoopBackOff" : "Running"; printf "%-12s%-28s%-8s%-19s%-15s%s\n", "team-" (i % 7), sprintf("pod-%06d", i), "1/1", s, "0", "3d" } }'
      doc = $ awk 'BEGIN { printf "{\"kind\": \"List\", \"items\": ["; for (i = 1; i <= 20000; i++) printf "%s{\"metadata\": {\"name\": \"cm-%05d\", \"labels\": {\"tier\": \"é\"}}}", (i > 1 ? ", " : ""), i; print "]}" }'
      mapped = $ grep -c 'runbook-output-.*(deleted)' /proc/$PPID/maps || true
      left = $ ls -A "$dir"
      rows = table(pods)
      failing = 0
      foreach p in rows
        if p.STATUS != "Running"
          failing = failing + 1
      print "rows={count(rows)} last={rows[-1].NAME} first={rows[0]["STATUS"]} failing={failing}"
      print "column={count(column(pods, "STATUS"))} grep={count(grep(pods, "CrashLoop"))} lines={count(lines(pods))} count={count(pods)}"
      print "lastline={lines(pods)[-1]} second={pods[1]}"
      print "contains={pods contains "pod-039999"} absent={pods contains "pod-040001"} matches={pods matches "pod-0399[0-9]9 "}"
      print "bytes={pods.bytes} cut={pods.cut} items={count(json(doc, "items"))} name={json(doc, "items[-1].metadata.name")} tier={json(doc, "items[0].metadata.labels.tier")}"
      print "mapped={mapped} left=[{left}]"
    """#

    private func run(memoryBound: Int) throws -> [String] {
        let (checked, diagnostics) = Lang.check(runbook, path: directory + "/spill.runbook")
        let runnable = try XCTUnwrap(checked, "\(diagnostics.map(\.description))")
        var options = RunOptions()
        options.parameters = ["dir": directory]
        options.captureMemoryLimit = memoryBound
        options.spillDirectory = directory
        let observer = LangObserver()
        let session = try RunSession(.init(
            checked: runnable, options: options, mode: .scenario,
            identity: RunIdentity(user: "test", host: "test", pid: 0, toolVersion: "test"),
            executor: LocalExecutor(cancellation: Cancellation()), operatorIO: LangOperator(),
            cancellation: Cancellation(), observers: [observer]))
        session.start()
        let outcome = session.runAll().targets[0].outcome
        XCTAssertEqual(outcome.status, .completed, "\(outcome.status)")
        return observer.messages.filter { !$0.hasPrefix("not in the command's environment") }
    }

    func testASpilledCaptureReadsAsDataLikeOneInMemory() throws {
        let spilled = try run(memoryBound: 1 << 20)
        let inMemory = try run(memoryBound: 64 << 20)
        XCTAssertEqual(spilled.count, 6, "\(spilled)")
        XCTAssertEqual(spilled.dropLast(), inMemory.dropLast())
        XCTAssertEqual(spilled.first, "rows=40000 last=pod-040000 first=Running failing=40")
        XCTAssertEqual(spilled[1], "column=40000 grep=40 lines=40001 count=40001")
        XCTAssertTrue(spilled[2].hasPrefix("lastline=team-2      pod-040000                  1/1     CrashLoopBackOff"), spilled[2])
        XCTAssertTrue(spilled[2].hasSuffix("second=team-1      pod-000001                  1/1     Running            0              3d"), spilled[2])
        XCTAssertEqual(spilled[3], "contains=true absent=false matches=true")
        XCTAssertEqual(spilled[4], "bytes=3400086 cut=false items=20000 name=cm-20000 tier=é")
        // Both captures spilled: two mappings of deleted files, and no name left behind.
        XCTAssertEqual(spilled.last, "mapped=2 left=[]")
        XCTAssertEqual(inMemory.last, "mapped=0 left=[]")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), [])
    }
}
