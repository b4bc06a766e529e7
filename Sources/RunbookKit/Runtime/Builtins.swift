import Foundation

struct BuiltinError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// A built-in function: its arity (checked before running) and what it does.
public struct Builtin: Sendable {
    public let name: String
    public let minArgs: Int
    public let maxArgs: Int
    public let signature: String
    public let summary: String
    let apply: @Sendable ([Value]) throws -> Value
}

/// The functions runbooks can call: text, lists, numbers, JSON and tables.
public enum Builtins {
    public static let table: [String: Builtin] = {
        var t: [String: Builtin] = [:]
        for b in all { t[b.name] = b }
        return t
    }()

    static func fn(_ name: String, _ minArgs: Int, _ maxArgs: Int, _ signature: String, _ summary: String,
                           _ apply: @escaping @Sendable ([Value]) throws -> Value) -> Builtin {
        Builtin(name: name, minArgs: minArgs, maxArgs: maxArgs, signature: signature, summary: summary, apply: apply)
    }

    public static let all: [Builtin] = [
        fn("trim", 1, 1, "trim(text)", "text without leading and trailing whitespace") {
            .string($0[0].text.trimmingCharacters(in: .whitespacesAndNewlines))
        },
        fn("lines", 1, 1, "lines(text)", "the non-empty lines of the text, as a list") { OutputText.lines($0[0]) },
        fn("words", 1, 1, "words(text)", "the text split on whitespace") {
            .list($0[0].text.split(whereSeparator: \.isWhitespace).map { .string(String($0)) })
        },
        fn("field", 2, 2, "field(text, n)", "the n-th whitespace-separated word (1-based, like awk), or null") { args in
            let words = args[0].text.split(whereSeparator: \.isWhitespace)
            guard let number = args[1].numberValue else { throw BuiltinError("n must be a number") }
            guard let n = WholeNumber.int(number) else {
                throw BuiltinError("n is \(Value.format(number)), out of range: it must be \(WholeNumber.rangeDescription)")
            }
            let i = n < 0 ? words.count + n : n - 1
            return i >= 0 && i < words.count ? .string(String(words[i])) : .null
        },
        fn("count", 1, 1, "count(x)", "items in a list, keys in a map, or non-empty lines in text") { args in
            switch args[0] {
            case .list(let items): return .number(Double(items.count))
            case .map(let keys, _): return .number(Double(keys.count))
            case .row(let rows, _): return .number(Double(rows.names.count))
            case .null: return .number(0)
            default:
                var count = 0
                OutputText.forEachLine(OutputText.of(args[0])) { _ in count += 1 }
                return .number(Double(count))
            }
        },
        fn("length", 1, 1, "length(text)", "the number of characters") { .number(Double($0[0].text.count)) },
        fn("number", 1, 1, "number(text)", "the text as a number (\"85%\" reads as 85); an error if it is not one") { args in
            guard let n = args[0].numberValue else { throw BuiltinError("'\(args[0].displayText)' is not a number") }
            return .number(n)
        },
        fn("int", 1, 1, "int(x)", "the number rounded down") { args in
            guard let n = args[0].numberValue else { throw BuiltinError("'\(args[0].displayText)' is not a number") }
            return .number(n.rounded(.down))
        },
        fn("quantity", 1, 1, "quantity(text)", "a Kubernetes quantity (128Mi, 2Gi, 500m, 1.5G) as a plain number") { args in
            guard let n = parseQuantity(args[0].text) else { throw BuiltinError("'\(args[0].displayText)' is not a quantity") }
            return .number(n)
        },
        fn("lower", 1, 1, "lower(text)", "lower-case text") { .string($0[0].text.lowercased()) },
        fn("upper", 1, 1, "upper(text)", "upper-case text") { .string($0[0].text.uppercased()) },
        fn("split", 2, 2, "split(text, separator)", "the text cut at each separator") { args in
            let sep = args[1].text
            guard !sep.isEmpty else { throw BuiltinError("the separator is empty") }
            return .list(args[0].text.components(separatedBy: sep).map { .string($0) })
        },
        fn("join", 2, 2, "join(list, separator)", "the items' text joined by the separator") { args in
            guard case .list(let items) = args[0] else { return .string(args[0].text) }
            return .string(items.map { $0.text }.joined(separator: args[1].text))
        },
        fn("replace", 3, 3, "replace(text, old, new)", "every occurrence of old replaced by new") {
            .string($0[0].text.replacingOccurrences(of: $0[1].text, with: $0[2].text))
        },
        fn("match", 2, 2, "match(text, regex)", "the first capture group (or the whole match) of the first match, or null") { args in
            let regex = try RegexCache.shared.regex(args[1].text)
            let text = args[0].text
            guard let m = try BoundedMatch.firstMatch(regex, in: text) else { return .null }
            let range = m.numberOfRanges > 1 && m.range(at: 1).location != NSNotFound ? m.range(at: 1) : m.range
            return Range(range, in: text).map { .string(String(text[$0])) } ?? .null
        },
        fn("grep", 2, 2, "grep(text or list, regex)", "the lines (or items) that match the regex") { args in
            let regex = try RegexCache.shared.regex(args[1].text)
            if case .list(let items) = args[0] {
                return .list(try items.filter { try BoundedMatch.firstMatch(regex, in: $0.text) != nil })
            }
            // Line by line from the output as kept: only the matching lines become values.
            var found: [Value] = []
            try OutputText.forEachLine(OutputText.of(args[0])) { line in
                if try BoundedMatch.firstMatch(regex, in: line) != nil { found.append(.string(line)) }
            }
            return .list(found)
        },
        fn("first", 1, 1, "first(list or text)", "the first item (or line), or null") { args in
            guard case .list(let items) = listOrLines(args[0]) else { return .null }
            return items.first ?? .null
        },
        fn("last", 1, 1, "last(list or text)", "the last item (or line), or null") { args in
            guard case .list(let items) = listOrLines(args[0]) else { return .null }
            return items.last ?? .null
        },
        fn("unique", 1, 1, "unique(list)", "the list without repeated items, in first-seen order") { args in
            guard case .list(let items) = listOrLines(args[0]) else { return .list([]) }
            var seen = Set<String>()
            return .list(items.filter { seen.insert($0.text).inserted })
        },
        fn("sort", 1, 2, "sort(list) or sort(rows, field)",
           "the items sorted (numerically when all are numbers), or rows sorted by a field") { try sorted($0) },
        fn("sum", 1, 1, "sum(list)", "the sum of the numbers in a list") { args in
            guard case .list(let items) = listOrLines(args[0]) else { return .number(0) }
            return .number(try items.reduce(0) { acc, v in
                guard let n = v.numberValue else { throw BuiltinError("'\(v.displayText)' is not a number") }
                return acc + n
            })
        },
        fn("max", 1, 2, "max(list) or max(a, b)", "the largest number") { try extreme($0, >) },
        fn("min", 1, 2, "min(list) or min(a, b)", "the smallest number") { try extreme($0, <) },
        fn("abs", 1, 1, "abs(n)", "the absolute value") { args in
            guard let n = args[0].numberValue else { throw BuiltinError("'\(args[0].displayText)' is not a number") }
            return .number(abs(n))
        },
        fn("round", 1, 2, "round(n, digits)", "n rounded to a number of decimal digits (default 0)") { args in
            guard let n = args[0].numberValue else { throw BuiltinError("'\(args[0].displayText)' is not a number") }
            let digits = args.count > 1 ? (args[1].numberValue ?? 0) : 0
            let scale = pow(10, digits)
            // Halves round away from zero (-2.5 gives -3); `+ 0` turns -0 into 0.
            return .number((n * scale).rounded(.toNearestOrAwayFromZero) / scale + 0)
        },
        fn("default", 2, 2, "default(x, fallback)", "x, or the fallback when x is null or empty") { args in
            args[0].text.isEmpty && !isCollection(args[0]) ? args[1] : args[0]
        },
        // Evaluated by `Evaluator` itself, from the environment the client passed in.
        fn("env", 1, 1, "env(name)", "an environment variable of the runner, or null") { _ in .null },
        fn("keys", 1, 1, "keys(map)", "the keys of a map") { args in
            guard let keys = args[0].mapKeys else { return .list([]) }
            return .list(keys.map { .string($0) })
        },
        fn("string", 1, 1, "string(x)", "x as text") { .string($0[0].displayText) },
        fn("json", 1, 2, "json(text, path)", "parsed JSON, or the value at a path such as \"status.phase\" or \"{.items[0].metadata.name}\"") { args in
            let value = try JSONValue.parse(OutputText.of(args[0]))
            return args.count > 1 ? try JSONValue.select(value, path: args[1].text) : value
        },
        fn("cidr_overlaps", 2, 2, "cidr_overlaps(a, b)", "whether two IPv4 networks (\"10.244.0.0/16\") share addresses") { args in
            guard let a = CIDR(args[0].text) else { throw BuiltinError("'\(args[0].displayText)' is not an IPv4 network") }
            guard let b = CIDR(args[1].text) else { throw BuiltinError("'\(args[1].displayText)' is not an IPv4 network") }
            return .bool(a.overlaps(b))
        },
        fn("is_cidr", 1, 1, "is_cidr(text)", "whether the text is an IPv4 address or network") { args in
            .bool(CIDR(args[0].text) != nil)
        },
        fn("table", 1, 1, "table(text)", "rows of tabular output (kubectl, df, ps) as maps keyed by the header") { args in
            TableParser.parse(TableParser.source(args[0]))
        },
        fn("column", 2, 2, "column(text, header)", "the cells under one header of tabular output, as a list") { args in
            guard case .list(let rows) = TableParser.parse(TableParser.source(args[0])) else { return .list([]) }
            let header = args[1].text
            if let keys = rows.first?.mapKeys, !keys.contains(header) {
                throw BuiltinError("no column '\(header)' (columns: \(keys.joined(separator: ", ")))")
            }
            return .list(rows.map { $0.entry(header) ?? .null })
        },
    ] + timeFunctions + rowFunctions + wholeNumberFunctions + selectorFunctions

