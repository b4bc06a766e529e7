/// Runbook numbers are Doubles; machine integers are not. `Int(x)` traps (the runner dies of
/// SIGILL) when x is NaN, infinite or beyond ±9.2e18, and all of those are one `1e19` or
/// `inf` away in command output, so every conversion goes through here and an out-of-range
/// value becomes an error the caller words.
enum WholeNumber {
    /// `n` rounded toward zero, or nil when that is not a finite number that fits in an Int.
    static func int(_ n: Double) -> Int? {
        Int(exactly: n.rounded(.towardZero))
    }

    /// `n` as an Int when it is a whole number that fits, or nil.
    static func exactInt(_ n: Double) -> Int? {
        Int(exactly: n)
    }

    /// The range, in words, for messages.
    static let rangeDescription = "a whole number between -9223372036854775808 and 9223372036854775807"
}
