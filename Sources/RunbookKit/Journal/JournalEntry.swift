import Foundation

/// One line of a journal: a run event and when it happened. This is the journal's schema,
/// used both to write and to read: a `"type"` naming the event, `"t"` its time, and the
/// event's fields beside them (`JournalLineEncoder` writes it, `JournalReader` reads it).
public struct JournalEntry: Sendable, Equatable {
    public var time: Date
    public var event: RunEvent

    public init(time: Date, event: RunEvent) {
        self.time = time
        self.event = event
    }

    /// The record's `"type"`; nil for events that are never journaled.
    public var type: String? { JournalEntry.type(of: event) }

    static func type(of event: RunEvent) -> String? {
        switch event {
        case .runStarted: return "header"
        case .resumed: return "resumed"
        case .stepStarted: return "step_start"
        case .stepEnded: return "step_end"
        case .commandStarted: return "command_start"
        case .commandOutput: return nil
        case .commandEnded: return "command_end"
        case .finding: return "finding"
        case .branch: return "branch"
        case .decision: return "decision"
        case .message: return "message"
        case .note: return "note"
        case .mark: return "mark"
        case .variable: return "variable"
        case .cursor: return "cursor"
        case .concluded: return "conclusion"
        case .failed: return "failure"
        case .targetEnded: return "target_end"
        case .runEnded: return "run_end"
        }
    }
}

/// A line whose type this version does not know (a newer runbook wrote it).
public struct UnknownRecordType: Error, CustomStringConvertible {
    public var type: String
    public var description: String { "unknown record type '\(type)'" }
}

extension JournalEntry: Codable {
    private enum Keys: String, CodingKey { case type, t }

    public func encode(to encoder: Encoder) throws {
        guard let type else {
            throw EncodingError.invalidValue(event, .init(codingPath: [], debugDescription: "not a journal event"))
        }
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(type, forKey: .type)
        try c.encode(time, forKey: .t)
        // The event's own fields go beside "type" and "t", in the same object.
        switch event {
        case .runStarted(let p): try p.encode(to: encoder)
        case .resumed(let p): try p.encode(to: encoder)
        case .stepStarted(let p): try p.encode(to: encoder)
        case .stepEnded(let p): try p.encode(to: encoder)
        case .commandStarted(let p): try p.encode(to: encoder)
        case .commandOutput: break
        case .commandEnded(let p): try p.encode(to: encoder)
        case .finding(let p): try p.encode(to: encoder)
        case .branch(let p): try p.encode(to: encoder)
        case .decision(let p): try p.encode(to: encoder)
        case .message(let p): try p.encode(to: encoder)
        case .note(let p): try p.encode(to: encoder)
        case .mark(let p): try p.encode(to: encoder)
        case .variable(let p): try p.encode(to: encoder)
        case .cursor(let p): try p.encode(to: encoder)
        case .concluded(let p): try p.encode(to: encoder)
        case .failed(let p): try p.encode(to: encoder)
        case .targetEnded(let p): try p.encode(to: encoder)
        case .runEnded(let p): try p.encode(to: encoder)
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        let type = try c.decode(String.self, forKey: .type)
        time = try c.decode(Date.self, forKey: .t)
        switch type {
        case "header": event = .runStarted(try RunHeader(from: decoder))
        case "resumed": event = .resumed(try Resumption(from: decoder))
        case "step_start": event = .stepStarted(try StepStart(from: decoder))
        case "step_end": event = .stepEnded(try StepEnd(from: decoder))
        case "command_start": event = .commandStarted(try CommandStart(from: decoder))
        case "command_end": event = .commandEnded(try CommandEnd(from: decoder))
        case "finding": event = .finding(try Finding(from: decoder))
        case "branch": event = .branch(try BranchTaken(from: decoder))
        case "decision": event = .decision(try Decision(from: decoder))
        case "message": event = .message(try Message(from: decoder))
        case "note": event = .note(try Note(from: decoder))
        case "mark": event = .mark(try Mark(from: decoder))
        case "variable": event = .variable(try VariableSet(from: decoder))
        case "cursor": event = .cursor(try CursorMove(from: decoder))
        case "conclusion": event = .concluded(try Conclusion(from: decoder))
        case "failure": event = .failed(try Failure(from: decoder))
        case "target_end": event = .targetEnded(try TargetEnd(from: decoder))
        case "run_end": event = .runEnded(try RunEnd(from: decoder))
        default: throw UnknownRecordType(type: type)
        }
    }
}