    private static func listOrLines(_ v: Value) -> Value {
        if case .list = v { return v }
        if case .null = v { return .list([]) }
        return OutputText.lines(v)
    }

    private static func isCollection(_ v: Value) -> Bool {
        switch v {
        case .list(let items): return !items.isEmpty
        case .map(let keys, _): return !keys.isEmpty
        case .row(let rows, _): return !rows.names.isEmpty
        default: return false
        }
    }

    private static func extreme(_ args: [Value], _ better: (Double, Double) -> Bool) throws -> Value {
        let items: [Value]
        if args.count == 2 { items = args } else if case .list(let l) = listOrLines(args[0]) { items = l } else { items = [] }
        var best: Double?
        for v in items {
            guard let n = v.numberValue else { throw BuiltinError("'\(v.displayText)' is not a number") }
            if best == nil || better(n, best!) { best = n }
        }
        return best.map { .number($0) } ?? .null
    }

    /// Kubernetes resource quantities: binary (Ki Mi Gi Ti), decimal (k M G T) and milli (m).
    static func parseQuantity(_ text: String) -> Double? {
        let s = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let suffixes: [(String, Double)] = [
            ("Ki", 1024), ("Mi", 1_048_576), ("Gi", 1_073_741_824), ("Ti", 1_099_511_627_776), ("Pi", 1_125_899_906_842_624),
            ("k", 1e3), ("K", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12), ("P", 1e15), ("m", 1e-3),
        ]
        for (suffix, factor) in suffixes where s.hasSuffix(suffix) {
            return Double(s.dropLast(suffix.count)).map { $0 * factor }
        }
        return Double(s)
    }
}
