import Foundation

/// Builds one JSON object as a single line of bytes, ending in "\n". Hand-written because the
/// journal writes one per event and JSONEncoder would cost far more than the event itself.
/// Every string value passes through the redactor; keys are fixed names and do not.
struct JournalLineBuilder {
    private(set) var bytes: [UInt8] = []
    private var needsComma = false
    private let redactor: SecretRedactor

    init(type: String, redactor: SecretRedactor, capacity: Int = 256) {
        self.redactor = redactor
        bytes.reserveCapacity(capacity)
        bytes.append(UInt8(ascii: "{"))
        string("type", type)
    }

    /// The finished line: the object's closing brace and a newline.
    mutating func finish() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    mutating func string(_ key: String, _ value: String) {
        self.key(key)
        appendQuoted(redactor.redact(value))
    }

    /// A value the caller has already passed through the redactor.
    mutating func redactedString(_ key: String, _ value: String) {
        self.key(key)
        appendQuoted(value)
    }

    mutating func optionalString(_ key: String, _ value: String?) {
        if let value { string(key, value) } else { null(key) }
    }

    mutating func time(_ key: String, _ date: Date) {
        self.key(key)
        bytes.append(UInt8(ascii: "\""))
        JournalTime.appendISO8601(date, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func int(_ key: String, _ value: Int) {
        self.key(key)
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func bool(_ key: String, _ value: Bool) {
        self.key(key)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    mutating func null(_ key: String) {
        self.key(key)
        bytes.append(contentsOf: "null".utf8)
    }

    /// Seconds with millisecond precision, e.g. 0.042; JSON has no NaN or infinity, so those
    /// become 0.
    mutating func seconds(_ key: String, _ value: Double) {
        self.key(key)
        let millis = value.isFinite ? Int((value * 1000).rounded()) : 0
        if millis < 0 { bytes.append(UInt8(ascii: "-")) }
        let magnitude = abs(millis)
        bytes.append(contentsOf: String(magnitude / 1000).utf8)
        bytes.append(UInt8(ascii: "."))
        let fraction = magnitude % 1000
        bytes.append(UInt8(ascii: "0") + UInt8(fraction / 100))
        bytes.append(UInt8(ascii: "0") + UInt8(fraction / 10 % 10))
        bytes.append(UInt8(ascii: "0") + UInt8(fraction % 10))
    }

    /// A flat object of strings, keys sorted so journals diff cleanly.
    mutating func stringMap(_ key: String, _ map: [String: String]) {
        self.key(key)
        bytes.append(UInt8(ascii: "{"))
        var first = true
        for name in map.keys.sorted() {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            appendQuoted(name)
            bytes.append(UInt8(ascii: ":"))
            appendQuoted(redactor.redact(map[name]!))
        }
        bytes.append(UInt8(ascii: "}"))
    }

    private mutating func key(_ key: String) {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        needsComma = true
        appendQuoted(key)
        bytes.append(UInt8(ascii: ":"))
    }

    private mutating func appendQuoted(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { JournalLineBuilder.appendEscaped($0, to: &bytes) }
        bytes.append(UInt8(ascii: "\""))
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// JSON string escaping of valid UTF-8 (Swift strings always are): quote, backslash and
    /// control characters are escaped, everything else is copied as is. Runs of plain bytes are
    /// copied in one go.
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
                let hex = hexDigits
                bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                          hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
            }
            i += 1
            runStart = i
        }
        if runStart < count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[runStart ..< count])) }
    }
}
