import Foundation
import XCTest
@testable import RunbookKit

/// The journal records a runbook's content hash with a hand-written SHA-256, so it is held to
/// the published test vectors and to the system's `sha256sum` around the padding boundaries.
final class SHA256Tests: XCTestCase {
    private func hex(_ text: String) -> String { SHA256.hex(Array(text.utf8)) }

    /// FIPS 180-2, appendix B, and NIST's example values for SHA-256.
    func testKnownAnswers() {
        XCTAssertEqual(hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", "448 bits")
        XCTAssertEqual(hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"),
                       "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1", "896 bits")
        XCTAssertEqual(SHA256.hex([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", "one million 'a'")
    }

    /// A message of 55 bytes still fits its length in the last block; 56 needs another block;
    /// 64 fills a block exactly. Each length is checked against `sha256sum` on the same bytes.
    func testLengthsAroundThePaddingBoundariesAgreeWithSha256sum() throws {
        let sha256sum = "/usr/bin/sha256sum"
        guard FileManager.default.isExecutableFile(atPath: sha256sum) else { throw XCTSkip("no \(sha256sum)") }
        for length in [1, 54, 55, 56, 57, 62, 63, 64, 65, 118, 119, 120, 121, 127, 128, 129, 1000] {
            // Every byte value occurs, so a sign or shift mistake cannot hide behind ASCII.
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 151 &+ 7) }
            XCTAssertEqual(SHA256.hex(bytes), try reference(sha256sum, bytes), "\(length) bytes")
        }
    }

    /// The digest `sha256sum` prints for bytes given on its standard input.
    private func reference(_ tool: String, _ bytes: [UInt8]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(bytes))
        try input.fileHandleForWriting.close()
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        return String(decoding: printed, as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
    }
}
