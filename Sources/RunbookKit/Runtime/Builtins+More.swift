import Foundation

/// Time, rows of tables, and whole-number arithmetic.
extension Builtins {
    static let timeFunctions: [Builtin] = [
        fn("now", 0, 0, "now()", "the current time, in seconds since 1970-01-01 00:00 UTC") { _ in
            .number(Date().timeIntervalSince1970)
        },
        fn("parse_time", 1, 1, "parse_time(text)",
           "a time (RFC 3339, openssl's notAfter=…, or date's default form) in seconds since 1970 UTC") { args in
            let text = args[0].text
            guard let seconds = TimeText.parse(text) else {
                throw BuiltinError("'\(args[0].displayText)' is not a time: use \(TimeText.forms)")
            }
            return .number(seconds)
        },
        fn("format_time", 1, 2, "format_time(seconds, form)",
           "seconds since 1970 as UTC text: \"rfc3339\" (the default, 2026-12-07T10:48:52Z) or \"date\" (2026-12-07)") { args in
            guard let seconds = args[0].numberValue else {
                throw BuiltinError("'\(args[0].displayText)' (\(args[0].typeName)) is not a number of seconds")
            }
            let form = args.count > 1 ? args[1].text : "rfc3339"
            guard let text = TimeText.format(seconds, form: form) else {
                if form != "rfc3339" && form != "date" {
                    throw BuiltinError("unknown form '\(form)': use \"rfc3339\" or \"date\"")
                }
                throw BuiltinError("\(Value.format(seconds)) is outside the years 1 to 9999")
            }
            return .string(text)
        },
    ]

    static let rowFunctions: [Builtin] = [
        fn("where", 3, 3, "where(rows, field, value)", "the rows (maps) whose field equals the value") { args in
            let rows = try rowsOf(args[0])
            let field = try knownField(args[1].text, in: rows)
            return .list(rows.filter { Operators.equal(cell($0, field), args[2]) })
        },
        fn("map", 2, 2, "map(rows, field)", "the field of each row (map), as a list") { args in
            let rows = try rowsOf(args[0])
            let field = try knownField(args[1].text, in: rows)
            return .list(rows.map { cell($0, field) })
        },
        fn("any", 1, 1, "any(list)", "whether some item is true (false for an empty list)") { args in
            .bool(try itemsOf(args[0]).contains { $0.truthy })
        },
        fn("all", 1, 1, "all(list)", "whether every item is true (true for an empty list)") { args in
            .bool(try itemsOf(args[0]).allSatisfy { $0.truthy })
        },
        // Evaluated by `Evaluator` itself: it needs the name, not its value.
        fn("defined", 1, 1, "defined(name)", "whether the name has a value now (the name need not be set anywhere)") { _ in
            .bool(false)
        },
    ]

    static let wholeNumberFunctions: [Builtin] = [
        fn("div", 2, 2, "div(a, b)", "a divided by b, rounded down (floor division): div(-7, 2) is -4") { args in
            let (a, b) = try numbers(args)
            guard b != 0 else { throw BuiltinError("division by zero") }
            return .number((a / b).rounded(.down) + 0)
        },
        fn("mod", 2, 2, "mod(a, b)", "the remainder of div(a, b), with the sign of b: mod(-7, 3) is 2") { args in
            let (a, b) = try numbers(args)
            guard b != 0 else { throw BuiltinError("division by zero") }
            var r = a.truncatingRemainder(dividingBy: b)
            if r != 0 && (r < 0) != (b < 0) { r += b }
            return .number(r + 0)
        },
    ]

    /// Sorts numbers numerically, text lexically, and rows by one field.
    static func sorted(_ args: [Value]) throws -> Value {
        let items = try itemsOf(args[0], lines: true)
        let keys: [Value]
        if args.count > 1 {
            let rows = try rowsOf(.list(items))
            let field = try knownField(args[1].text, in: rows)
            keys = rows.map { cell($0, field) }
        } else {
            if let fields = items.lazy.compactMap(\.mapKeys).first?.joined(separator: ", ") {
                throw BuiltinError("rows sort by a field: sort(rows, \"FIELD\") (fields: \(fields))")
            }
            keys = items
        }
        let numeric = keys.allSatisfy { $0.numberValue != nil }
        let order = keys.indices.sorted { i, j in
            if numeric, let x = keys[i].numberValue, let y = keys[j].numberValue, x != y { return x < y }
            if !numeric, keys[i].text != keys[j].text { return keys[i].text < keys[j].text }
            return i < j   // equal keys keep their order
        }
        return .list(order.map { items[$0] })
    }

    private static func numbers(_ args: [Value]) throws -> (Double, Double) {
        for v in args where v.numberValue == nil {
            throw BuiltinError("'\(v.displayText)' (\(v.typeName)) is not a number")
        }
        return (args[0].numberValue!, args[1].numberValue!)
    }

    /// The items of a list (null is an empty list); text is refused unless taken line by line.
    private static func itemsOf(_ v: Value, lines: Bool = false) throws -> [Value] {
        switch v {
        case .list(let items): return items
        case .null: return []
        case .map, .row: throw BuiltinError("a map is not a list: use keys(map) or a list of rows")
        default:
            if lines, case .list(let items) = OutputText.lines(v) { return items }
            throw BuiltinError("'\(v.displayText)' (\(v.typeName)) is not a list")
        }
    }

