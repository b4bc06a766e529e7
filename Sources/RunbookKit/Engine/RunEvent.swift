import Foundation

/// Everything observable that happens during a run, in order. The terminal renderer, the
/// journal and the scenario harness are all observers of this one stream, and the journal is
/// this same type written down: `JournalEntry` encodes and decodes these cases, so there is
/// one schema for writing and reading.
public enum RunEvent: Sendable, Equatable {
    /// The run begins (the journal's first line). Secret parameters are already masked.
    case runStarted(RunHeader)
    /// `runbook resume` continues the run in the same journal.
    case resumed(Resumption)
    case stepStarted(StepStart)
    case stepEnded(StepEnd)
    case commandStarted(CommandStart)
    /// One line of a command's output, as it arrives. Never journaled: `commandEnded` carries
    /// the output.
    case commandOutput(CommandOutputLine)
    case commandEnded(CommandEnd)
    /// An `expect` that did not hold, with the output that shows it.
    case finding(Finding)
    /// `if`/`else`, `goto`, `run`, retries: which way the flow went and why.
    case branch(BranchTaken)
    /// A question asked (`ask`, `confirm`) or a value set by the operator, and how it was
    /// answered: an incident record must show every change that was allowed.
    case decision(Decision)
    case message(Message)
    /// The operator's note (REPL `note`).
    case note(Note)
    /// The operator marks a step's outcome by hand (REPL `mark`).
    case mark(Mark)
    /// A value the run gathered, with its type, for `resume`.
    case variable(VariableSet)
    /// The REPL's operator moved to another step (`goto`, `skip`, `back`).
    case cursor(CursorMove)
    case concluded(Conclusion)
    case failed(Failure)
    /// One target of the run has finished (each host of a fan-out has its own).
    case targetEnded(TargetEnd)
    case runEnded(RunEnd)
}

/// Receives run events. The run session delivers events to its observers one at a time
/// under one lock, from whichever thread the event happened on (a parallel `foreach` or a
/// fan-out runs on several threads), so implementations need no lock of their own.
public protocol RunObserver: AnyObject {
    func handle(_ event: RunEvent)
}

// MARK: Statuses

/// How a step ended.
public enum StepOutcome: String, Sendable, Codable, Equatable {
    case ok, finding, failed, skipped, aborted
    /// The step's host could not be reached.
    case unreachable

    /// The step did its work (with or without findings): resume goes on after it.
    public var isDone: Bool { self == .ok || self == .finding || self == .skipped }
}

/// How a run, or one target of it, ended.
public enum RunStatus: String, Sendable, Codable, Equatable {
    case concluded, completed, failed, aborted
    /// The target could not be reached.
    case unreachable
    /// A REPL session the operator left before the runbook reached its end.
    case ended

    /// Nothing left to do: resume leaves such a run (or target) alone.
    public var isFinal: Bool { self == .concluded || self == .completed }
}

// MARK: Payloads

public struct StepStart: Sendable, Codable, Equatable {
    public var path: StepPath
    public var title: String
    /// The host the step runs on when it names one (`step x on node`).
    public var host: String?

    public init(path: StepPath, title: String, host: String? = nil) {
        self.path = path
        self.title = title
        self.host = host
    }
}

public struct StepEnd: Sendable, Codable, Equatable {
    public var path: StepPath
    public var outcome: StepOutcome
    public var duration: Double
    /// The top-level step the run goes on with (a `goto` target or the following step);
    /// nil when the run stops here or it is the last. Resume continues exactly there.
    public var next: String?

    public init(path: StepPath, outcome: StepOutcome, duration: Double, next: String? = nil) {
        self.path = path
        self.outcome = outcome
        self.duration = duration
        self.next = next
    }
}

public struct CommandStart: Sendable, Codable, Equatable {
    public var id: Int
    public var path: StepPath
    /// The host (or, in a parallel `foreach`, the item) the command's lines are labelled with.
    public var host: String?
    public var script: String

