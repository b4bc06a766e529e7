import Foundation

/// JSON text to runbook values, and path selection like kubectl's jsonpath (`{.a.b[0]}`).
enum JSONValue {
    static func parse(_ text: String) throws -> Value {
        try parse(CapturedText(text))
    }

    /// Parses the bytes in place: a spilled output is read from its mapping, not copied.
    static func parse(_ text: CapturedText) throws -> Value {
        try text.withBytes { bytes in
            var parser = JSONTextParser(bytes)
            parser.skipWhitespace()
            guard !parser.atEnd else { throw BuiltinError("no JSON to parse (the text is empty)") }
            do {
                let value = try parser.parseValue(depth: 0)
                parser.skipWhitespace()
                guard parser.atEnd else { throw BuiltinError("unexpected text after the JSON value") }
                return value
            } catch let error as BuiltinError {
                let preview = String(decoding: bytes.prefix(60), as: UTF8.self).replacingOccurrences(of: "\n", with: " ")
                throw BuiltinError("the text is not valid JSON (\(error.message) at byte \(parser.position)): \(preview)…")
            }
        }
    }

    /// `a.b[0].c`, `.a.b`, `{.a.b}`; a missing key gives null rather than an error.
    static func select(_ root: Value, path: String) throws -> Value {
        var p = path.trimmingCharacters(in: .whitespaces)
        if p.hasPrefix("{") && p.hasSuffix("}") { p = String(p.dropFirst().dropLast()) }
        var value = root
        var i = p.startIndex
        while i < p.endIndex {
            let c = p[i]
            if c == "." { i = p.index(after: i); continue }
            if c == "[" {
                guard let close = p[i...].firstIndex(of: "]") else { throw BuiltinError("unclosed '[' in path '\(path)'") }
                let inside = p[p.index(after: i)..<close].trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
                if let n = Int(inside) {
                    if case .list(let items) = value {
                        let k = n < 0 ? items.count + n : n
                        value = k >= 0 && k < items.count ? items[k] : .null
                    } else { value = .null }
                } else if inside == "*" {
                    // keep the list as it is
                } else if value.mapKeys != nil {
                    value = value.entry(inside) ?? .null
                } else { value = .null }
                i = p.index(after: close)
                continue
            }
            var j = i
            while j < p.endIndex, p[j] != ".", p[j] != "[" { j = p.index(after: j) }
            let key = String(p[i..<j])
            switch value {
            case .map, .row: value = value.entry(key) ?? .null
            case .list(let items):
                // `items.metadata.name` maps over a list, as jsonpath's [*] does.
                value = .list(items.map { $0.entry(key) ?? .null })
            default: value = .null
            }
            i = j
        }
        return value
    }
}

/// A small strict JSON parser that keeps object keys in order and never traps.
struct JSONTextParser {
    /// Valid only inside the `withBytes` call that made the parser.
    private let bytes: UnsafeBufferPointer<UInt8>
    private(set) var position = 0
    private static let maxDepth = 512

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    var atEnd: Bool { position >= bytes.count }

    mutating func skipWhitespace() {
        while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
    }

    mutating func parseValue(depth: Int) throws -> Value {
        guard depth < JSONTextParser.maxDepth else { throw BuiltinError("nested too deeply") }
        skipWhitespace()
        guard position < bytes.count else { throw BuiltinError("unexpected end") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return try parseNumber()
        }
    }

    private mutating func literal(_ word: String) throws {
        let w = Array(word.utf8)
        guard position + w.count <= bytes.count, Array(bytes[position..<position + w.count]) == w else {
            throw BuiltinError("unexpected character")
        }
        position += w.count
    }

    private mutating func parseObject(depth: Int) throws -> Value {
        position += 1
        var pairs: [(String, Value)] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") { position += 1; return .map(pairs) }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw BuiltinError("expected a key") }
            let key = try parseString()
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw BuiltinError("expected ':'") }
            position += 1
            pairs.append((key, try parseValue(depth: depth + 1)))
            skipWhitespace()
            guard position < bytes.count else { throw BuiltinError("unexpected end") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "}") { position += 1; return .map(pairs) }
            throw BuiltinError("expected ',' or '}'")
        }
    }

    private mutating func parseArray(depth: Int) throws -> Value {
        position += 1
        var items: [Value] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") { position += 1; return .list(items) }
        while true {
            items.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            guard position < bytes.count else { throw BuiltinError("unexpected end") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "]") { position += 1; return .list(items) }
            throw BuiltinError("expected ',' or ']'")
        }
    }

    private mutating func parseString() throws -> String {
        position += 1
        var out: [UInt8] = []
        while position < bytes.count {
            let c = bytes[position]
            if c == UInt8(ascii: "\"") { position += 1; return String(decoding: out, as: UTF8.self) }
            if c == UInt8(ascii: "\\") {
                guard position + 1 < bytes.count else { break }
                let e = bytes[position + 1]
                position += 2
                switch e {
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "b"): out.append(8)
                case UInt8(ascii: "f"): out.append(12)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar), position + 1 < bytes.count,
                       bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") {
                        position += 2
                        let low = try hex4()
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    out.append(contentsOf: Array(String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8))
                default: out.append(e)
                }
                continue
            }
            out.append(c)
            position += 1
        }
        throw BuiltinError("unterminated string")
    }

    private mutating func hex4() throws -> UInt32 {
        guard position + 4 <= bytes.count,
              let v = UInt32(String(decoding: bytes[position..<position + 4], as: UTF8.self), radix: 16) else {
            throw BuiltinError("bad \\u escape")
        }
        position += 4
        return v
    }

    private mutating func parseNumber() throws -> Value {
        let start = position
        while position < bytes.count, "+-0123456789.eE".utf8.contains(bytes[position]) { position += 1 }
        guard position > start, let n = Double(String(decoding: bytes[start..<position], as: UTF8.self)) else {
            throw BuiltinError("unexpected character")
        }
        return .number(n)
    }
}
