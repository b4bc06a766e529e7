// POSIX shell quoting, for building command lines that a shell parses back into exactly the
// original words (remote ssh commands) and for showing commands to people (dry runs).

public enum ShellQuote {
    /// One word for a POSIX shell: returned bare when it contains only characters that no
    /// shell treats specially, otherwise single-quoted. Example: `it's` → `'it'\''s'`.
    public static func quote(_ word: String) -> String {
        if !word.isEmpty && word.utf8.allSatisfy(isSafeBare) && !looksLikeAssignment(word) {
            return word
        }
        return singleQuoted(word)
    }

    /// Always single-quoted: inside single quotes every byte is literal except `'` itself,
    /// which is written as `'\''` (close, escaped quote, reopen).
    public static func singleQuoted(_ word: String) -> String {
        "'" + word.replacingAll("'", with: "'\\''") + "'"
    }

    /// Words joined with spaces, each quoted with `quote(_:)`.
    public static func join(_ words: [String]) -> String {
        words.map(quote).joined(separator: " ")
    }

    /// Whether `name` can be an environment variable a POSIX shell reads: [A-Za-z_][A-Za-z0-9_]*.
    public static func isValidEnvironmentName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else {
            return false
        }
        return name.utf8.allSatisfy { isASCIILetterOrDigit($0) || $0 == UInt8(ascii: "_") }
    }

    /// `NAME=value` in command position would be an assignment, not a word: quote it.
    private static func looksLikeAssignment(_ word: String) -> Bool {
        guard let equals = word.firstIndex(of: "=") else { return false }
        return isValidEnvironmentName(String(word[..<equals]))
    }

    private static func isSafeBare(_ byte: UInt8) -> Bool {
        if isASCIILetterOrDigit(byte) { return true }
        switch byte {
        case UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "/"),
             UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "+"), UInt8(ascii: "@"),
             UInt8(ascii: "%"), UInt8(ascii: "="):
            return true
        default:
            return false
        }
    }

    private static func isASCIILetterOrDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}

private extension String {
    /// Replaces every occurrence of one Unicode scalar. Works on scalars, not Characters:
    /// `'` followed by a combining mark is one Character but still a quote to the shell.
    func replacingAll(_ target: Unicode.Scalar, with replacement: String) -> String {
        var result = ""
        result.reserveCapacity(utf8.count)
        for scalar in unicodeScalars {
            if scalar == target { result += replacement } else { result.unicodeScalars.append(scalar) }
        }
        return result
    }
}
