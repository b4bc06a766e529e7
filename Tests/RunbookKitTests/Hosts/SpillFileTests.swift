import Foundation
import XCTest
@testable import RunbookKit

/// Output past the memory bound moves to a nameless temporary file: it must read back byte
/// for byte, the file must never have a name another user could open (and be 0600 while it
/// exists), and a directory that cannot take the file must keep the output whole in memory.
final class SpillFileTests: XCTestCase {
    private var directory = ""

    override func setUp() {
        directory = HostTest.makeTemporaryDirectory()
    }

    override func tearDown() {
        HostTest.removeDirectory(directory)
    }

    private func feed(_ capture: inout BoundedCapture, _ bytes: [UInt8], in pieces: Int = 65_536) {
        var at = 0
        while at < bytes.count {
            let n = min(pieces, bytes.count - at)
            bytes[at..<(at + n)].withUnsafeBytes { capture.append($0) }
            at += n
        }
    }

    private func listing(bytes: Int) -> [UInt8] {
        var out = Array("NAMESPACE   NAME      STATUS\n".utf8)
        var i = 0
        while out.count < bytes {
            out += Array("team-\(i % 7)      pod-\(i)   Running é\n".utf8)
            i += 1
        }
        return out
    }

    private var entries: [String] { (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? ["?"] }

    func testOutputPastTheMemoryBoundIsSpilledAndReadsBackWhole() {
        let bytes = listing(bytes: 3 * (1 << 20) + 12_345)
        var capture = BoundedCapture(limit: 256 << 20, spill: SpillPolicy(memoryLimit: 1 << 20, directory: directory))
        feed(&capture, bytes, in: 65_536 + 7)
        let text = capture.finish()
        XCTAssertTrue(text.isSpilled)
        XCTAssertNil(capture.spillFailure)
        XCTAssertEqual(text.byteCount, bytes.count)
        XCTAssertEqual(text.string, String(decoding: bytes, as: UTF8.self))
        XCTAssertTrue(text.withBytes { $0.elementsEqual(bytes) })
        XCTAssertEqual(entries, [], "the file has no name in the directory")
    }

    func testOutputWithinTheBoundStaysInMemory() {
        var capture = BoundedCapture(limit: 256 << 20, spill: SpillPolicy(memoryLimit: 2 << 20, directory: directory))
        feed(&capture, listing(bytes: 2 << 20 - 100))
        XCTAssertFalse(capture.finish().isSpilled)
    }

    func testTheFileIsNamelessAndTheOwnersAloneWhileItIsWritten() throws {
        var capture = BoundedCapture(limit: 256 << 20, spill: SpillPolicy(memoryLimit: 4096, directory: directory))
        feed(&capture, listing(bytes: 10_000))
        XCTAssertEqual(entries, [], "unlinked before the first byte was written")
        // The descriptor is this process's: /proc shows it as the deleted file it is.
        let fds = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")
        let spill = fds.compactMap { fd -> (String, String)? in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + fd),
                  target.hasPrefix(directory + "/runbook-output-"), target.hasSuffix(" (deleted)") else { return nil }
            return (fd, target)
        }
        XCTAssertEqual(spill.count, 1, "one spill file open: \(spill)")
        var info = stat()
        XCTAssertEqual(stat("/proc/self/fd/" + (spill.first?.0 ?? "-"), &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o600)
        XCTAssertEqual(Int(info.st_size), listing(bytes: 10_000).count, "every byte went to the file")
        let text = capture.finish()
        XCTAssertTrue(text.isSpilled)
        XCTAssertEqual(text.byteCount, listing(bytes: 10_000).count)
    }

    func testACutSpilledOutputDropsTheCharacterItSplits() {
        // "€" is three bytes; the limit falls after its first.
        var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 8191)
        bytes += Array("€b".utf8)
        var capture = BoundedCapture(limit: 8192, spill: SpillPolicy(memoryLimit: 1000, directory: directory))
        feed(&capture, bytes, in: 100)
        let text = capture.finish()
        XCTAssertTrue(text.isSpilled)
        XCTAssertEqual(capture.totalBytes, bytes.count)
        XCTAssertEqual(text.byteCount, 8191)
        XCTAssertEqual(text.string, String(repeating: "a", count: 8191))
    }

    func testADirectoryThatCannotTakeTheFileKeepsTheOutputWholeInMemory() {
        let bytes = listing(bytes: 50_000)
        var capture = BoundedCapture(limit: 256 << 20,
                                     spill: SpillPolicy(memoryLimit: 4096, directory: directory + "/missing"))
        feed(&capture, bytes)
        let text = capture.finish()
        XCTAssertFalse(text.isSpilled)
        XCTAssertEqual(text.string, String(decoding: bytes, as: UTF8.self))
        let why = capture.spillFailure?.message ?? ""
        XCTAssertTrue(why.hasPrefix("cannot create a temporary file in \(directory)/missing: No such file or directory"), why)
    }

    func testTheHeadOfASpilledOutputEndsOnAWholeCharacter() {
        var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 9)
        bytes += Array("€".utf8) + [UInt8](repeating: UInt8(ascii: "z"), count: 5000)
        var capture = BoundedCapture(limit: 1 << 20, spill: SpillPolicy(memoryLimit: 100, directory: directory))
        feed(&capture, bytes)
        let text = capture.finish()
        XCTAssertTrue(text.isSpilled)
        XCTAssertEqual(text.head(limit: 10).text, "aaaaaaaaa")
        XCTAssertEqual(text.head(limit: 12).text, "aaaaaaaaa€")
        XCTAssertTrue(text.head(limit: 12).cut)
        XCTAssertFalse(text.head(limit: 1 << 20).cut)
    }

    func testSpilledAndInMemoryTextsCompareByTheirBytes() {
        let bytes = listing(bytes: 20_000)
        var capture = BoundedCapture(limit: 1 << 20, spill: SpillPolicy(memoryLimit: 100, directory: directory))
        feed(&capture, bytes)
        let spilled = capture.finish()
        XCTAssertEqual(spilled, CapturedText(String(decoding: bytes, as: UTF8.self)))
        XCTAssertNotEqual(spilled, CapturedText(String(decoding: bytes.dropLast(), as: UTF8.self) + "x"))
    }
}
