// A `secret param` used in commands that echo it: the value must appear nowhere — not in the
// runner's stdout or stderr, not in the journal, not in `runbook report` (Markdown or JSON) —
// whatever route it takes (command output, captures, messages, findings, conclusions).

import Foundation
import XCTest

final class HardeningSecretTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = try Hardening.makeDirectory("secret")
        try Hardening.write(#"""
            runbook "secret routes"
            secret param token "an API token"
            param user = "ops"
            step use "Use the token"
              $ echo "authorising $user with $token"
              $ echo "on stderr: $token" >&2
              echoed = $ printf 'prefix-%s-suffix' "$token"
              copy = echoed.stdout
              print "the command said {echoed.stdout}"
              print "the token is {token}"
            step check "A finding that quotes it"
              result = allow-fail $ echo "rejected $token"; exit 3
              expect result.exit == 0 else "the server rejected {token}"
              conclude "read back {copy}"

            """#, "secret.runbook", in: directory)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs the runbook with `secret`, reports the journal, and fails for every place that
    /// holds any of `forbidden`.
    private func runAndSearch(secret: String, forbidden: [String], label: String) throws {
        let journal = directory + "/\(label).jsonl"
        let run = try Hardening.run(["run", "secret.runbook", "token=" + secret, "--journal", journal], in: directory)
        Hardening.assertClean(run, allowed: [0, 1], "\(label): the run")
        let markdown = try Hardening.run(["report", journal], in: directory)
        let json = try Hardening.run(["report", "--format", "json", journal], in: directory)
        Hardening.assertClean(markdown, allowed: [0], "\(label): the Markdown report")
        Hardening.assertClean(json, allowed: [0], "\(label): the JSON report")
        XCTAssertTrue(run.out.contains("********"), "\(label): the secret should show masked: \(run.out)")

        let places: [(String, Data)] = [
            ("the runner's stdout", run.stdout), ("the runner's stderr", run.stderr),
            ("the journal", Hardening.read(journal) ?? Data()),
            ("the Markdown report", markdown.stdout), ("the JSON report", json.stdout),
        ]
        for (place, data) in places {
            let text = String(decoding: data, as: UTF8.self)
            for piece in forbidden {
                XCTAssertFalse(text.contains(piece), "\(label): \(place) holds '\(piece)':\n\(text.prefix(4000))")
                // Also as JSON would escape it (a quote or backslash in the secret).
                let escaped = piece.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                if escaped != piece {
                    XCTAssertFalse(text.contains(escaped), "\(label): \(place) holds '\(piece)' JSON-escaped")
                }
            }
        }
    }

    func testPlainSecretAppearsNowhere() throws {
        let secret = "tok-\(UUID().uuidString.prefix(12))"
        try runAndSearch(secret: secret, forbidden: [secret], label: "plain")
    }

    /// Quotes, a backslash, spaces and shell characters: redaction must happen before JSON
    /// escaping, and the shell must not mangle it.
    func testSecretWithQuotesAndBackslashesAppearsNowhere() throws {
        let unique = UUID().uuidString.prefix(8)
        let secret = "p\"a's\\s w$(x)`y`-\(unique)"
        try runAndSearch(secret: secret, forbidden: [secret], label: "quoted")
    }

    /// A multi-line secret (a key, a kubeconfig): the live view shows output line by line, so
    /// each line of the secret must be masked on its own too.
    func testMultiLineSecretAppearsNowhereNotEvenLineByLine() throws {
        let unique = UUID().uuidString.prefix(8)
        let first = "-----first-line-\(unique)", second = "second-line-\(unique)-----"
        try runAndSearch(secret: first + "\n" + second, forbidden: [first, second], label: "multi-line")
    }
}
