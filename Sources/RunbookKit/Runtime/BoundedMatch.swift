import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Regular-expression matching with bounded work. A backtracking pattern such as `(a*)*b`
/// takes exponential time on text that almost matches, and command output is exactly such
/// text: without a bound one `matches` would block the run for minutes, deaf to Ctrl-C.
///
/// How: NSRegularExpression (ICU) calls the block of `enumerateMatches` with `.progress`
/// about every 10,000 backtracking states and at every start position it tries, and stops
/// when the block sets `stop`. So the engine itself gives up; no thread is left spinning.
/// The alternative, matching on a worker thread and waiting with a deadline, cannot end that
/// thread (threads cannot be killed): it would go on burning a CPU for minutes after the run
/// had moved on. Measured here (2 cores): the callbacks cost nothing measurable (`.*error.*`
/// over 10,000 characters takes 0.75 s with and without them); a tick of `(a*)*b` is about
/// 0.2 ms, so the clock and the cancellation pipe are looked at every 64 ticks (≤ 15 ms).
///
/// The bound is CPU time of the matching thread rather than a count of ticks: a tick is
/// 10,000 states or one start position, so counts would not measure work; CPU time, unlike
/// wall time, does not shrink when other processes load the machine.
enum BoundedMatch {
    /// CPU seconds one match may take. Real patterns on real output need milliseconds.
    static let defaultLimit = 2.0

    /// The first match of `regex` in `text`, or nil. Throws `BuiltinError` when the match
    /// needs more than `limit` CPU seconds (or more memory than ICU allows it), and
    /// `Interpreter.Flow.abort` when the run is cancelled meanwhile (Ctrl-C, SIGTERM).
    static func firstMatch(_ regex: NSRegularExpression, in text: String, limit: Double = defaultLimit,
                           cancellation: Cancellation = .shared) throws -> NSTextCheckingResult? {
        var found: NSTextCheckingResult?
        var stopped: Stop?
        var ticks = 0
        let start = threadCPUSeconds()
        regex.enumerateMatches(in: text, options: [.reportProgress, .reportCompletion],
                               range: NSRange(text.startIndex..., in: text)) { match, flags, stop in
            if let match {
                found = match
                stop.pointee = true
                return
            }
            if flags.contains(.internalError) {
                stopped = .outOfMemory
                return
            }
            guard flags.contains(.progress) else { return }
            ticks += 1
            guard ticks % 64 == 0 else { return }
            if cancellation.isCancelled {
                stopped = .cancelled
            } else if threadCPUSeconds() - start > limit {
                stopped = .tooSlow
            }
            if stopped != nil { stop.pointee = true }
        }
        switch stopped {
        case nil: return found
        case .cancelled: throw Interpreter.Flow.abort("interrupted by the operator")
        case .tooSlow:
            throw BuiltinError("the regular expression \"\(regex.pattern)\" was stopped after \(Value.format(limit)) s of "
                + "matching on \(text.count) characters: it backtracks too much (nested repetition such as (a*)* or "
                + "(a|aa)* does); make the repetitions unambiguous, or match on fewer lines")
        case .outOfMemory:
            throw BuiltinError("the regular expression \"\(regex.pattern)\" needs more backtracking memory than allowed "
                + "on \(text.count) characters: make its repetitions unambiguous, or match on fewer lines")
        }
    }

    private enum Stop {
        case cancelled, tooSlow, outOfMemory
    }

    /// CPU time this thread has used, in seconds.
    private static func threadCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1_000_000_000
    }
}
