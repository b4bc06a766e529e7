import Foundation
@testable import RunbookKit

/// Short ways to write the events journal tests use, with plain step ids for top-level steps.
extension RunEvent {
    static func p(_ step: String) -> StepPath { StepPath(step: step) }

    static func stepStarted(stepID: String, title: String, host: String?) -> RunEvent {
        .stepStarted(StepStart(path: p(stepID), title: title, host: host))
    }
    static func stepEnded(stepID: String, outcome: StepOutcome, duration: Double, next: String? = nil) -> RunEvent {
        .stepEnded(StepEnd(path: p(stepID), outcome: outcome, duration: duration, next: next))
    }
    static func commandStarted(id: Int, stepID: String, host: String?, script: String) -> RunEvent {
        .commandStarted(CommandStart(id: id, path: p(stepID), host: host, script: script))
    }
    static func commandOutput(id: Int, host: String?, stream: RunbookKit.OutputStream, line: String) -> RunEvent {
        .commandOutput(CommandOutputLine(id: id, host: host, stream: stream, line: line))
    }
    static func commandEnded(id: Int, stepID: String, host: String?, script: String, result: CommandResult) -> RunEvent {
        .commandEnded(CommandEnd(id: id, path: p(stepID), host: host, script: script, result: result))
    }
    static func finding(stepID: String, message: String, evidence: String, host: String?) -> RunEvent {
        .finding(Finding(path: p(stepID), message: message, evidence: evidence, host: host))
    }
    static func branch(stepID: String, description: String) -> RunEvent {
        .branch(BranchTaken(path: p(stepID), description: description))
    }
    static func answer(stepID: String, question: String, questionID: String, choice: String) -> RunEvent {
        .decision(Decision(path: p(stepID), kind: .ask, id: questionID, prompt: question, answer: choice, source: .operator))
    }
    static func message(stepID: String, text: String) -> RunEvent { .message(Message(path: p(stepID), text: text)) }
    static func note(stepID: String?, text: String) -> RunEvent { .note(Note(path: stepID.map(p), text: text)) }
    static func mark(stepID: String, outcome: String, remark: String) -> RunEvent {
        .mark(Mark(path: p(stepID), outcome: outcome, remark: remark))
    }
    static func variable(stepID: String? = nil, name: String, value: Value) -> RunEvent {
        .variable(VariableSet(path: stepID.map(p), name: name, value: value))
    }
    static func concluded(stepID: String, message: String) -> RunEvent { .concluded(Conclusion(path: p(stepID), message: message)) }
    static func failed(stepID: String?, message: String) -> RunEvent { .failed(Failure(path: stepID.map(p), message: message)) }
    static func runEnded(status: RunStatus, exitCode: Int32, duration: Double) -> RunEvent {
        .runEnded(RunEnd(status: status, exitCode: exitCode, severity: exitCode == 0 ? .ok : exitCode == 1 ? .problem : .unknown, duration: duration))
    }
}

extension Journal {
    /// The records after the header, in order.
    var events: [JournalEntry] { entries }
    /// Line numbers of the lines that could not be read.
    var damagedLines: [Int] { problems.map(\.line) }
}

extension JournalEntry {
    var kind: RunEvent { event }
}

/// The fields of a journaled command, read the way the journal tests check them.
extension CommandEnd {
    var step: String { path.stepDescription }
    var command: String { script }
    var exitCode: Int { Int(result.exitCode) }
    var duration: Double { result.duration }
    var stdout: String { result.stdout }
    var stderr: String { result.stderr }
    var stdoutTruncated: Bool { stdoutCut }
    var stderrTruncated: Bool { stderrCut }
    var stdoutBytes: Int { result.stdoutBytes }
    var stderrBytes: Int { result.stderrBytes }
    var succeeded: Bool { IncidentSummary.succeeded(self) }
}
