import Foundation
import XCTest
@testable import RunbookKit

final class SecretRedactionTests: XCTestCase {
    func testRedactorReplacesEveryOccurrence() {
        let redactor = SecretRedactor(secrets: ["hunter2", "", "s3cr€t"])
        XCTAssertEqual(redactor.redact("pw=hunter2 again hunter2"), "pw=******** again ********")
        XCTAssertEqual(redactor.redact("unicode s3cr€t!"), "unicode ********!")
        XCTAssertEqual(redactor.redact("nothing here"), "nothing here")
        XCTAssertEqual(redactor.redact(""), "")
        XCTAssertFalse(redactor.isEmpty)
        XCTAssertTrue(SecretRedactor(secrets: ["", ""]).isEmpty)
    }

    func testOverlappingSecretsLeaveNoFragment() {
        let redactor = SecretRedactor(secrets: ["abc", "bcd", "abcdef"])
        XCTAssertEqual(redactor.redact("xabcdx"), "x********x")
        XCTAssertEqual(redactor.redact("abcdefg"), "********g")
        XCTAssertEqual(redactor.redact("aabcbcd"), "a********")
    }

    func testJournalRedactsOutputsCommandTextMessagesAndVariables() throws {
        let fixture = try JournalFixture()
        let token = "tok-9f8e7d"
        let writer = try fixture.writer(secrets: [token, "p@ss word"])
        writer.handle(.runStarted(fixture.header(parameters: ["token": token, "pod": "web-1"])))
        writer.handle(.commandStarted(id: 1, stepID: "auth", host: "node-1", script: "curl -H 'Authorization: \(token)' https://api"))
        writer.handle(.commandEnded(id: 1, stepID: "auth", host: "node-1", script: "curl -H 'Authorization: \(token)' https://api",
                                    result: CommandResult(stdout: "echo: \(token)\nline 2 \(token)\n",
                                                          stderr: "auth p@ss word rejected", exitCode: 22, duration: 0.1)))
        writer.handle(.message(stepID: "auth", text: "using \(token)"))
        writer.handle(.note(stepID: nil, text: "password was p@ss word"))
        writer.handle(.variable(name: "token", value: .string(token)))
        writer.handle(.finding(stepID: "auth", message: "rejected \(token)", evidence: "echo: \(token)", host: "node-1"))
        writer.handle(.concluded(stepID: "auth", message: "bad token \(token)"))
        writer.handle(.failed(stepID: nil, message: "p@ss word"))
        writer.close()

        let raw = try String(contentsOfFile: fixture.path(), encoding: .utf8)
        XCTAssertFalse(raw.contains(token), raw)
        XCTAssertFalse(raw.contains("p@ss word"), raw)
        XCTAssertFalse(raw.contains("9f8e7d"), raw)

        let journal = try JournalReader.read(path: fixture.path())
        XCTAssertEqual(journal.header.parameters["token"], "********")
        XCTAssertEqual(journal.header.parameters["pod"], "web-1")
        guard case .commandEnded(let command) = journal.events[1].kind else { return XCTFail() }
        XCTAssertEqual(command.command, "curl -H 'Authorization: ********' https://api")
        XCTAssertEqual(command.stdout, "echo: ********\nline 2 ********\n")
        XCTAssertEqual(command.stderr, "auth ******** rejected")
        XCTAssertEqual(journal.events[2].kind, .message(stepID: "auth", text: "using ********"))
        XCTAssertEqual(journal.events[3].kind, .note(stepID: nil, text: "password was ********"))
        XCTAssertEqual(journal.events[4].kind, .variable(VariableSet(path: nil, name: "token", value: .string("********"), redacted: true)))
        XCTAssertEqual(journal.events[5].kind, .finding(stepID: "auth", message: "rejected ********",
                                                        evidence: "echo: ********", host: "node-1"))
    }

    func testSecretCutByTheOutputLimitDoesNotLeakInPart() throws {
        let fixture = try JournalFixture()
        let secret = "ABCDEFGHIJ"
        let writer = try fixture.writer(secrets: [secret], outputLimit: 16)
        // Unredacted, the first 16 bytes would end with "ABCDEF".
        writer.handle(.runStarted(fixture.header()))
        writer.handle(.commandEnded(id: 1, stepID: "s", host: nil, script: "x",
                                    result: CommandResult(stdout: "0123456789" + secret + "tail", duration: 0)))
        writer.close()
        let raw = try String(contentsOfFile: fixture.path(), encoding: .utf8)
        XCTAssertFalse(raw.contains("ABC"), raw)
    }
}
