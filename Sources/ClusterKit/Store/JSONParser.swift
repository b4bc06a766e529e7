/// A strict JSON reader that never traps: errors give line and column.
public struct JSONParseError: Error, CustomStringConvertible, Sendable {
    public let line: Int
    public let column: Int
    public let reason: String
    public var description: String { "\(line):\(column): \(reason)" }
}

public struct JSONParser {
    private let bytes: [UInt8]
    private var position = 0
    private static let maxDepth = 256

    public static func parse(_ bytes: [UInt8]) throws -> JSON {
        var parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        guard !parser.atEnd else { throw parser.error("no JSON value (the file is empty)") }
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.atEnd else { throw parser.error("unexpected text after the JSON value") }
        return value
    }

    public static func parse(_ text: String) throws -> JSON { try parse(Array(text.utf8)) }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private var atEnd: Bool { position >= bytes.count }

    private func error(_ reason: String) -> JSONParseError {
        var line = 1, column = 1
        for b in bytes[0..<min(position, bytes.count)] {
            if b == 0x0A { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
        }
        return JSONParseError(line: line, column: column, reason: reason)
    }

    private mutating func skipWhitespace() {
        while position < bytes.count, bytes[position] == 0x20 || bytes[position] == 0x0A
                || bytes[position] == 0x0D || bytes[position] == 0x09 { position += 1 }
    }

    private mutating func value(depth: Int) throws -> JSON {
        guard depth < JSONParser.maxDepth else { throw error("nested more than \(JSONParser.maxDepth) levels deep") }
        skipWhitespace()
        guard !atEnd else { throw error("unexpected end of the text, expected a value") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw error("unexpected character '\(String(decoding: [bytes[position]], as: UTF8.self))'")
        }
    }

    private mutating func literal(_ word: String) throws {
        let w = Array(word.utf8)
        guard position + w.count <= bytes.count, Array(bytes[position..<position + w.count]) == w else {
            throw error("unexpected word, expected '\(word)'")
        }
        position += w.count
    }

    private mutating func expect(_ c: UInt8, _ what: String) throws {
        skipWhitespace()
        guard !atEnd, bytes[position] == c else { throw error("expected \(what)") }
        position += 1
    }

    private mutating func object(depth: Int) throws -> JSON {
        position += 1
        var members: [(String, JSON)] = []
        skipWhitespace()
        if !atEnd, bytes[position] == UInt8(ascii: "}") { position += 1; return .object([]) }
        while true {
            skipWhitespace()
            guard !atEnd, bytes[position] == UInt8(ascii: "\"") else { throw error("expected a quoted key") }
            let key = try string()
            try expect(UInt8(ascii: ":"), "':' after the key \"\(key)\"")
            members.append((key, try value(depth: depth + 1)))
            skipWhitespace()
            guard !atEnd else { throw error("unexpected end of the text inside an object") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "}") { position += 1; return .object(members) }
            throw error("expected ',' or '}' in an object")
        }
    }

    private mutating func array(depth: Int) throws -> JSON {
        position += 1
        var items: [JSON] = []
        skipWhitespace()
        if !atEnd, bytes[position] == UInt8(ascii: "]") { position += 1; return .array([]) }
        while true {
            items.append(try value(depth: depth + 1))
            skipWhitespace()
            guard !atEnd else { throw error("unexpected end of the text inside an array") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "]") { position += 1; return .array(items) }
            throw error("expected ',' or ']' in an array")
        }
    }

    private mutating func string() throws -> String {
        position += 1
        var out: [UInt8] = []
        while true {
            guard !atEnd else { throw error("unterminated string") }
            let b = bytes[position]
            position += 1
            if b == UInt8(ascii: "\"") { break }
            if b < 0x20 { throw error("a control character inside a string (escape it)") }
            guard b == UInt8(ascii: "\\") else { out.append(b); continue }
            guard !atEnd else { throw error("unterminated escape") }
            let e = bytes[position]
            position += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar), position + 1 < bytes.count,
                   bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") {
                    position += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw error("invalid surrogate pair") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                let s = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                out.append(contentsOf: Array(String(Character(s)).utf8))
            default: throw error("unknown escape '\\\(String(decoding: [e], as: UTF8.self))'")
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func hex4() throws -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("short \\u escape") }
        var v: UInt32 = 0
        for b in bytes[position..<position + 4] {
            guard let d = hexValue(b) else { throw error("bad hex digit in a \\u escape") }
            v = v * 16 + d
        }
        position += 4
        return v
    }

    private func hexValue(_ b: UInt8) -> UInt32? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(b - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(b - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    private mutating func number() throws -> JSON {
        let start = position
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        var digits = 0
        func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        while !atEnd, isDigit(bytes[position]) { position += 1; digits += 1 }
        guard digits > 0 else { throw error("a number without digits") }
        if !atEnd, bytes[position] == UInt8(ascii: ".") {
            position += 1
            var frac = 0
            while !atEnd, isDigit(bytes[position]) { position += 1; frac += 1 }
            guard frac > 0 else { throw error("a number with no digits after '.'") }
        }
        if !atEnd, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            position += 1
            if !atEnd, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
            var exp = 0
            while !atEnd, isDigit(bytes[position]) { position += 1; exp += 1 }
            guard exp > 0 else { throw error("a number with no digits in its exponent") }
        }
        return .number(String(decoding: bytes[start..<position], as: UTF8.self))
    }
}