    /// A list of maps, as `table()` and `json()` give.
    private static func rowsOf(_ v: Value) throws -> [Value] {
        if case .string = v { throw BuiltinError("text is not a list of rows: read it with table(text) or json(text) first") }
        if case .result = v { throw BuiltinError("a command's output is not a list of rows: read it with table(x) or json(x) first") }
        let items = try itemsOf(v)
        for (i, item) in items.enumerated() {
            guard item.mapKeys != nil else {
                throw BuiltinError("item [\(i)] is \(item.typeName) '\(item.displayText)', not a row (a map)")
            }
        }
        return items
    }

    /// The field, when some row has it (or there are no rows); a misspelt one is an error.
    private static func knownField(_ field: String, in rows: [Value]) throws -> String {
        guard let first = rows.first, !rows.contains(where: { $0.mapKeys?.contains(field) == true }) else { return field }
        throw BuiltinError("no field '\(field)' (fields: \((first.mapKeys ?? []).joined(separator: ", ")))")
    }

    private static func cell(_ row: Value, _ field: String) -> Value {
        row.entry(field) ?? .null
    }
}

/// Times as text, read and written by hand so the result depends on no locale or time zone.
enum TimeText {
    static let forms = """
        RFC 3339 (2026-12-07T10:48:52Z, 2026-12-07T10:48:52.5+01:00), openssl's form \
        (notAfter=Dec  7 10:48:52 2027 GMT) or date's (Mon Dec  7 10:48:52 UTC 2026, in UTC or GMT)
        """

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    private static let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    // Compiled once; the patterns are fixed and valid.
    nonisolated(unsafe) private static let rfc3339 = try! NSRegularExpression(
        pattern: #"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|([+-])(\d{2}):(\d{2}))$"#)
    nonisolated(unsafe) private static let openssl = try! NSRegularExpression(
        pattern: #"^(?:not(?:After|Before)=)?([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(\.\d+)? (\d{4}) GMT$"#)
    nonisolated(unsafe) private static let date = try! NSRegularExpression(
        pattern: #"^([A-Z][a-z]{2}) ([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (?:UTC|GMT) (\d{4})$"#)

    /// Seconds since 1970-01-01 00:00 UTC, or nil when the text is none of the forms.
    static func parse(_ raw: String) -> Double? {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if let g = groups(rfc3339, text) {
            var offset = 0
            if let sign = g[9], let h = Int(g[10]!), let m = Int(g[11]!) {
                guard h < 24, m < 60 else { return nil }
                offset = (sign == "-" ? -1 : 1) * (h * 3600 + m * 60)
            }
            return seconds(year: g[1]!, month: Int(g[2]!), day: g[3]!, g[4]!, g[5]!, g[6]!, fraction: g[7])
                .map { $0 - Double(offset) }
        }
        if let g = groups(openssl, text) {
            return seconds(year: g[7]!, month: month(g[1]!), day: g[2]!, g[3]!, g[4]!, g[5]!, fraction: g[6])
        }
        if let g = groups(date, text), weekdays.contains(g[1]!) {
            return seconds(year: g[7]!, month: month(g[2]!), day: g[3]!, g[4]!, g[5]!, g[6]!, fraction: nil)
        }
        return nil
    }

    /// "2026-12-07T10:48:52Z" (milliseconds when there is a fraction) or "2026-12-07"; nil
    /// for an unknown form or a time outside the years 1 to 9999.
    static func format(_ seconds: Double, form: String) -> String? {
        guard form == "rfc3339" || form == "date", seconds.isFinite,
              seconds >= -62_135_596_800, seconds < 253_402_300_800 else { return nil }
        let whole = seconds.rounded(.down)
        let millis = Int(((seconds - whole) * 1000).rounded())
        var total = Int(whole)
        var fraction = millis
        if fraction == 1000 { total += 1; fraction = 0 }
        let days = total >= 0 ? total / 86400 : -((-total + 86399) / 86400)
        let inDay = total - days * 86400
        let (y, m, d) = civil(fromDays: days)
        let day = pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2)
        if form == "date" { return day }
        var text = day + "T" + pad(inDay / 3600, 2) + ":" + pad(inDay / 60 % 60, 2) + ":" + pad(inDay % 60, 2)
        if fraction > 0 {
            var digits = pad(fraction, 3)
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return text + "Z"
    }

    private static func groups(_ regex: NSRegularExpression, _ text: String) -> [String?]? {
        let range = NSRange(text.startIndex..., in: text)
        guard let m = regex.firstMatch(in: text, range: range) else { return nil }
        return (0..<m.numberOfRanges).map { i in Range(m.range(at: i), in: text).map { String(text[$0]) } }
    }

    private static func month(_ name: String) -> Int? {
        months.firstIndex(of: name).map { $0 + 1 }
    }

    private static func seconds(year: String, month: Int?, day: String, _ hour: String, _ minute: String, _ second: String,
                                fraction: String?) -> Double? {
        guard let y = Int(year), let m = month, let d = Int(day), let h = Int(hour), let mi = Int(minute), let s = Int(second),
              (1...12).contains(m), d >= 1, d <= daysIn(month: m, year: y), h < 24, mi < 60, s <= 60 else { return nil }
        let f = fraction.flatMap { Double("0" + $0) } ?? 0
        let total = days(fromCivil: y, m, d) * 86400 + h * 3600 + mi * 60 + s
        return Double(total) + f
    }

    private static func daysIn(month m: Int, year y: Int) -> Int {
        if m == 2 { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) ? 29 : 28 }
        return [4, 6, 9, 11].contains(m) ? 30 : 31
    }

    /// Days since 1970-01-01 of a date in the proleptic Gregorian calendar.
    static func days(fromCivil year: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * ((m + 9) % 12) + 2) / 5 + d - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let d = dayOfYear - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    private static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }
}
