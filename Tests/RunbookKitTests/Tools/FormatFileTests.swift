import XCTest
@testable import RunbookKit
#if canImport(Glibc)
import Glibc
#endif

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

    /// A scratch directory, removed after the test.
    private func scratch() throws -> String {
        let dir = NSTemporaryDirectory() + "fmt-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir + "/real", withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    private func status(_ path: String, followingLinks: Bool = true) -> stat {
        var info = stat()
        _ = followingLinks ? stat(path, &info) : lstat(path, &info)
        return info
    }

    func testSymlinkIsFollowedAndStaysALink() throws {
        let dir = try scratch()
        let real = dir + "/real/a.runbook"
        try "old\n".write(toFile: real, atomically: false, encoding: .utf8)
        chmod(real, 0o640)
        // A relative link from another directory, as `ln -s real/a.runbook link.runbook` makes.
        XCTAssertEqual(symlink("real/a.runbook", dir + "/link.runbook"), 0)
        try FormatFile.writeAtomically("new\n", to: dir + "/link.runbook")

        XCTAssertEqual(status(dir + "/link.runbook", followingLinks: false).st_mode & S_IFMT, S_IFLNK, "the link was replaced")
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/link.runbook"), "real/a.runbook")
        XCTAssertEqual(try String(contentsOfFile: real, encoding: .utf8), "new\n", "the target was not formatted")
        XCTAssertEqual(status(real).st_mode & 0o7777, 0o640)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir + "/real"), ["a.runbook"], "a temporary file was left")
    }

    func testHardLinksKeepSharingTheFile() throws {
        let dir = try scratch()
        let a = dir + "/a.runbook", b = dir + "/b.runbook"
        try "old\n".write(toFile: a, atomically: false, encoding: .utf8)
        XCTAssertEqual(link(a, b), 0)
        let inode = status(a).st_ino
        try FormatFile.writeAtomically("new, and longer\n", to: a)
        try FormatFile.writeAtomically("new\n", to: a)
        XCTAssertEqual(status(a).st_ino, inode)
        XCTAssertEqual(status(a).st_nlink, 2)
        XCTAssertEqual(try String(contentsOfFile: b, encoding: .utf8), "new\n", "the other link kept the old text")
    }

    func testOwnerAndModeAreKeptNeverWidened() throws {
        let dir = try scratch()
        let path = dir + "/a.runbook"
        try "old\n".write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, 0o600)
        var owner = (uid: getuid(), gid: getgid())
        if geteuid() == 0, let nobody = getpwnam("nobody") {
            owner = (nobody.pointee.pw_uid, nobody.pointee.pw_gid)
            XCTAssertEqual(chown(path, owner.uid, owner.gid), 0)
        }
        try FormatFile.writeAtomically("new\n", to: path)
        let info = status(path)
        XCTAssertEqual(info.st_uid, owner.uid, "the owner changed")
        XCTAssertEqual(info.st_gid, owner.gid, "the group changed")
        XCTAssertEqual(info.st_mode & 0o7777, 0o600)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "new\n")
    }

    func testAMissingTargetIsAClearError() throws {
        let dir = try scratch()
        XCTAssertEqual(symlink("real/gone.runbook", dir + "/dangling.runbook"), 0)
        XCTAssertThrowsError(try FormatFile.writeAtomically("new\n", to: dir + "/dangling.runbook")) { error in
            XCTAssertTrue(error.localizedDescription.contains("dangling.runbook"), error.localizedDescription)
        }
        XCTAssertEqual(status(dir + "/dangling.runbook", followingLinks: false).st_mode & S_IFMT, S_IFLNK)
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
