import Foundation
import XCTest
@testable import ClusterKit

final class ArchiveTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        var template = Array((NSTemporaryDirectory() + "/archive-test-XXXXXX").utf8CString)
        directory = String(cString: try XCTUnwrap(mkdtemp(&template)))
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func testWhatIsWrittenUnpacksToTheSameFiles() throws {
        let path = directory + "/a.tar.gz"
        let writer = try TarGzWriter(path: path, modificationTime: 1_700_000_000)
        let long = "logs/" + String(repeating: "n", count: 60) + "/" + String(repeating: "p", count: 63) + "/container-with-a-long-name.previous.log"
        let big = [UInt8]((0 ..< 70_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try writer.add("cluster.json", Array("{}\n".utf8))
        try writer.add(long, big)
        try writer.add("objects/empty.json", [])
        try writer.finish()

        let unpacked = try UnpackedArchive(path: path, temporaryRoot: directory)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: unpacked.directory + "/cluster.json")), Data("{}\n".utf8))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: unpacked.directory + "/" + long)), Data(big))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: unpacked.directory + "/objects/empty.json")), Data())
        var info = stat()
        XCTAssertEqual(stat(unpacked.directory, &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o700)
        unpacked.remove()
        XCTAssertFalse(FileManager.default.fileExists(atPath: unpacked.directory))
    }

    func testTheSystemTarReadsOurArchives() throws {
        let path = directory + "/b.tar.gz"
        let writer = try TarGzWriter(path: path, modificationTime: 1_700_000_000)
        try writer.add("objects/pods.core.json", Array("{\"kind\":\"PodList\"}".utf8))
        try writer.finish()
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tar.arguments = ["tar", "-tzf", path]
        let pipe = Pipe()
        tar.standardOutput = pipe
        try tar.run()
        let listing = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        tar.waitUntilExit()
        XCTAssertEqual(tar.terminationStatus, 0)
        XCTAssertEqual(listing, "objects/pods.core.json\n")
    }

    func testAParentDirectoryPathIsRefused() throws {
        let path = try hostile([entry("../escaped.txt", content: "x")])
        assertRefused(path, entry: "../escaped.txt", reason: "'..'")
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/escaped.txt"))
    }

    func testAnAbsolutePathIsRefused() throws {
        assertRefused(try hostile([entry("/tmp/owned.txt", content: "x")]), entry: "/tmp/owned.txt", reason: "absolute")
    }

    func testSymbolicAndHardLinksAreRefused() throws {
        assertRefused(try hostile([entry("objects/link.json", type: "2", link: "/etc/passwd")]),
                      entry: "objects/link.json", reason: "symbolic link")
        assertRefused(try hostile([entry("objects/hard.json", type: "1", link: "/etc/passwd")]),
                      entry: "objects/hard.json", reason: "hard link")
    }

    func testAnArchiveLargerThanTheLimitIsRefused() throws {
        let path = try hostile([entry("big.log", content: String(repeating: "a", count: 100_000))])
        XCTAssertThrowsError(try UnpackedArchive(path: path, temporaryRoot: directory,
                                                 limits: .init(totalBytes: 10_000, entries: 10))) { error in
            XCTAssertEqual(error as? ArchiveError, .tooLarge(path: path, limit: 10_000))
        }
    }

    func testACutArchiveSaysSo() throws {
        let path = try hostile([entry("cluster.json", content: String(repeating: "{}", count: 5000))])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try UnpackedArchive(path: path, temporaryRoot: directory)) { error in
            XCTAssertTrue("\(error)".contains("ends early"), "\(error)")
        }
    }

    func testAFileThatIsNotGzipIsRefused() throws {
        let path = directory + "/plain.tar.gz"
        try Data(String(repeating: "not gzip ", count: 10).utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try UnpackedArchive(path: path, temporaryRoot: directory)) { error in
            XCTAssertEqual(error as? ArchiveError, .notGzip(path: path))
        }
    }

    // MARK: Helpers

    private func assertRefused(_ path: String, entry: String, reason: String, line: UInt = #line) {
        XCTAssertThrowsError(try UnpackedArchive(path: path, temporaryRoot: directory), line: line) { error in
            guard case .unsafeEntry(_, let name, let why)? = error as? ArchiveError else {
                return XCTFail("not refused as unsafe: \(error)", line: line)
            }
            XCTAssertEqual(name, entry, line: line)
            XCTAssertTrue(why.contains(reason), why, line: line)
        }
        // Nothing is left behind: the temporary directory is removed on refusal.
        let left = (try? FileManager.default.contentsOfDirectory(atPath: directory))?.filter { $0.hasPrefix("runbook-snapshot-") }
        XCTAssertEqual(left, [], line: line)
    }

    /// A raw ustar header + content, written by hand so that it can hold what our writer never would.
    private func entry(_ name: String, content: String = "", type: Character = "0", link: String = "") -> [UInt8] {
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ text: [UInt8], _ offset: Int) { for (i, b) in text.enumerated() { block[offset + i] = b } }
        let body = Array(content.utf8)
        put(Array(name.utf8), 0)
        put(TarHeader.octal(0o644, width: 8), 100)
        put(TarHeader.octal(body.count, width: 12), 124)
        block[156] = UInt8(ascii: type.unicodeScalars.first!)
        put(Array(link.utf8), 157)
        put(Array("ustar\0".utf8) + Array("00".utf8), 257)
        for i in 148 ..< 156 { block[i] = 32 }
        put(TarHeader.octal(block.reduce(0) { $0 + Int($1) }, width: 7) + [0], 148)
        let padding = (512 - body.count % 512) % 512
        return block + body + [UInt8](repeating: 0, count: padding)
    }

    private func hostile(_ entries: [[UInt8]]) throws -> String {
        let path = directory + "/hostile-\(UUID().uuidString).tar.gz"
        let gzip = try GzipFileWriter(path: path)
        for e in entries { try gzip.write(e) }
        try gzip.write([UInt8](repeating: 0, count: 1024))
        try gzip.finish()
        return path
    }
}
