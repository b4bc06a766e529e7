import XCTest
import RunbookKit
@testable import ClusterKit

final class SnapshotCredentialTests: XCTestCase {
    private let scanner = CredentialScanner()

    private func masked(_ text: String) -> (String, [CredentialPattern]) {
        let (out, matches) = scanner.redact(text)
        return (out, matches.map(\.pattern))
    }

    func testEachPatternMasksTheCredentialAndKeepsTheRest() {
        let m = SecretRedactor.mask
        XCTAssertEqual(masked("GET / Authorization: Bearer abc123def456ghi").0, "GET / Authorization: Bearer \(m)")
        XCTAssertEqual(masked("key AKIAIOSFODNN7EXAMPLE used").0, "key \(m) used")
        XCTAssertEqual(masked("dsn=postgres://app:s3cr3t@db:5432/x").0, "dsn=postgres://app:\(m)@db:5432/x")
        XCTAssertEqual(masked("login password=hunter22 ok").0, "login password=\(m) ok")
        XCTAssertEqual(masked(#"{"api_key": "k-123456"}"#).0, #"{"api_key": "\#(m)"}"#)
        XCTAssertEqual(masked("t eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefghij end").0, "t \(m) end")
        let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nabc\n-----END RSA PRIVATE KEY-----"
        XCTAssertEqual(masked("key:\n\(pem)\nafter").0, "key:\n\(m)\nafter")
    }

    func testLinesAreCountedForWhereARedactionWas() {
        let (_, matches) = scanner.redact("one\ntwo\nthree token=abcdef\n")
        XCTAssertEqual(matches.map(\.line), [3])
        XCTAssertEqual(matches.map(\.pattern), [.keyValuePair])
    }

    func testOrdinaryTextIsLeftAlone() {
        for text in ["connecting to postgres at db.shop.svc:5432", "GET /healthz 200", "keyboard layout: us", ""] {
            XCTAssertEqual(masked(text).0, text)
            XCTAssertEqual(masked(text).1, [])
        }
    }

    func testCredentialNamesAreRecognised() {
        for name in ["DB_PASSWORD", "github_token", "AWS_SECRET_ACCESS_KEY", "API_KEY", "BASIC_AUTH"] {
            XCTAssertTrue(CredentialScanner.isCredentialName(name), name)
        }
        for name in ["LOG_LEVEL", "PORT", "HOME"] { XCTAssertFalse(CredentialScanner.isCredentialName(name), name) }
    }
}
