import XCTest
@testable import RunbookKit

final class RunbookListingTests: XCTestCase {
    func testTableOfADirectory() throws {
        let dir = NSTemporaryDirectory() + "list-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/.hidden", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try """
            runbook "Pod keeps restarting"
            description "Why a container keeps dying."
            description "Second line, not listed."
            param pod "the pod"
            param namespace = "default"
            secret param token = "s3cret"
            param limit = 3
            param empty = ""
            step s "S"
              print "x"
            """.write(toFile: dir + "/b.runbook", atomically: true, encoding: .utf8)
        try "runbook \"Tiny\"\nstep s \"S\"\n  print \"x\"\n".write(toFile: dir + "/sub/a.runbook", atomically: true, encoding: .utf8)
        try "runbook \"Broken\"\nstep\n".write(toFile: dir + "/c.runbook", atomically: true, encoding: .utf8)
        try "runbook \"Hidden\"\nstep s \"S\"\n  print \"x\"\n".write(toFile: dir + "/.hidden/h.runbook", atomically: true, encoding: .utf8)
        try "not a runbook".write(toFile: dir + "/notes.txt", atomically: true, encoding: .utf8)

        let entries = RunbookListing.entries(in: dir)
        XCTAssertEqual(entries.map { ($0.path as NSString).lastPathComponent }, ["b.runbook", "c.runbook", "a.runbook"])
        XCTAssertEqual(entries[0].parameters, #"pod (required), namespace=default, token (secret), limit=3, empty="""#)
        XCTAssertEqual(entries[0].description, "Why a container keeps dying.")
        XCTAssertEqual(entries[1].title, "(has errors: run 'runbook check \(dir)/c.runbook')")

        let renamed = entries.map { entry -> RunbookListing.Entry in
            var e = entry
            e.path = String(e.path.dropFirst(dir.count + 1))
            e.title = e.title.replacingOccurrences(of: dir + "/", with: "")
            return e
        }
        XCTAssertEqual(RunbookListing.table(renamed), """
            FILE           TITLE                                        PARAMETERS                                        DESCRIPTION
            b.runbook      Pod keeps restarting                         pod (required), namespace=default, token (secre…  Why a container keeps dying.
            c.runbook      (has errors: run 'runbook check c.runbook')
            sub/a.runbook  Tiny

            """)
        XCTAssertTrue(RunbookListing.table(renamed, maxWidth: nil)
            .contains(#"  pod (required), namespace=default, token (secret), limit=3, empty=""  Why"#), "no cell is cut")
    }
}