    public init(id: Int, path: StepPath, host: String?, script: String) {
        self.id = id
        self.path = path
        self.host = host
        self.script = script
    }
}

public struct CommandOutputLine: Sendable, Equatable {
    public var id: Int
    public var host: String?
    public var stream: OutputStream
    public var line: String

    public init(id: Int, host: String?, stream: OutputStream, line: String) {
        self.id = id
        self.host = host
        self.stream = stream
        self.line = line
    }
}

public struct CommandEnd: Sendable, Codable, Equatable {
    public var id: Int
    public var path: StepPath
    public var host: String?
    public var script: String
    /// In a run, the whole capture; in a journal, the kept start of each stream (see
    /// `stdoutCut`), secrets masked.
    public var result: CommandResult
    /// The journal kept only the start of stdout/stderr (the result's byte counts say how
    /// much there was).
    public var stdoutCut: Bool
    public var stderrCut: Bool

    public init(id: Int, path: StepPath, host: String?, script: String, result: CommandResult,
                stdoutCut: Bool? = nil, stderrCut: Bool? = nil) {
        self.id = id
        self.path = path
        self.host = host
        self.script = script
        self.result = result
        self.stdoutCut = stdoutCut ?? result.stdoutTruncated
        self.stderrCut = stderrCut ?? result.stderrTruncated
    }

    /// When the command started, from its end time and duration.
    public func start(endedAt end: Date) -> Date { end.addingTimeInterval(-max(0, result.duration)) }
}

/// How much a finding weighs.
public enum FindingSeverity: String, Sendable, Codable, Equatable {
    /// `expect C else "…"`: a problem; the run exits 1.
    case failing
    /// `expect C else warn "…"`: shown and recorded; it changes no exit code.
    case warning
}

/// An `expect` that did not hold: what it means and the output that shows it.
public struct Finding: Sendable, Codable, Equatable {
    public var path: StepPath
    public var message: String
    public var evidence: String
    public var host: String?
    public var severity: FindingSeverity

    public init(path: StepPath, message: String, evidence: String = "", host: String? = nil,
                severity: FindingSeverity = .failing) {
        self.path = path
        self.message = message
        self.evidence = evidence
        self.host = host
        self.severity = severity
    }
}

public struct BranchTaken: Sendable, Codable, Equatable {
    public var path: StepPath
    public var description: String
    /// Set on the two records that bound a `foreach` (its start and its end); nil on a branch.
    /// The terminal folds the branches between them into one line at the loop's end.
    public var loop: LoopBound?

    public init(path: StepPath, description: String, loop: LoopBound? = nil) {
        self.path = path
        self.description = description
        self.loop = loop
    }
}

/// Where a `foreach` starts or ends: the branches recorded between the two are its body's.
/// `header` is the loop as written: "foreach p in table(pods)".
public enum LoopBound: Sendable, Codable, Equatable {
    /// The loop starts over a list of `items`.
    case start(header: String, items: Int)
    /// The loop is left (at its end, or by a conclusion or failure) after `iterations`.
    case end(header: String, iterations: Int)

    public var header: String {
        switch self {
        case .start(let header, _), .end(let header, _): return header
        }
    }

    // One flat object, {"edge": "start", "header": "…", "count": 3}: the journal's encoder
    // writes no nested containers.
    private enum Keys: String, CodingKey { case edge, header, count }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        let header = try c.decode(String.self, forKey: .header)
        let count = try c.decode(Int.self, forKey: .count)
        switch try c.decode(String.self, forKey: .edge) {
        case "start": self = .start(header: header, items: count)
        case "end": self = .end(header: header, iterations: count)
        case let edge: throw DecodingError.dataCorruptedError(forKey: .edge, in: c, debugDescription: "unknown loop edge '\(edge)'")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        switch self {
        case .start(let header, let items):
            try c.encode("start", forKey: .edge)
            try c.encode(header, forKey: .header)
            try c.encode(items, forKey: .count)
        case .end(let header, let iterations):
            try c.encode("end", forKey: .edge)
            try c.encode(header, forKey: .header)
            try c.encode(iterations, forKey: .count)
        }
    }

