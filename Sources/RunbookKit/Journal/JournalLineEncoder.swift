import Foundation

/// Writes one `Encodable` value as one line of compact JSON, straight into bytes.
///
/// Why not JSONEncoder: the journal writes one line per event, and JSONEncoder took about
/// 19 µs for a `command_end` on this machine (it builds a tree of boxed values first), which
/// is 10% of the cost of running `sh -c true`. This encoder appends as it goes (about 2 µs),
/// which works because synthesized `Codable` code writes each container completely before
/// the next: a value's container is closed right after its `encode(to:)` returns. Object
/// keys are written in the order the code encodes them; dates become ISO-8601 UTC strings
/// with milliseconds (what `JournalReader` parses back). The few container operations the
/// journal's types never use (nested containers, super encoders) are reported as an error
/// rather than producing wrong JSON.
enum JournalLineEncoder {
    struct Unsupported: Error, CustomStringConvertible {
        var what: String
        var description: String { "the journal encoder does not support \(what)" }
    }

    static func line<T: Encodable>(_ value: T, capacity: Int = 256) throws -> [UInt8] {
        let sink = Sink(capacity: capacity)
        let encoder = LineEncoder(sink: sink, codingPath: [])
        try encoder.encodeValue(value)
        if let problem = sink.problem { throw problem }
        sink.bytes.append(UInt8(ascii: "\n"))
        return sink.bytes
    }

    /// The bytes written so far, shared by every encoder and container of one line.
    final class Sink {
        // Only the thread encoding this one line touches it: no dynamic exclusivity checks
        // (they were a tenth of a line's cost).
        @exclusivity(unchecked) var bytes: [UInt8] = []
        var problem: Unsupported?

        init(capacity: Int) { bytes.reserveCapacity(capacity) }

        func append(_ ascii: Unicode.Scalar) { bytes.append(UInt8(ascii: ascii)) }

        func quoted(_ string: String) {
            append("\"")
            var string = string
            string.withUTF8 { JournalLineEncoder.appendEscaped($0, to: &bytes) }
            append("\"")
        }

        func number<N: LosslessStringConvertible>(_ n: N) { bytes.append(contentsOf: n.description.utf8) }

