// LocalExecutor: bounded capture and long lines.

import XCTest
@testable import RunbookKit

final class LocalExecutorCaptureTests: XCTestCase {
    let executor = LocalExecutor(cancellation: Cancellation())

    func testCaptureIsBoundedAndEveryByteCounted() {
        let request = CommandRequest(script: "head -c 50000000 /dev/zero | tr '\\0' a", captureLimit: 1000)
        let result = executor.run(request, onLine: { _, _ in })
        XCTAssertEqual(result.exitCode, 0)
        XCTAssertEqual(result.stdoutBytes, 50_000_000)
        XCTAssertEqual(result.stdout.utf8.count, 1000)
        XCTAssertTrue(result.stdoutTruncated)
        XCTAssertEqual(result.stdout, String(repeating: "a", count: 1000))
    }

    func testVeryLongLineIsDeliveredInBoundedPieces() {
        let lines = LineCollector()
        let request = CommandRequest(script: "head -c 1000000 /dev/zero | tr '\\0' b; echo; echo tail", captureLimit: 10)
        let result = executor.run(request, onLine: lines.callback)
        let delivered = lines.lines(.stdout)
        XCTAssertEqual(result.stdoutBytes, 1_000_006)
        XCTAssertEqual(delivered.last, "tail")
        let pieces = delivered.dropLast()
        XCTAssertEqual(pieces.reduce(0) { $0 + $1.utf8.count }, 1_000_000)
        XCTAssertTrue(pieces.allSatisfy { $0.utf8.count <= LineSplitter.defaultMaximumLineBytes })
        XCTAssertGreaterThanOrEqual(pieces.count, 1_000_000 / LineSplitter.defaultMaximumLineBytes)
    }

    func testCutCaptureDoesNotEndInAHalfCharacter() {
        // "é" is two bytes; a limit of 3 cuts the second one in half.
        let result = executor.run(CommandRequest(script: "printf 'éé'", captureLimit: 3), onLine: { _, _ in })
        XCTAssertEqual(result.stdout, "é")
        XCTAssertEqual(result.stdoutBytes, 4)
    }
}

final class LineSplitterTests: XCTestCase {
    func split(_ chunks: [[UInt8]], maximum: Int = 8) -> [String] {
        var splitter = LineSplitter(maximumLineBytes: maximum)
        var lines: [String] = []
        for chunk in chunks {
            chunk.withUnsafeBytes { splitter.append($0) { lines.append($0) } }
        }
        splitter.finish { lines.append($0) }
        return lines
    }

    func testLinesAcrossChunks() {
        XCTAssertEqual(split([Array("ab\ncd".utf8), Array("e\n\nf".utf8)]), ["ab", "cde", "", "f"])
    }

    func testLongLineIsCutAtCharacterBoundaries() {
        // 5 × "é" = 10 bytes; pieces of at most 8 bytes must not split a character.
        let lines = split([Array("ééééé\n".utf8)])
        XCTAssertEqual(lines, ["éééé", "é"])
    }

    func testCompletePrefixLength() {
        let bytes = Array("aé€😀".utf8)  // 1 + 2 + 3 + 4 bytes
        XCTAssertEqual(UTF8Boundary.completePrefixLength(bytes, count: 10), 10)
        XCTAssertEqual(UTF8Boundary.completePrefixLength(bytes, count: 9), 6)
        XCTAssertEqual(UTF8Boundary.completePrefixLength(bytes, count: 7), 6)
        XCTAssertEqual(UTF8Boundary.completePrefixLength(bytes, count: 5), 3)
        XCTAssertEqual(UTF8Boundary.completePrefixLength(bytes, count: 2), 1)
        XCTAssertEqual(UTF8Boundary.completePrefixLength([0xff, 0xfe], count: 2), 2)
    }
}