    /// The same bound with its header masked.
    func redacted(by r: SecretRedactor) -> LoopBound {
        switch self {
        case .start(let header, let items): return .start(header: r.redact(header), items: items)
        case .end(let header, let iterations): return .end(header: r.redact(header), iterations: iterations)
        }
    }
}

/// A question and its answer. Accepted confirmations are recorded like declined ones: the
/// record of an incident must show the changes that were allowed, and by whom.
public struct Decision: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable, Equatable {
        /// An `ask` question with choices.
        case ask
        /// A `confirm` (or `$ … confirm`) before something destructive.
        case confirm
        /// The operator set a value by hand (REPL `set`).
        case set
    }

    /// Who or what gave the answer.
    public enum Source: String, Sendable, Codable, Equatable {
        /// The operator, at a prompt.
        case `operator`
        /// `--yes` (or the REPL started with it).
        case assumeYes = "yes_flag"
        /// `--answer ID=CHOICE`, a scenario's `answer`, the REPL's `answer`, or a resumed run.
        case answerOption = "answer_option"
        /// Nobody could answer: no terminal, and no answer given in advance.
        case nobody
    }

    public var path: StepPath?
    public var kind: Kind
    /// The `ask` question's id; the variable's name for `set`.
    public var id: String?
    /// The question or confirmation as shown.
    public var prompt: String
    /// The choice, "yes"/"no" for a confirmation, the value for `set`; nil when none.
    public var answer: String?
    public var source: Source

    public init(path: StepPath?, kind: Kind, id: String? = nil, prompt: String, answer: String?, source: Source) {
        self.path = path
        self.kind = kind
        self.id = id
        self.prompt = prompt
        self.answer = answer
        self.source = source
    }
}

public struct Message: Sendable, Codable, Equatable {
    public var path: StepPath?
    public var text: String

    public init(path: StepPath?, text: String) {
        self.path = path
        self.text = text
    }
}

public struct Note: Sendable, Codable, Equatable {
    public var path: StepPath?
    public var text: String

    public init(path: StepPath?, text: String) {
        self.path = path
        self.text = text
    }
}

public struct Mark: Sendable, Codable, Equatable {
    public var path: StepPath
    public var outcome: String
    public var remark: String

    public init(path: StepPath, outcome: String, remark: String) {
        self.path = path
        self.outcome = outcome
        self.remark = remark
    }
}

/// A value assigned during the run, typed (see `Value`'s journal form).
public struct VariableSet: Sendable, Codable, Equatable {
    /// Where it was set; its target says which host of a fan-out it belongs to.
    public var path: StepPath?
    public var name: String
    public var value: Value
    /// The journal masked a secret inside the value: resume must not pass it on.
    public var redacted: Bool
    /// The journal kept only the start of the value: resume must not pass it on.
    public var cut: Bool

    public init(path: StepPath?, name: String, value: Value, redacted: Bool = false, cut: Bool = false) {
        self.path = path
        self.name = name
        self.value = value
        self.redacted = redacted
        self.cut = cut
    }
}

public struct CursorMove: Sendable, Codable, Equatable {
    public var target: String?
    /// The step the operator is now at; nil at the end of the runbook.
    public var step: String?
    /// "goto", "skip", "back".
    public var reason: String

    public init(target: String?, step: String?, reason: String) {
        self.target = target
        self.step = step
        self.reason = reason
    }
}