        /// An integer's digits, written straight into the line (no String on the way).
        func integer<N: BinaryInteger>(_ n: N) {
            var magnitude = n.magnitude
            if n < 0 { append("-") }
            if magnitude == 0 { append("0"); return }
            let start = bytes.count
            while magnitude > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10))
                magnitude /= 10
            }
            bytes[start...].reverse()
        }

        /// JSON has no NaN or infinity: those become 0 (durations are the only doubles that
        /// could be one, after a clock jump).
        func double(_ d: Double) {
            if d.isFinite { number(d) } else { append("0") }
        }
    }

    /// Which container an encoder has opened, so it can be closed after the value is written.
    final class Frame {
        enum Kind { case keyed, unkeyed, single }
        var kind: Kind?
        var count = 0
    }

    struct LineEncoder: Encoder {
        let sink: Sink
        let frame = Frame()
        var codingPath: [CodingKey]
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        /// Encodes `value` through this encoder and closes what it opened.
        func encodeValue<T: Encodable>(_ value: T) throws {
            // A metatype comparison, not `as? Date`: a dynamic cast looks up protocol
            // conformances and cost about a third of a journaled step.
            if T.self == Date.self {
                let date = unsafeBitCast(value, to: Date.self)
                sink.append("\"")
                JournalTime.appendISO8601(date, to: &sink.bytes)
                sink.append("\"")
                return
            }
            try value.encode(to: self)
            switch frame.kind {
            case .keyed: sink.append("}")
            case .unkeyed: sink.append("]")
            case .single: break
            case nil: sink.bytes.append(contentsOf: "null".utf8)   // encoded nothing
            }
        }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            // A second request continues the same object: that is how an event's fields join
            // "type" and "t" in one line.
            if frame.kind == nil {
                frame.kind = .keyed
                sink.append("{")
            }
            return KeyedEncodingContainer(KeyedWriter<Key>(sink: sink, frame: frame, codingPath: codingPath))
        }

        func unkeyedContainer() -> UnkeyedEncodingContainer {
            if frame.kind == nil {
                frame.kind = .unkeyed
                sink.append("[")
            }
            return UnkeyedWriter(sink: sink, frame: frame, codingPath: codingPath)
        }

        func singleValueContainer() -> SingleValueEncodingContainer {
            if frame.kind == nil { frame.kind = .single }
            return SingleWriter(sink: sink, codingPath: codingPath)
        }
    }

    struct KeyedWriter<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let sink: Sink
        let frame: Frame
        var codingPath: [CodingKey]

        private func key(_ key: Key) {
            if frame.count > 0 { sink.append(",") }
            frame.count += 1
            sink.quoted(key.stringValue)
            sink.append(":")
        }

        mutating func encodeNil(forKey k: Key) throws { key(k); sink.bytes.append(contentsOf: "null".utf8) }
        mutating func encode(_ value: Bool, forKey k: Key) throws { key(k); sink.bytes.append(contentsOf: (value ? "true" : "false").utf8) }
        mutating func encode(_ value: String, forKey k: Key) throws { key(k); sink.quoted(value) }
        mutating func encode(_ value: Double, forKey k: Key) throws { key(k); sink.double(value) }
        mutating func encode(_ value: Float, forKey k: Key) throws { key(k); sink.double(Double(value)) }
        mutating func encode(_ value: Int, forKey k: Key) throws { key(k); sink.integer(value) }
        mutating func encode(_ value: Int8, forKey k: Key) throws { key(k); sink.integer(value) }
        mutating func encode(_ value: Int16, forKey k: Key) throws { key(k); sink.integer(value) }
        mutating func encode(_ value: Int32, forKey k: Key) throws { key(k); sink.integer(value) }
        mutating func encode(_ value: Int64, forKey k: Key) throws { key(k); sink.integer(value) }
        mutating func encode(_ value: UInt, forKey k: Key) throws { key(k); sink.integer(value) }
        mutating func encode(_ value: UInt8, forKey k: Key) throws { key(k); sink.integer(value) }
        mutating func encode(_ value: UInt16, forKey k: Key) throws { key(k); sink.integer(value) }
        mutating func encode(_ value: UInt32, forKey k: Key) throws { key(k); sink.integer(value) }
        mutating func encode(_ value: UInt64, forKey k: Key) throws { key(k); sink.integer(value) }

        mutating func encode<T: Encodable>(_ value: T, forKey k: Key) throws {
            key(k)
            // The coding path is not kept: nothing here reports it, and building it allocates.
            try LineEncoder(sink: sink, codingPath: codingPath).encodeValue(value)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            sink.problem = Unsupported(what: "nested keyed containers")
            return KeyedEncodingContainer(KeyedWriter<NestedKey>(sink: Sink(capacity: 0), frame: Frame(), codingPath: codingPath))
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
            sink.problem = Unsupported(what: "nested unkeyed containers")
            return UnkeyedWriter(sink: Sink(capacity: 0), frame: Frame(), codingPath: codingPath)
        }

        mutating func superEncoder() -> Encoder {
            sink.problem = Unsupported(what: "super encoders")
            return LineEncoder(sink: Sink(capacity: 0), codingPath: codingPath)
        }

        mutating func superEncoder(forKey key: Key) -> Encoder { superEncoder() }
    }

    struct UnkeyedWriter: UnkeyedEncodingContainer {
        let sink: Sink
        let frame: Frame
        var codingPath: [CodingKey]
        var count: Int { frame.count }

        private func comma() {
            if frame.count > 0 { sink.append(",") }
            frame.count += 1
        }

        mutating func encodeNil() throws { comma(); sink.bytes.append(contentsOf: "null".utf8) }
        mutating func encode(_ value: Bool) throws { comma(); sink.bytes.append(contentsOf: (value ? "true" : "false").utf8) }
        mutating func encode(_ value: String) throws { comma(); sink.quoted(value) }
        mutating func encode(_ value: Double) throws { comma(); sink.double(value) }
        mutating func encode(_ value: Int) throws { comma(); sink.integer(value) }
        mutating func encode(_ value: Int32) throws { comma(); sink.integer(value) }
        mutating func encode(_ value: Int64) throws { comma(); sink.integer(value) }

        mutating func encode<T: Encodable>(_ value: T) throws {
            comma()
            try LineEncoder(sink: sink, codingPath: codingPath).encodeValue(value)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            sink.problem = Unsupported(what: "nested keyed containers")
            return KeyedEncodingContainer(KeyedWriter<NestedKey>(sink: Sink(capacity: 0), frame: Frame(), codingPath: codingPath))
        }

        mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
            sink.problem = Unsupported(what: "nested unkeyed containers")
            return UnkeyedWriter(sink: Sink(capacity: 0), frame: Frame(), codingPath: codingPath)
        }

        mutating func superEncoder() -> Encoder {
            sink.problem = Unsupported(what: "super encoders")
            return LineEncoder(sink: Sink(capacity: 0), codingPath: codingPath)
        }
    }

    struct SingleWriter: SingleValueEncodingContainer {
        let sink: Sink
        var codingPath: [CodingKey]

        mutating func encodeNil() throws { sink.bytes.append(contentsOf: "null".utf8) }
        mutating func encode(_ value: Bool) throws { sink.bytes.append(contentsOf: (value ? "true" : "false").utf8) }
        mutating func encode(_ value: String) throws { sink.quoted(value) }
        mutating func encode(_ value: Double) throws { sink.double(value) }
        mutating func encode(_ value: Float) throws { sink.double(Double(value)) }
        mutating func encode(_ value: Int) throws { sink.integer(value) }
        mutating func encode(_ value: Int8) throws { sink.integer(value) }
        mutating func encode(_ value: Int16) throws { sink.integer(value) }
        mutating func encode(_ value: Int32) throws { sink.integer(value) }
        mutating func encode(_ value: Int64) throws { sink.integer(value) }
        mutating func encode(_ value: UInt) throws { sink.integer(value) }
        mutating func encode(_ value: UInt8) throws { sink.integer(value) }
        mutating func encode(_ value: UInt16) throws { sink.integer(value) }
        mutating func encode(_ value: UInt32) throws { sink.integer(value) }
        mutating func encode(_ value: UInt64) throws { sink.integer(value) }

        mutating func encode<T: Encodable>(_ value: T) throws {
            try LineEncoder(sink: sink, codingPath: codingPath).encodeValue(value)
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// JSON string escaping of valid UTF-8 (Swift strings always are): quote, backslash and
    /// control characters are escaped, everything else is copied as is, runs of plain bytes
    /// in one go.
    static func appendEscaped(_ source: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) {
        var runStart = 0
        var i = 0
        let count = source.count
        while i < count {
            let byte = source[i]
            if byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
                i += 1
                continue
            }
            if runStart < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[runStart ..< i])) }
            bytes.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
            case 0x0A: bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "t"))
            case 0x08: bytes.append(UInt8(ascii: "b"))
            case 0x0C: bytes.append(UInt8(ascii: "f"))
            default:
                bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                          hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]])
            }
            i += 1
            runStart = i
        }
        if runStart < count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[runStart ..< count])) }
    }
}
