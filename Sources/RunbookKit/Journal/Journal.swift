import Foundation

/// A journal read back from disk: who ran what, and everything that happened, in order.
public struct Journal: Sendable {
    /// Where it was read from, when read from a file.
    public var path: String?
    public var header: RunHeader
    /// Every record after the header, in order (a resumed run's records follow its
    /// `resumed` record in the same file).
    public var entries: [JournalEntry]
    /// The file ended in the middle of a line: the run was killed while writing, or the disk
    /// filled up. Everything before that line is intact.
    public var truncatedLastLine: Bool
    /// Lines cut by a kill that a resumed run then followed (1-based): not damage, a mark of
    /// the interruption.
    public var interruptedLines: [Int] = []
    /// Lines that could not be read as a record this version knows, with the reason: a
    /// damaged line, a record with a required field missing, a record type of a newer version.
    public var problems: [JournalProblem]

    public init(path: String? = nil, header: RunHeader, entries: [JournalEntry],
                truncatedLastLine: Bool = false, problems: [JournalProblem] = []) {
        self.path = path
        self.header = header
        self.entries = entries
        self.truncatedLastLine = truncatedLastLine
        self.problems = problems
    }

    /// The last `run_end`, when the run (or its last resumption) got that far.
    public var runEnd: RunEnd? {
        for entry in entries.reversed() {
            if case .runEnded(let end) = entry.event { return end }
            if case .resumed = entry.event { return nil }
        }
        return nil
    }
}

/// A line of a journal that was not read, and why.
public struct JournalProblem: Sendable, Equatable, CustomStringConvertible {
    /// 1-based line number.
    public var line: Int
    public var reason: String

    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }

    public var description: String { "line \(line): \(reason)" }
}

extension RunEvent {
    /// The step the event belongs to, if any.
    public var path: StepPath? {
        switch self {
        case .stepStarted(let e): return e.path
        case .stepEnded(let e): return e.path
        case .commandStarted(let e): return e.path
        case .commandEnded(let e): return e.path
        case .finding(let e): return e.path
        case .branch(let e): return e.path
        case .decision(let e): return e.path
        case .message(let e): return e.path
        case .note(let e): return e.path
        case .mark(let e): return e.path
        case .variable(let e): return e.path
        case .concluded(let e): return e.path
        case .failed(let e): return e.path
        case .runStarted, .resumed, .commandOutput, .cursor, .targetEnded, .runEnded: return nil
        }
    }
}
