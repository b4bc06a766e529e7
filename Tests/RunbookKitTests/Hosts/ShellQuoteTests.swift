// ShellQuote: words survive a round trip through a real /bin/sh.

import XCTest
@testable import RunbookKit

final class ShellQuoteTests: XCTestCase {
    let executor = LocalExecutor(cancellation: Cancellation())

    func testQuoting() {
        XCTAssertEqual(ShellQuote.quote("kubectl"), "kubectl")
        XCTAssertEqual(ShellQuote.quote("--namespace=kube-system"), "--namespace=kube-system")
        XCTAssertEqual(ShellQuote.quote(""), "''")
        XCTAssertEqual(ShellQuote.quote("it's"), "'it'\\''s'")
        XCTAssertEqual(ShellQuote.quote("a b"), "'a b'")
        XCTAssertEqual(ShellQuote.quote("A=b"), "'A=b'")  // would be an assignment in command position
        XCTAssertEqual(ShellQuote.singleQuoted("x"), "'x'")
        XCTAssertEqual(ShellQuote.join(["echo", "a b", "$c"]), "echo 'a b' '$c'")
    }

    func testEnvironmentNames() {
        XCTAssertTrue(ShellQuote.isValidEnvironmentName("pod"))
        XCTAssertTrue(ShellQuote.isValidEnvironmentName("_A1"))
        XCTAssertFalse(ShellQuote.isValidEnvironmentName(""))
        XCTAssertFalse(ShellQuote.isValidEnvironmentName("1A"))
        XCTAssertFalse(ShellQuote.isValidEnvironmentName("a-b"))
        XCTAssertFalse(ShellQuote.isValidEnvironmentName("a=b"))
        XCTAssertFalse(ShellQuote.isValidEnvironmentName("é"))
    }

    func testQuotedWordsRoundTripThroughSh() {
        let directory = HostTest.makeTemporaryDirectory()
        defer { HostTest.removeDirectory(directory) }
        let marker = directory + "/pwned"
        for value in HostTest.hostileValues(marker: marker) {
            for quoted in [ShellQuote.quote(value), ShellQuote.singleQuoted(value)] {
                let result = executor.run(CommandRequest(script: "printf '%s' \(quoted)"), onLine: { _, _ in })
                XCTAssertEqual(result.stdout, value, "quoted as \(quoted)")
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker))
    }
}
