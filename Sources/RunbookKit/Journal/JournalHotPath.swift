import Foundation

/// The four records every step writes — `step_start`, `command_start`, `command_end`,
/// `step_end` — and the two a loop writes per iteration — `branch` (not a loop's bounds) and
/// `variable` (a plain value) — written without going through `Encodable`.
///
/// Why: through the streaming `JournalLineEncoder` a record cost about 24,000 instructions
/// (generic container boxes and metadata lookups of `Codable`), which made a step of `$ true`
/// 15% slower with the journal on than without; this path writes the same bytes in about a
/// third of that. It is not a second schema: `JournalHotPathTests` checks that it produces,
/// byte for byte, what `JournalLineEncoder` makes of the same `JournalEntry` (field names,
/// order, optional fields left out), so the `Codable` conformances stay the one definition.
enum JournalHotPath {
    static func line(for event: RunEvent, at time: Date) -> [UInt8]? {
        var w = Writer()
        switch event {
        case .stepStarted(let e):
            w.header("step_start", time)
            w.path(e.path)
            w.string("title", e.title)
            if let host = e.host { w.string("host", host) }
        case .stepEnded(let e):
            w.header("step_end", time)
            w.path(e.path)
            w.string("outcome", e.outcome.rawValue)
            w.double("duration", e.duration)
            if let next = e.next { w.string("next", next) }
        case .commandStarted(let e):
            w.header("command_start", time)
            w.integer("id", e.id)
            w.path(e.path)
            if let host = e.host { w.string("host", host) }
            w.string("script", e.script)
        case .commandEnded(let e):
            w.header("command_end", time)
            w.integer("id", e.id)
            w.path(e.path)
            if let host = e.host { w.string("host", host) }
            w.string("script", e.script)
            w.key("result")
            w.open()
            let r = e.result
            w.string("stdout", r.stdout)
            w.string("stderr", r.stderr)
            w.integer("exitCode", Int(r.exitCode))
            w.bool("timedOut", r.timedOut)
            w.bool("cancelled", r.cancelled)
            w.bool("unreachable", r.unreachable)
            w.double("duration", r.duration)
            w.integer("stdoutBytes", r.stdoutBytes)
            w.integer("stderrBytes", r.stderrBytes)
            w.close()
            w.bool("stdoutCut", e.stdoutCut)
            w.bool("stderrCut", e.stderrCut)
        case .branch(let e) where e.loop == nil:
            // A loop records a branch per iteration: ten thousand rows, ten thousand records.
            w.header("branch", time)
            w.path(e.path)
            w.string("description", e.description)
        case .variable(let e):
            w.header("variable", time)
            if let path = e.path { w.path(path) }
            w.string("name", e.name)
            w.key("value")
            switch e.value {
            case .null: w.sink.bytes.append(contentsOf: "null".utf8)
            case .bool(let b): w.sink.bytes.append(contentsOf: (b ? "true" : "false").utf8)
            case .number(let n): w.sink.double(n)
            case .string(let s): w.sink.quoted(s)
            case .list, .map, .row, .result: return nil
            }
            w.bool("redacted", e.redacted)
            w.bool("cut", e.cut)
        default:
            return nil
        }
        w.close()
        w.sink.bytes.append(UInt8(ascii: "\n"))
        return w.sink.bytes
    }

    /// Appends keys and values with the encoder's own formatting (`JournalLineEncoder.Sink`).
    private struct Writer {
        let sink = JournalLineEncoder.Sink(capacity: 512)
        private var first = [true]

        mutating func header(_ type: String, _ time: Date) {
            open()
            string("type", type)
            key("t")
            sink.append("\"")
            JournalTime.appendISO8601(time, to: &sink.bytes)
            sink.append("\"")
        }

        mutating func open() {
            sink.append("{")
            first.append(true)
        }

        mutating func close() {
            sink.append("}")
            first.removeLast()
        }

        mutating func key(_ name: String) {
            if first[first.count - 1] { first[first.count - 1] = false } else { sink.append(",") }
            sink.quoted(name)
            sink.append(":")
        }

        mutating func string(_ name: String, _ value: String) { key(name); sink.quoted(value) }
        mutating func integer(_ name: String, _ value: Int) { key(name); sink.integer(value) }
        mutating func double(_ name: String, _ value: Double) { key(name); sink.double(value) }
        mutating func bool(_ name: String, _ value: Bool) { key(name); sink.bytes.append(contentsOf: (value ? "true" : "false").utf8) }

        mutating func path(_ p: StepPath) {
            key("path")
            open()
            if let target = p.target { string("target", target) }
            key("calls")
            sink.append("[")
            for (i, call) in p.calls.enumerated() {
                if i > 0 { sink.append(",") }
                sink.quoted(call)
            }
            sink.append("]")
            string("step", p.step)
            close()
        }
    }
}
