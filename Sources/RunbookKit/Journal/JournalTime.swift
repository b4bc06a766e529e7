import Foundation

/// Times in the journal: ISO-8601 in UTC with milliseconds ("2024-05-01T03:15:09.042Z"),
/// formatted by hand because this runs for every event and DateFormatter costs microseconds.
public enum JournalTime {
    public static func iso8601(_ date: Date) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        appendISO8601(date, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    static func appendISO8601(_ date: Date, to bytes: inout [UInt8]) {
        let (fields, millis) = utcFields(date)
        appendDigits(Int(fields.tm_year) + 1900, width: 4, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(Int(fields.tm_mon) + 1, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(Int(fields.tm_mday), width: 2, to: &bytes)
        bytes.append(UInt8(ascii: "T"))
        appendDigits(Int(fields.tm_hour), width: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(Int(fields.tm_min), width: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(Int(fields.tm_sec), width: 2, to: &bytes)
        bytes.append(UInt8(ascii: "."))
        appendDigits(millis, width: 3, to: &bytes)
        bytes.append(UInt8(ascii: "Z"))
    }

    /// "YYYYMMDD-HHMMSS" in UTC, for journal file names.
    public static func fileStamp(_ date: Date) -> String {
        let (f, _) = utcFields(date)
        var bytes: [UInt8] = []
        appendDigits(Int(f.tm_year) + 1900, width: 4, to: &bytes)
        appendDigits(Int(f.tm_mon) + 1, width: 2, to: &bytes)
        appendDigits(Int(f.tm_mday), width: 2, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(Int(f.tm_hour), width: 2, to: &bytes)
        appendDigits(Int(f.tm_min), width: 2, to: &bytes)
        appendDigits(Int(f.tm_sec), width: 2, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses what `iso8601` writes (fractional seconds optional); nil for anything else.
    public static func parse(_ text: String) -> Date? {
        let b = Array(text.utf8)
        guard b.count >= 20, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              b[10] == UInt8(ascii: "T"), b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
              b.last == UInt8(ascii: "Z"),
              let year = number(b, 0, 4), let month = number(b, 5, 2), let day = number(b, 8, 2),
              let hour = number(b, 11, 2), let minute = number(b, 14, 2), let second = number(b, 17, 2)
        else { return nil }
        var fraction = 0.0
        if b.count > 20 {
            guard b[19] == UInt8(ascii: "."), b.count > 21 else { return nil }
            var scale = 0.1
            for digit in b[20 ..< b.count - 1] {
                guard digit >= 48, digit <= 57 else { return nil }
                fraction += Double(digit - 48) * scale
                scale /= 10
            }
        } else if b[19] != UInt8(ascii: "Z") {
            return nil
        }
        var fields = tm()
        fields.tm_year = Int32(year - 1900)
        fields.tm_mon = Int32(month - 1)
        fields.tm_mday = Int32(day)
        fields.tm_hour = Int32(hour)
        fields.tm_min = Int32(minute)
        fields.tm_sec = Int32(second)
        let seconds = timegm(&fields)
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    private static func utcFields(_ date: Date) -> (tm, Int) {
        let totalMillis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(totalMillis / 1000)
        var millis = Int(totalMillis % 1000)
        if millis < 0 {   // before 1970: keep the remainder positive
            millis += 1000
            seconds -= 1
        }
        var fields = tm()
        gmtime_r(&seconds, &fields)
        return (fields, millis)
    }

    private static func appendDigits(_ value: Int, width: Int, to bytes: inout [UInt8]) {
        var divisor = 1
        for _ in 1 ..< width { divisor *= 10 }
        let value = max(0, value) % (divisor * 10)
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }

    private static func number(_ b: [UInt8], _ start: Int, _ count: Int) -> Int? {
        var value = 0
        for digit in b[start ..< start + count] {
            guard digit >= 48, digit <= 57 else { return nil }
            value = value * 10 + Int(digit - 48)
        }
        return value
    }
}
