import Foundation
import XCTest
@testable import RunbookKit
#if canImport(Glibc)
import Glibc
#endif

/// The commit in a run's header comes from `.git` files: only a commit id may come out,
/// whatever the files hold, and only from the runbook's own repository.
final class GitInfoTests: XCTestCase {
    private let sha1 = "0123456789abcdef0123456789abcdef01234567"
    private let sha256 = String(repeating: "0123456789abcdef", count: 4)
    private var root = ""

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "gitinfo-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: root + "/repo/.git/refs/heads", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/repo/runbooks", withIntermediateDirectories: true)
        try write("runbook \"r\"\n", "repo/runbooks/r.runbook")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: root)
    }

    private func write(_ text: String, _ name: String) throws {
        try text.write(toFile: root + "/" + name, atomically: false, encoding: .utf8)
    }

    private var commit: String? { GitInfo.headCommit(near: root + "/repo/runbooks/r.runbook") }

    func testBranchFromALooseRef() throws {
        try write("ref: refs/heads/main\n", "repo/.git/HEAD")
        try write(sha1 + "\n", "repo/.git/refs/heads/main")
        XCTAssertEqual(commit, sha1)
    }

    func testBranchFromPackedRefs() throws {
        try write("ref: refs/heads/main\n", "repo/.git/HEAD")
        try write("# pack-refs with: peeled fully-peeled sorted\n\(sha256) refs/heads/main\n^\(sha1)\n", "repo/.git/packed-refs")
        XCTAssertEqual(commit, sha256)
    }

    func testDetachedHead() throws {
        try write(sha1 + "\n", "repo/.git/HEAD")
        XCTAssertEqual(commit, sha1)
    }

    func testRefsOutsideRefsAreNotFollowed() throws {
        try write("TOPSECRET\n", "secret")
        for ref in ["../../secret", "refs/../../../secret", "/etc/passwd", "refs/heads/a b", "refs/heads/x.lock"] {
            try write("ref: \(ref)\n", "repo/.git/HEAD")
            XCTAssertNil(commit, ref)
        }
    }

    func testOnlyCommitIDsComeOut() throws {
        try write("ref: refs/heads/main\n", "repo/.git/HEAD")
        for content in ["TOPSECRET", String(sha1.dropLast()), sha1.uppercased(), sha1 + "0", "ref: refs/heads/main"] {
            try write(content + "\n", "repo/.git/refs/heads/main")
            XCTAssertNil(commit, content)
        }
        try write("not a commit\n", "repo/.git/HEAD")
        XCTAssertNil(commit)
    }

    func testAFIFOIsNotOpenedForReading() throws {
        XCTAssertEqual(mkfifo(root + "/repo/.git/HEAD", 0o600), 0)
        let done = DispatchSemaphore(value: 0)
        let box = Box()
        let path = root + "/repo/runbooks/r.runbook"
        Thread.detachNewThread {
            box.value = GitInfo.headCommit(near: path)
            done.signal()
        }
        XCTAssertEqual(done.wait(timeout: .now() + 10), .success, "reading HEAD blocked")
        XCTAssertNil(box.value)
        // Unblock a reader the test may have left behind.
        let writer = open(root + "/repo/.git/HEAD", O_WRONLY | O_NONBLOCK)
        if writer >= 0 { close(writer) }
    }

    private final class Box: @unchecked Sendable { var value: String? }

    func testAWorktreeFindsItsBranchInTheCommonDirectory() throws {
        try FileManager.default.createDirectory(atPath: root + "/repo/.git/worktrees/w", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/w", withIntermediateDirectories: true)
        try write("gitdir: \(root)/repo/.git/worktrees/w\n", "w/.git")
        try write("../..\n", "repo/.git/worktrees/w/commondir")
        try write("ref: refs/heads/feature\n", "repo/.git/worktrees/w/HEAD")
        try write(sha1 + "\n", "repo/.git/refs/heads/feature")
        try write("runbook \"r\"\n", "w/r.runbook")
        XCTAssertEqual(GitInfo.headCommit(near: root + "/w/r.runbook"), sha1)
    }

    func testARepositoryOfAnotherUserIsNotUsed() throws {
        guard geteuid() == 0, let nobody = getpwnam("nobody") else {
            throw XCTSkip("needs root, to give the repository to another user")
        }
        try write(sha1 + "\n", "repo/.git/HEAD")
        XCTAssertEqual(chown(root + "/repo/.git", nobody.pointee.pw_uid, nobody.pointee.pw_gid), 0)
        XCTAssertNil(commit)
    }

    func testNoRepositoryNoCommit() throws {
        try FileManager.default.removeItem(atPath: root + "/repo/.git")
        XCTAssertNil(commit)
        XCTAssertNil(GitInfo.headCommit(near: root + "/missing.runbook"))
    }
}
