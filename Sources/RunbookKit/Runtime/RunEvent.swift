import Foundation

/// Everything observable that happens during a run, in order. The terminal renderer, the
/// journal and the test harness are all observers of the same stream.
public enum RunEvent: Sendable {
    /// The run begins. `parameters` already has secrets replaced by "********".
    case runStarted(RunHeader)
    case stepStarted(stepID: String, title: String, host: String?)
    /// `outcome` is one of "ok", "finding", "failed", "skipped", "aborted".
    case stepEnded(stepID: String, outcome: String, duration: Double)
    case commandStarted(id: Int, stepID: String, host: String?, script: String)
    case commandOutput(id: Int, host: String?, stream: OutputStream, line: String)
    case commandEnded(id: Int, stepID: String, host: String?, script: String, result: CommandResult)
    /// An `expect` that did not hold. `evidence` is the output of the last command of the step.
    case finding(stepID: String, message: String, evidence: String, host: String?)
    /// `if`/`else`, `ask` choices, `goto`: which way the flow went and why.
    case branch(stepID: String, description: String)
    case answer(stepID: String, question: String, questionID: String, choice: String, source: String)
    case message(stepID: String, text: String)
    case note(stepID: String?, text: String)
    /// REPL: the operator marks a step's outcome by hand.
    case outcome(stepID: String, outcome: String, remark: String)
    case variable(name: String, value: String)
    case concluded(stepID: String, message: String)
    case failed(stepID: String?, message: String)
    /// The run ends; `status` is "concluded", "completed", "failed" or "aborted".
    case runEnded(status: String, exitCode: Int32, duration: Double)
}

/// Identifies a run for its journal and report.
public struct RunHeader: Sendable, Codable {
    public var runbookPath: String
    public var runbookTitle: String
    public var contentHash: String
    public var gitCommit: String?
    public var parameters: [String: String]
    public var user: String
    public var host: String
    public var startTime: Date
    public var toolVersion: String
    public var mode: String   // "run", "repl", "resume", "dry-run", "scenario"

    public init(runbookPath: String, runbookTitle: String, contentHash: String, gitCommit: String?,
                parameters: [String: String], user: String, host: String, startTime: Date,
                toolVersion: String, mode: String) {
        self.runbookPath = runbookPath
        self.runbookTitle = runbookTitle
        self.contentHash = contentHash
        self.gitCommit = gitCommit
        self.parameters = parameters
        self.user = user
        self.host = host
        self.startTime = startTime
        self.toolVersion = toolVersion
        self.mode = mode
    }
}

/// Receives run events. Must tolerate calls from several threads (parallel foreach); the
/// interpreter serialises calls through one lock, so implementations need no lock of their own.
public protocol RunObserver: AnyObject {
    func handle(_ event: RunEvent)
}
