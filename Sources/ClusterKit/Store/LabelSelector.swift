/// A `labelSelector` query value: `app=x,tier!=db,env in (a,b),!legacy,release`.
public struct LabelSelector: Equatable, Sendable {
    public enum Requirement: Equatable, Sendable {
        case equals(String, String)
        case notEquals(String, String)
        case isIn(String, [String])
        case notIn(String, [String])
        case exists(String)
        case doesNotExist(String)
    }

    public let requirements: [Requirement]

    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public init(parsing text: String) throws {
        var requirements: [Requirement] = []
        for part in try LabelSelector.split(text) {
            requirements.append(try LabelSelector.requirement(part))
        }
        self.requirements = requirements
    }

    public func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { r in
            switch r {
            case .equals(let k, let v): return labels[k] == v
            case .notEquals(let k, let v): return labels[k] != v
            case .isIn(let k, let vs): return labels[k].map(vs.contains) ?? false
            case .notIn(let k, let vs): return !(labels[k].map(vs.contains) ?? false)
            case .exists(let k): return labels[k] != nil
            case .doesNotExist(let k): return labels[k] == nil
            }
        }
    }

    /// Splits at commas outside parentheses.
    private static func split(_ text: String) throws -> [String] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        for c in text {
            switch c {
            case "(": depth += 1; current.append(c)
            case ")":
                depth -= 1
                guard depth >= 0 else { throw ParseError(description: "unbalanced ')' in label selector \"\(text)\"") }
                current.append(c)
            case "," where depth == 0: parts.append(current); current = ""
            default: current.append(c)
            }
        }
        guard depth == 0 else { throw ParseError(description: "unclosed '(' in label selector \"\(text)\"") }
        parts.append(current)
        return parts.map { $0.trimmingSpaces }.filter { !$0.isEmpty }
    }

    private static func requirement(_ part: String) throws -> Requirement {
        if part.hasPrefix("!") {
            return .doesNotExist(try key(String(part.dropFirst()).trimmingSpaces, in: part))
        }
        for (op, make) in [("!=", Requirement.notEquals), ("==", Requirement.equals), ("=", Requirement.equals)] {
            if let range = part.range(of: op) {
                let k = try key(String(part[..<range.lowerBound]).trimmingSpaces, in: part)
                let v = String(part[range.upperBound...]).trimmingSpaces
                try checkValue(v, in: part)
                return make(k, v)
            }
        }
        let words = part.split(separator: " ", maxSplits: 1).map(String.init)
        if words.count == 2 {
            let rest = words[1].trimmingSpaces
            for (op, make) in [("notin", Requirement.notIn), ("in", Requirement.isIn)] where rest.hasPrefix(op) {
                let list = rest.dropFirst(op.count).trimmingSpaces
                guard list.hasPrefix("("), list.hasSuffix(")") else {
                    throw ParseError(description: "expected '(' after '\(op)' in \"\(part)\"")
                }
                let values = list.dropFirst().dropLast().split(separator: ",").map { String($0).trimmingSpaces }
                for v in values { try checkValue(v, in: part) }
                return make(try key(words[0], in: part), values)
            }
            throw ParseError(description: "unknown operator in \"\(part)\" (expected =, ==, !=, in, notin)")
        }
        return .exists(try key(part, in: part))
    }

    private static func key(_ k: String, in part: String) throws -> String {
        guard !k.isEmpty, k.count <= 317, k.allSatisfy({ $0.isLetter || $0.isNumber || "-_./".contains($0) }) else {
            throw ParseError(description: "invalid label key \"\(k)\" in \"\(part)\"")
        }
        return k
    }

    private static func checkValue(_ v: String, in part: String) throws {
        guard v.count <= 63, v.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw ParseError(description: "invalid label value \"\(v)\" in \"\(part)\"")
        }
    }
}

/// A `fieldSelector` query value: `status.phase=Pending,spec.nodeName!=n1`. Any dotted path
/// of the object can be compared; a missing field compares as "".
public struct FieldSelector: Equatable, Sendable {
    public struct Requirement: Equatable, Sendable {
        public let path: String
        public let value: String
        public let negated: Bool
    }

    public let requirements: [Requirement]

    public init(parsing text: String) throws {
        var requirements: [Requirement] = []
        for part in FieldSelector.split(text) where !part.isEmpty {
            var found = false
            for (op, negated) in [("!=", true), ("==", false), ("=", false)] {
                if let range = part.range(of: op) {
                    let path = String(part[..<range.lowerBound]).trimmingSpaces
                    guard !path.isEmpty else { throw LabelSelector.ParseError(description: "a field selector needs a field before '\(op)' in \"\(part)\"") }
                    requirements.append(Requirement(path: path, value: FieldSelector.unescape(String(part[range.upperBound...])), negated: negated))
                    found = true
                    break
                }
            }
            guard found else {
                throw LabelSelector.ParseError(description: "invalid field selector \"\(part)\" (expected FIELD=VALUE, FIELD==VALUE or FIELD!=VALUE)")
            }
        }
        self.requirements = requirements
    }

    public func matches(_ object: JSON) -> Bool {
        requirements.allSatisfy { r in
            let actual = object.at(r.path)?.scalarText ?? ""
            return (actual == r.value) != r.negated
        }
    }

    /// Splits at commas not escaped with a backslash.
    private static func split(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var escaped = false
        for c in text {
            if escaped { current.append("\\"); current.append(c); escaped = false; continue }
            if c == "\\" { escaped = true; continue }
            if c == "," { parts.append(current); current = ""; continue }
            current.append(c)
        }
        parts.append(current)
        return parts
    }

    private static func unescape(_ text: String) -> String {
        var out = ""
        var escaped = false
        for c in text {
            if escaped { out.append(c); escaped = false } else if c == "\\" { escaped = true } else { out.append(c) }
        }
        return out
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
