import XCTest
@testable import RunbookKit

final class FormatFileTests: XCTestCase {
    func testAtomicWriteReplacesContentAndKeepsPermissions() throws {
        let dir = NSTemporaryDirectory() + "fmt-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/a.runbook"
        try "old\n".write(toFile: path, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: path)
        try FormatFile.writeAtomically("new\n", to: path)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "new\n")
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
        XCTAssertEqual(mode?.intValue, 0o640)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["a.runbook"], "a temporary file was left")
    }

    func testChangedLines() {
        XCTAssertEqual(FormatFile.changedLines("a\nb\nc\n", "a\nb\nc\n"), 0)
        XCTAssertEqual(FormatFile.changedLines("a\nb\nc\n", "a\nB\nc\n"), 1)
        XCTAssertEqual(FormatFile.changedLines("a\nc\n", "a\nb\nc\n"), 1)
    }

    func testExpandFindsRunbooksInDirectories() {
        let found = FormatFile.expand([ScenarioFixtures.directory + "/fmt", "x.runbook"])
        XCTAssertEqual(found.map { ($0 as NSString).lastPathComponent }, ["messy.formatted.runbook", "messy.runbook", "x.runbook"])
    }
}