/// What a conclusion says about what the runbook looked at.
public enum ConclusionSeverity: String, Sendable, Codable, Equatable {
    /// `conclude ok "…"`: healthy.
    case ok
    /// `diagnose "…"`: a problem was found, and this is it.
    case problem
    /// `conclude unknown "…"`: the runbook could not tell.
    case unknown
    /// A plain `conclude "…"`: it does not say; the findings decide (a problem when one fails).
    case unstated
}

public struct Conclusion: Sendable, Codable, Equatable {
    public var path: StepPath
    public var message: String
    public var severity: ConclusionSeverity

    public init(path: StepPath, message: String, severity: ConclusionSeverity = .unstated) {
        self.path = path
        self.message = message
        self.severity = severity
    }
}

public struct Failure: Sendable, Codable, Equatable {
    public var path: StepPath?
    public var message: String

    public init(path: StepPath?, message: String) {
        self.path = path
        self.message = message
    }
}

public struct TargetEnd: Sendable, Codable, Equatable {
    public var target: String?
    public var status: RunStatus
    public var exitCode: Int32
    /// What the target's run found out: healthy, a problem, or could not tell.
    public var severity: Severity
    public var conclusion: String?
    /// Why it failed or was aborted.
    public var reason: String?

    public init(target: String?, status: RunStatus, exitCode: Int32, severity: Severity,
                conclusion: String? = nil, reason: String? = nil) {
        self.target = target
        self.status = status
        self.exitCode = exitCode
        self.severity = severity
        self.conclusion = conclusion
        self.reason = reason
    }
}

public struct RunEnd: Sendable, Codable, Equatable {
    public var status: RunStatus
    public var exitCode: Int32
    /// What the run found out, over every target.
    public var severity: Severity
    public var duration: Double

    public init(status: RunStatus, exitCode: Int32, severity: Severity, duration: Double) {
        self.status = status
        self.exitCode = exitCode
        self.severity = severity
        self.duration = duration
    }
}

/// `runbook resume` took over the run: who, from which process, and where each target goes on.
public struct Resumption: Sendable, Codable, Equatable {
    public var user: String
    public var pid: Int
    public var toolVersion: String
    /// Target ("" for a single-target run) → the step it continues at.
    public var positions: [String: String]
    /// Values that were not restored (masked or cut in the journal), with the step that set them.
    public var notRestored: [String]

    public init(user: String, pid: Int, toolVersion: String, positions: [String: String], notRestored: [String]) {
        self.user = user
        self.pid = pid
        self.toolVersion = toolVersion
        self.positions = positions
        self.notRestored = notRestored
    }
}

extension CommandResult: Codable {
    enum CodingKeys: String, CodingKey {
        case stdout, stderr, exitCode, timedOut, cancelled, unreachable, duration, stdoutBytes, stderrBytes
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let stdout = try c.decode(String.self, forKey: .stdout)
        let stderr = try c.decode(String.self, forKey: .stderr)
        self.init(stdout: stdout, stderr: stderr, exitCode: try c.decode(Int32.self, forKey: .exitCode),
                  timedOut: try c.decode(Bool.self, forKey: .timedOut),
                  cancelled: try c.decode(Bool.self, forKey: .cancelled),
                  unreachable: try c.decode(Bool.self, forKey: .unreachable),
                  duration: try c.decode(Double.self, forKey: .duration),
                  stdoutBytes: try c.decode(Int.self, forKey: .stdoutBytes),
                  stderrBytes: try c.decode(Int.self, forKey: .stderrBytes))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(stdout, forKey: .stdout)
        try c.encode(stderr, forKey: .stderr)
        try c.encode(exitCode, forKey: .exitCode)
        try c.encode(timedOut, forKey: .timedOut)
        try c.encode(cancelled, forKey: .cancelled)
        try c.encode(unreachable, forKey: .unreachable)
        try c.encode(duration, forKey: .duration)
        try c.encode(stdoutBytes, forKey: .stdoutBytes)
        try c.encode(stderrBytes, forKey: .stderrBytes)
    }
}

extension OutputStream: Codable {}
