import XCTest
@testable import RunbookKit

/// The kept part of a stream is stored in chunks; it must read back byte for byte, across
/// chunk boundaries, and a cut must drop a character it splits even when the split
/// character straddles two chunks.
final class BoundedCaptureTests: XCTestCase {
    private func feed(_ capture: inout BoundedCapture, _ bytes: [UInt8], in pieces: Int) {
        var at = 0
        while at < bytes.count {
            let n = min(pieces, bytes.count - at)
            bytes[at..<(at + n)].withUnsafeBytes { capture.append($0) }
            at += n
        }
    }

    func testOutputOverSeveralChunksReadsBackWhole() {
        let line = Array("kube-system   kube-proxy-22wxt   1/1   Running   0   120d   é\n".utf8)
        var bytes: [UInt8] = []
        while bytes.count < 3 * BoundedCapture.chunkSize + 12_345 { bytes += line }
        var capture = BoundedCapture(limit: 256 << 20)
        feed(&capture, bytes, in: 65_536 + 7)
        XCTAssertEqual(capture.totalBytes, bytes.count)
        XCTAssertEqual(capture.keptBytes, bytes.count)
        XCTAssertEqual(capture.finish().string, String(decoding: bytes, as: UTF8.self))
    }

    func testACutDropsTheCharacterItSplitsAcrossAChunkBoundary() {
        // "€" is three bytes; the chunk boundary falls after its first, the limit after its second.
        var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: BoundedCapture.chunkSize - 1)
        bytes += Array("€b".utf8)
        var capture = BoundedCapture(limit: BoundedCapture.chunkSize + 1)
        feed(&capture, bytes, in: 4096)
        XCTAssertEqual(capture.totalBytes, bytes.count)
        XCTAssertEqual(capture.finish().string, String(repeating: "a", count: BoundedCapture.chunkSize - 1))
    }

    func testNothingKeptReadsAsEmptyAndInvalidBytesAsReplacement() {
        var none = BoundedCapture(limit: 0)
        feed(&none, Array("abc".utf8), in: 2)
        XCTAssertEqual(none.finish().string, "")
        XCTAssertEqual(none.totalBytes, 3)
        var invalid = BoundedCapture(limit: 100)
        feed(&invalid, [0x61, 0xFF, 0x62], in: 1)
        XCTAssertEqual(invalid.finish().string, "a\u{FFFD}b")
    }
}
