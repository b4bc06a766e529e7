import Foundation
import XCTest
@testable import RunbookKit

/// A line longer than a piece is delivered in pieces, and each piece is masked on its own
/// (the terminal renderer and the journal see pieces). A secret must never be cut in two.
final class LineSplitterSecretTests: XCTestCase {
    /// The pieces of one line, as the splitter delivers them.
    private func pieces(_ line: String, maximum: Int, secrets: SecretRedactor? = nil) -> [String] {
        var splitter = LineSplitter(maximumLineBytes: maximum, secrets: secrets)
        var out: [String] = []
        Array((line + "\n").utf8).withUnsafeBytes { splitter.append($0) { out.append($0) } }
        splitter.finish { out.append($0) }
        return out
    }

    /// Fails when a masked piece still holds some part (three or more bytes) of the secret
    /// at its start or end: the halves of a secret that was cut.
    private func assertNoPart(of secret: String, in masked: [String], file: StaticString = #filePath, line: UInt = #line) {
        let bytes = Array(secret.utf8)
        for piece in masked {
            let p = Array(piece.utf8)
            for n in 3..<bytes.count where p.count >= n {
                XCTAssertNotEqual(Array(p.suffix(n)), Array(bytes.prefix(n)), "a piece ends with the secret's start: \(piece)", file: file, line: line)
                XCTAssertNotEqual(Array(p.prefix(n)), Array(bytes.suffix(n)), "a piece starts with the secret's end: \(piece)", file: file, line: line)
            }
        }
    }

    func testASecretAcrossTheCutGoesWholeToTheNextPiece() {
        let secret = "hunter2-secret"
        let redactor = SecretRedactor(secrets: [secret])
        // The secret starts at byte 10 of a line cut every 16 bytes.
        let line = "0123456789" + secret + "-tail-of-the-line"
        let split = pieces(line, maximum: 16, secrets: redactor)
        XCTAssertEqual(split.joined(), line, "no byte is lost or repeated")
        XCTAssertTrue(split.allSatisfy { $0.utf8.count <= 16 }, "\(split)")
        let masked = split.map(redactor.redact)
        XCTAssertEqual(masked.first, "0123456789")
        XCTAssertTrue(masked.contains { $0.hasPrefix(SecretRedactor.mask) }, "\(masked)")
        assertNoPart(of: secret, in: masked)
    }

    /// The executors make their splitters without secrets: the ones any redactor in the
    /// process was made with (the terminal renderer's, the journal's) count.
    func testTheDefaultSplitterKnowsTheRunsSecrets() {
        let secret = "tok-" + UUID().uuidString
        let redactor = SecretRedactor(secrets: [secret])
        let line = String(repeating: "x", count: LineSplitter.defaultMaximumLineBytes - 10) + secret + String(repeating: "y", count: 100)
        var splitter = LineSplitter()
        var split: [String] = []
        Array((line + "\n").utf8).withUnsafeBytes { splitter.append($0) { split.append($0) } }
        XCTAssertEqual(split.joined(), line)
        XCTAssertEqual(split.count, 2)
        let masked = split.map(redactor.redact)
        XCTAssertFalse(masked.joined().contains("tok-"), "part of the secret shows")
        assertNoPart(of: secret, in: masked)
    }

    func testMegabytesOfOutputWithSecretsEverywhere() {
        let secrets = ["alpha-SECRET-1", "β-secret-ünïcode", "k3y"]
        let redactor = SecretRedactor(secrets: secrets)
        var line = ""
        var filler = 0
        while line.utf8.count < 1_000_000 {
            filler = (filler * 7 + 13) % 97
            line += String(repeating: "-", count: filler) + secrets[filler % secrets.count]
        }
        let split = pieces(line, maximum: 4096, secrets: redactor)
        XCTAssertEqual(split.joined(), line)
        XCTAssertTrue(split.allSatisfy { $0.utf8.count <= 4096 })
        let masked = split.map(redactor.redact)
        for secret in secrets { assertNoPart(of: secret, in: masked) }
        XCTAssertFalse(masked.contains { $0.contains("SECRET") || $0.contains("ünïcode") })
    }

    func testOverlappingSecretsAndASecretLongerThanAPiece() {
        let redactor = SecretRedactor(secrets: ["abcdef", "defghi"])
        let split = pieces("0123456abcdefghi-rest", maximum: 10, secrets: redactor)
        XCTAssertEqual(split.first, "0123456", "cut before the chain of overlapping secrets")
        XCTAssertEqual(split.map(redactor.redact).joined(), "0123456********-rest")
        // Longer than a piece: no cut avoids it, and the line is still delivered whole.
        let long = String(repeating: "s", count: 40)
        let longSplit = pieces("ab" + long + "cd", maximum: 16, secrets: SecretRedactor(secrets: [long]))
        XCTAssertEqual(longSplit.joined(), "ab" + long + "cd")
        XCTAssertTrue(longSplit.allSatisfy { $0.utf8.count <= 16 })
    }
}
