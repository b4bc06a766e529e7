import Foundation

/// A value read as text by the functions that take command output as data. A command result
/// gives its output as kept — a string, or a spilled file read in place — so `lines()`,
/// `grep()`, `count()` and `contains` over a 300 MB output never make a 300 MB string; any
/// other value gives its text.
enum OutputText {
    static func of(_ value: Value) -> CapturedText {
        if case .result(let r) = value { return r.stdoutText }
        return CapturedText(value.text)
    }

    /// The non-empty lines, as `lines()` returns them.
    static func lines(_ value: Value) -> Value {
        var items: [Value] = []
        forEachLine(of(value)) { items.append(.string($0)) }
        return .list(items)
    }

    /// Calls `body` with each non-empty line. Lines end where Swift's `isNewline` says (LF,
    /// CR, CRLF, VT, FF, NEL, LS, PS), in memory and in a spilled file alike. Lines are found
    /// on bytes, and only a line with another line end than LF inside is split as characters:
    /// splitting a whole `String` on `isNewline` took half again as long (bench/spill.sh, grep).
    static func forEachLine(_ text: CapturedText, _ body: (String) throws -> Void) rethrows {
        try text.withBytes { bytes in
            var start = 0
            for i in 0...bytes.count where i == bytes.count || bytes[i] == 0x0A {
                defer { start = i + 1 }
                guard i > start else { continue }
                let segment = UnsafeBufferPointer(rebasing: bytes[start..<i])
                if segment.allSatisfy({ $0 < 0x80 && ($0 < 0x0B || $0 > 0x0D) }) {
                    try body(String(decoding: segment, as: UTF8.self))
                } else {
                    // CR, VT, FF or a non-ASCII line end inside: the string's own rules.
                    for line in String(decoding: segment, as: UTF8.self).split(whereSeparator: \.isNewline) {
                        try body(String(line))
                    }
                }
            }
        }
    }

    /// Whether the value's text contains `needle` (a result: its stdout without the trailing
    /// newlines, searched as bytes when it was spilled).
    static func contains(_ value: Value, _ needle: String) -> Bool {
        guard case .result(let r) = value, r.stdoutText.isSpilled else { return value.text.contains(needle) }
        if needle.isEmpty { return true }
        return r.stdoutText.withBytes { bytes in
            var end = bytes.count
            while end > 0, bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D { end -= 1 }
            var needle = needle
            return needle.withUTF8 { n in find(n, in: UnsafeBufferPointer(rebasing: bytes[..<end])) }
        }
    }

    /// Whether `needle` (not empty) occurs in `haystack`: memchr to each place the first byte
    /// is, then memcmp there.
    private static func find(_ needle: UnsafeBufferPointer<UInt8>, in haystack: UnsafeBufferPointer<UInt8>) -> Bool {
        guard needle.count <= haystack.count, let base = haystack.baseAddress else { return false }
        let first = Int32(needle[0]), lastStart = haystack.count - needle.count
        var at = 0
        while at <= lastStart {
            guard let hit = memchr(base + at, first, lastStart - at + 1) else { return false }
            at = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
            if memcmp(base + at, needle.baseAddress!, needle.count) == 0 { return true }
            at += 1
        }
        return false
    }
}
