import Foundation

/// A journal read back from disk: who ran what, and everything that happened, in order.
public struct Journal: Sendable {
    /// Where it was read from, when read from a file.
    public var path: String?
    public var header: JournalHeader
    public var events: [JournalEvent]
    /// The file ended in the middle of a line: the run was killed while writing, or the disk
    /// filled up. Everything before that line is intact.
    public var truncatedLastLine: Bool
    /// 1-based numbers of other lines that were not valid JSON objects (skipped).
    public var damagedLines: [Int]

    public init(path: String? = nil, header: JournalHeader, events: [JournalEvent],
                truncatedLastLine: Bool = false, damagedLines: [Int] = []) {
        self.path = path
        self.header = header
        self.events = events
        self.truncatedLastLine = truncatedLastLine
        self.damagedLines = damagedLines
    }

    /// The `run_end` event, when the run got that far.
    public var runEnd: (status: String, exitCode: Int, duration: Double)? {
        for event in events.reversed() {
            if case .runEnded(let status, let exitCode, let duration) = event.kind {
                return (status, exitCode, duration)
            }
        }
        return nil
    }
}

/// The journal's first line.
public struct JournalHeader: Sendable, Equatable {
    public var runbookPath: String
    public var runbookTitle: String
    public var contentHash: String
    public var gitCommit: String?
    public var parameters: [String: String]
    public var user: String
    public var host: String
    public var startTime: Date
    public var toolVersion: String
    public var mode: String
    public var pid: Int?

    public init(runbookPath: String, runbookTitle: String, contentHash: String, gitCommit: String?,
                parameters: [String: String], user: String, host: String, startTime: Date,
                toolVersion: String, mode: String, pid: Int? = nil) {
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
        self.pid = pid
    }
}

/// One journaled event with its time.
public struct JournalEvent: Sendable, Equatable {
    public var time: Date
    public var kind: Kind

    public init(time: Date, kind: Kind) {
        self.time = time
        self.kind = kind
    }

    public enum Kind: Sendable, Equatable {
        case stepStarted(step: String, title: String, host: String?)
        case stepEnded(step: String, outcome: String, duration: Double)
        case commandStarted(id: Int, step: String, host: String?, command: String)
        case commandEnded(JournalCommand)
        case finding(step: String, message: String, evidence: String, host: String?)
        case branch(step: String, description: String)
        case answer(step: String, question: String, questionID: String, choice: String, source: String)
        case message(step: String, text: String)
        case note(step: String?, text: String)
        case outcome(step: String, outcome: String, remark: String)
        case variable(name: String, value: String)
        case conclusion(step: String, message: String)
        case failure(step: String?, message: String)
        case runEnded(status: String, exitCode: Int, duration: Double)
        /// A record type this version does not know (written by a newer runbook); kept so
        /// nothing is silently lost.
        case unknown(type: String)
    }

    /// The record's `"type"` in the file.
    public var type: String {
        switch kind {
        case .stepStarted: return "step_start"
        case .stepEnded: return "step_end"
        case .commandStarted: return "command_start"
        case .commandEnded: return "command_end"
        case .finding: return "finding"
        case .branch: return "branch"
        case .answer: return "answer"
        case .message: return "message"
        case .note: return "note"
        case .outcome: return "outcome"
        case .variable: return "variable"
        case .conclusion: return "conclusion"
        case .failure: return "failure"
        case .runEnded: return "run_end"
        case .unknown(let type): return type
        }
    }

    /// The step the event belongs to, if any.
    public var step: String? {
        switch kind {
        case .stepStarted(let step, _, _), .stepEnded(let step, _, _), .commandStarted(_, let step, _, _),
             .finding(let step, _, _, _), .branch(let step, _), .answer(let step, _, _, _, _),
             .message(let step, _), .outcome(let step, _, _), .conclusion(let step, _):
            return step
        case .commandEnded(let command): return command.step
        case .note(let step, _), .failure(let step, _): return step
        case .variable, .runEnded, .unknown: return nil
        }
    }
}

/// A finished command as journaled (outputs bounded, secrets redacted).
public struct JournalCommand: Sendable, Equatable {
    public var id: Int
    public var step: String
    public var host: String?
    public var command: String
    public var start: Date?
    public var duration: Double
    public var exitCode: Int
    public var timedOut: Bool
    public var cancelled: Bool
    public var unreachable: Bool
    public var stdout: String
    public var stderr: String
    public var stdoutTruncated: Bool
    public var stderrTruncated: Bool
    /// Bytes the command really printed (known when truncated; otherwise the kept length).
    public var stdoutBytes: Int
    public var stderrBytes: Int

    public init(id: Int, step: String, host: String?, command: String, start: Date?, duration: Double,
                exitCode: Int, timedOut: Bool = false, cancelled: Bool = false, unreachable: Bool = false,
                stdout: String = "", stderr: String = "", stdoutTruncated: Bool = false,
                stderrTruncated: Bool = false, stdoutBytes: Int? = nil, stderrBytes: Int? = nil) {
        self.id = id
        self.step = step
        self.host = host
        self.command = command
        self.start = start
        self.duration = duration
        self.exitCode = exitCode
        self.timedOut = timedOut
        self.cancelled = cancelled
        self.unreachable = unreachable
        self.stdout = stdout
        self.stderr = stderr
        self.stdoutTruncated = stdoutTruncated
        self.stderrTruncated = stderrTruncated
        self.stdoutBytes = stdoutBytes ?? stdout.utf8.count
        self.stderrBytes = stderrBytes ?? stderr.utf8.count
    }

    /// Exited 0 and was neither timed out, cancelled nor unreachable.
    public var succeeded: Bool { exitCode == 0 && !timedOut && !cancelled && !unreachable }
}
