import Foundation

/// A value's journal form is plain JSON with its type kept: null, true/false, numbers,
/// strings, arrays and objects (a map's keys in their order). A command result, which is
/// more than its text, is an object with the single key "$result".
extension Value: Codable {
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    static let resultKey = "$result"

    public func encode(to encoder: Encoder) throws {
        switch self {
        case .null:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case .bool(let b):
            var c = encoder.singleValueContainer()
            try c.encode(b)
        case .number(let n):
            var c = encoder.singleValueContainer()
            try c.encode(n)
        case .string(let s):
            var c = encoder.singleValueContainer()
            try c.encode(s)
        case .list(let items):
            var c = encoder.unkeyedContainer()
            for item in items { try c.encode(item) }
        case .map(let keys, let values):
            var c = encoder.container(keyedBy: Key.self)
            for key in keys { try c.encode(values[key] ?? .null, forKey: Key(key)) }
        case .result(let result):
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(result, forKey: Key(Value.resultKey))
        case .row:
            try materialized.encode(to: encoder)
        }
    }

    public init(from decoder: Decoder) throws {
        if let c = try? decoder.singleValueContainer() {
            if c.decodeNil() { self = .null; return }
            if let b = try? c.decode(Bool.self) { self = .bool(b); return }
            if let n = try? c.decode(Double.self) { self = .number(n); return }
            if let s = try? c.decode(String.self) { self = .string(s); return }
        }
        if var list = try? decoder.unkeyedContainer() {
            var items: [Value] = []
            while !list.isAtEnd { items.append(try list.decode(Value.self)) }
            self = .list(items)
            return
        }
        let object = try decoder.container(keyedBy: Key.self)
        if object.allKeys.count == 1, object.contains(Key(Value.resultKey)) {
            self = .result(try object.decode(CommandResult.self, forKey: Key(Value.resultKey)))
            return
        }
        // JSON objects have no order a decoder keeps: keys come back sorted.
        let keys = object.allKeys.map(\.stringValue).sorted()
        var values: [String: Value] = [:]
        for key in keys { values[key] = try object.decode(Value.self, forKey: Key(key)) }
        self = .map(keys, values)
    }
}
