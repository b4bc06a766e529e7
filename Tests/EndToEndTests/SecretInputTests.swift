// Secret parameters come in without being readable by other users: from the environment, a
// file or a prompt; one given on the command line still works, with a warning, and is gone
// from the process's visible arguments while the run goes on. The REPL's `set` of a secret
// masks the new value and keeps the line out of the history file.

import Foundation
import XCTest

final class SecretInputTests: XCTestCase {
    private var directory = ""
    private let secret = "s3cret-" + ReplE2E.uniqueDigits()

    override func setUpWithError() throws {
        _ = try ReplE2E.binary()
        directory = try ReplE2E.makeDirectory("secret-input")
        try ReplE2E.write("""
            runbook "uses a token"
            secret param token "an API token"
            param dir
            step call "Call"
              $ touch "$dir/started"; [ -e "$dir/go" ] || sleep 20; echo "token=$token" > "$dir/seen"
              print "used {token}"

            """, to: directory + "/token.runbook")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private var runbook: String { directory + "/token.runbook" }
    private var seen: String? { ReplE2E.read(directory + "/seen") }

    func testOnTheCommandLineItWarnsAndLeavesNoTraceInTheProcessArguments() throws {
        let child = try ReplChild(["run", runbook, "dir=" + directory, "token=" + secret, "--no-journal"], directory: directory)
        XCTAssertTrue(ReplE2E.eventually(20) { FileManager.default.fileExists(atPath: self.directory + "/started") })
        let cmdline = try String(contentsOfFile: "/proc/\(child.pid)/cmdline", encoding: .utf8)
        try ReplE2E.write("", to: directory + "/go")
        child.wait(timeout: 30)
        XCTAssertFalse(cmdline.contains(secret), "ps shows the secret: \(cmdline)")
        XCTAssertTrue(cmdline.contains("token=*"), cmdline)
        XCTAssertTrue(child.stderr.contains("warning: the secret parameter 'token' was given on the command line"), child.stderr)
        XCTAssertEqual(seen, "token=\(secret)\n", "the command still gets the real value")
        XCTAssertFalse(child.stdout.contains(secret), child.stdout)
    }

    func testFromTheEnvironmentAndFromAFile() throws {
        try ReplE2E.write("", to: directory + "/go")
        let byEnvironment = try ReplChild.run(["run", runbook, "dir=" + directory, "--no-journal"], directory: directory,
                                              environment: ReplE2E.environment(["RUNBOOK_SECRET_TOKEN": secret]))
        XCTAssertEqual(byEnvironment.status, 0, byEnvironment.stderr)
        XCTAssertEqual(seen, "token=\(secret)\n")
        XCTAssertTrue(byEnvironment.stdout.contains("used ********"), byEnvironment.stdout)
        XCTAssertFalse(byEnvironment.stderr.contains("warning"), byEnvironment.stderr)

        try ReplE2E.write(secret + "-file\n", to: directory + "/token.txt")
        let byFile = try ReplChild.run(["run", runbook, "dir=" + directory, "--secret-file", "token=" + directory + "/token.txt",
                                        "--no-journal"], directory: directory)
        XCTAssertEqual(byFile.status, 0, byFile.stderr)
        XCTAssertEqual(seen, "token=\(secret)-file\n", "the file's last newline is not part of the secret")
        XCTAssertFalse(byFile.stdout.contains(secret), byFile.stdout)
    }

    func testTooShortASecretIsRefused() throws {
        let run = try ReplChild.run(["run", runbook, "dir=" + directory, "--no-journal"], directory: directory,
                                    environment: ReplE2E.environment(["RUNBOOK_SECRET_TOKEN": "ab"]))
        XCTAssertEqual(run.status, 2)
        XCTAssertTrue(run.stderr.contains("the secret parameter 'token' is shorter than 4 characters"), run.stderr)
    }

    func testReplSetOfASecretIsMaskedAndKeptOutOfHistory() throws {
        let journal = directory + "/j.jsonl"
        let history = directory + "/history"
        let newSecret = "n3w-" + secret
        let repl = try ReplChild.run(["repl", runbook, "dir=" + directory, "--journal", journal, "--history", history],
                                     directory: directory, stdin: "set token = \"\(newSecret)\"\n$ echo \"now $token\"\nquit\n",
                                     environment: ReplE2E.environment(["RUNBOOK_SECRET_TOKEN": secret]))
        XCTAssertEqual(repl.status, 0, repl.stdout + repl.stderr)
        XCTAssertTrue(repl.stdout.contains("now ********"), repl.stdout)
        for (what, text) in [("stdout", repl.stdout), ("journal", ReplJournalFile(journal).text),
                             ("history", ReplE2E.read(history) ?? "")] {
            XCTAssertFalse(text.contains(newSecret), "the new secret shows in the \(what):\n\(text)")
            XCTAssertFalse(text.contains(secret), "the secret shows in the \(what):\n\(text)")
        }
    }
}
