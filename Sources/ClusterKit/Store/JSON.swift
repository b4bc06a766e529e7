/// A JSON value as the cluster directory holds it and as the server answers it.
///
/// Numbers keep their source text so a recorded `resourceVersion` or quantity is served
/// byte for byte; objects keep their key order so what is served reads like what was stored.
public enum JSON: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    public static func == (a: JSON, b: JSON) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.number(x), .number(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    public static func int(_ n: Int) -> JSON { .number(String(n)) }

    /// The member `key` of an object; nil for a missing key or a non-object.
    public subscript(key: String) -> JSON? {
        guard case .object(let members) = self else { return nil }
        return members.first(where: { $0.0 == key })?.1
    }

    /// A dotted path of object keys: `status.phase`.
    public func at(_ path: String) -> JSON? {
        var value: JSON? = self
        for key in path.split(separator: ".", omittingEmptySubsequences: false) {
            value = value?[String(key)]
        }
        return value
    }

    public var string: String? { if case .string(let s) = self { return s }; return nil }
    public var array: [JSON]? { if case .array(let a) = self { return a }; return nil }
    public var members: [(String, JSON)]? { if case .object(let m) = self { return m }; return nil }
    public var bool: Bool? { if case .bool(let b) = self { return b }; return nil }
    /// A whole number within ±2^52 (so sums of counts cannot overflow); nil otherwise.
    public var int: Int? {
        guard case .number(let text) = self else { return nil }
        let limit = 1 << 52
        if let n = Int(text) { return abs(n) <= limit ? n : nil }
        guard let d = Double(text), d.isFinite, abs(d) <= Double(limit) else { return nil }
        return Int(d)
    }

    /// The value as a field selector compares it: strings as they are, numbers and
    /// booleans as their text.
    public var scalarText: String? {
        switch self {
        case .string(let s): return s
        case .number(let n): return n
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }

    /// A copy with `key` set (replaced in place, or appended).
    public func setting(_ key: String, _ value: JSON) -> JSON {
        guard case .object(var members) = self else { return self }
        if let i = members.firstIndex(where: { $0.0 == key }) { members[i].1 = value } else { members.append((key, value)) }
        return .object(members)
    }

    public func removing(_ key: String) -> JSON {
        guard case .object(let members) = self else { return self }
        return .object(members.filter { $0.0 != key })
    }

    /// A copy with the dotted `path` set, creating objects on the way.
    public func setting(path: [String], _ value: JSON) -> JSON {
        guard let first = path.first else { return value }
        let child = self[first] ?? .object([])
        return setting(first, child.setting(path: Array(path.dropFirst()), value))
    }

    /// Every string in the value passed through `transform` (used to shift timestamps).
    public func mapStrings(_ transform: (String) -> String) -> JSON {
        switch self {
        case .string(let s): return .string(transform(s))
        case .array(let items): return .array(items.map { $0.mapStrings(transform) })
        case .object(let members): return .object(members.map { ($0.0, $0.1.mapStrings(transform)) })
        default: return self
        }
    }
}
