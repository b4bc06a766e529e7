#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Cancellation {
    /// Waits for the given time unless cancelled first; returns false when cancelled.
    ///
    /// The time stays a Double and is spent in slices of at most a second, so any wait a
    /// runbook can ask for (`every 600h`, a backoff doubled to infinity) is one poll() after
    /// another rather than a conversion to a 32-bit millisecond count, which traps beyond
    /// 24.8 days. NaN and negative times do not wait.
    func sleep(seconds: Double) -> Bool {
        var remaining = seconds.isNaN ? 0 : seconds * 1000
        while remaining > 0 {
            let slice = remaining < 1000 ? Int32(remaining.rounded(.up)) : 1000
            var entry = pollfd(fd: wakeDescriptor, events: Int16(POLLIN), revents: 0)
            if poll(&entry, 1, slice) > 0 { return false }
            remaining -= Double(slice)
        }
        return !isCancelled
    }
}
