import Foundation
import XCTest
@testable import RunbookKit

/// Shared pieces for the journal tests: a scratch directory, a sample header and a clock that
/// advances one second per reading.
final class JournalFixture {
    let directory: String
    private var tick = 0
    let start = Date(timeIntervalSince1970: 1_714_533_309.042)   // 2024-05-01T03:15:09.042Z

    init() throws {
        directory = NSTemporaryDirectory() + "journal-tests-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func path(_ name: String = "run.jsonl") -> String { directory + "/" + name }

    /// Each call returns the next second after `start`.
    func clock() -> Date {
        tick += 1
        return start.addingTimeInterval(Double(tick))
    }

    func header(parameters: [String: String] = ["pod": "web-1", "namespace": "default"]) -> RunHeader {
        RunHeader(runbookPath: "runbooks/crashloop.runbook", runbookTitle: "Pod keeps restarting",
                  contentHash: "sha256:0123456789abcdef0123456789abcdef", gitCommit: "abc1234",
                  parameters: parameters, user: "oncall", host: "bastion-1", startTime: start,
                  toolVersion: "0.1.0", mode: .run)
    }

    func writer(_ name: String = "run.jsonl", secrets: [String] = [], outputLimit: Int = JournalWriter.defaultOutputLimit) throws -> JournalWriter {
        try JournalWriter(path: path(name), secrets: secrets, outputLimit: outputLimit, clock: { self.clock() })
    }

    /// A short run: one step that finds something, a second that concludes.
    func sampleEvents() -> [RunEvent] {
        [
            .runStarted(header()),
            .stepStarted(stepID: "status", title: "Is the pod crash-looping?", host: nil),
            .commandStarted(id: 1, stepID: "status", host: nil, script: "kubectl get pod \"$pod\""),
            .commandOutput(id: 1, host: nil, stream: .stdout, line: "CrashLoopBackOff"),
            .commandEnded(id: 1, stepID: "status", host: nil, script: "kubectl get pod \"$pod\"",
                          result: CommandResult(stdout: "CrashLoopBackOff\n", exitCode: 0, duration: 0.25)),
            .variable(stepID: "status", name: "reason", value: .string("CrashLoopBackOff")),
            .finding(stepID: "status", message: "web-1 is crash-looping", evidence: "CrashLoopBackOff\n", host: nil),
            .branch(stepID: "status", description: "reason == CrashLoopBackOff: continue"),
            .stepEnded(stepID: "status", outcome: .finding, duration: 0.3, next: "logs"),
            .stepStarted(stepID: "logs", title: "What did the container print?", host: "node-7"),
            .commandEnded(id: 2, stepID: "logs", host: "node-7", script: "kubectl logs \"$pod\" --previous",
                          result: CommandResult(stdout: "", stderr: "Error: config file /etc/app.yaml not found\n",
                                                exitCode: 1, duration: 1.5)),
            .answer(stepID: "logs", question: "Does the log show the application's own error?",
                    questionID: "app-error", choice: "yes"),
            .message(stepID: "logs", text: "Checked the previous container"),
            .note(stepID: "logs", text: "Deploy 42 changed the config map"),
            .mark(stepID: "logs", outcome: "ok", remark: "confirmed by hand"),
            .concluded(stepID: "logs", message: "The application fails at start: fix its configuration."),
            .stepEnded(stepID: "logs", outcome: .ok, duration: 2.0),
            .runEnded(status: .concluded, exitCode: 0, duration: 3.5),
        ]
    }

    /// The file's lines as JSON objects (failing the test on any invalid line).
    func objects(_ name: String = "run.jsonl", file: StaticString = #filePath, line: UInt = #line) throws -> [[String: Any]] {
        let text = try String(contentsOfFile: path(name), encoding: .utf8)
        XCTAssertTrue(text.hasSuffix("\n"), "journal must end with a newline", file: file, line: line)
        return try text.split(separator: "\n").map { piece in
            let object = try JSONSerialization.jsonObject(with: Data(piece.utf8))
            return try XCTUnwrap(object as? [String: Any], file: file, line: line)
        }
    }
}
