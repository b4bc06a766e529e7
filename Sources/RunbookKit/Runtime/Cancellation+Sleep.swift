#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Cancellation {
    /// Waits for the given time unless cancelled first; returns false when cancelled.
    func sleep(seconds: Double) -> Bool {
        var remaining = Int32(max(0, seconds * 1000))
        while remaining > 0 {
            let slice = min(remaining, 1000)
            var entry = pollfd(fd: wakeDescriptor, events: Int16(POLLIN), revents: 0)
            if poll(&entry, 1, slice) > 0 { return false }
            remaining -= slice
        }
        return !isCancelled
    }
}
