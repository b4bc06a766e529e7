#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RunbookKit

/// Reads answers typed at the terminal, one line at a time, and gives up at once when the run
/// is cancelled (Ctrl-C, SIGTERM).
///
/// The runner's signal handlers are installed with SA_RESTART, so a read() blocked at the
/// prompt is resumed after Ctrl-C and goes on waiting for Enter. poll() is never restarted,
/// and the handler makes the cancellation's descriptor readable: polling stdin together with
/// that descriptor wakes for whichever comes first. The terminal stays in canonical mode,
/// so the line is edited and echoed by the terminal as before.
final class InterruptibleLineReader {
    private let input: Int32
    private let cancellation: Cancellation
    /// Bytes read after the end of an earlier line (typed ahead), kept for the next one.
    private var buffered: [UInt8] = []

    init(input: Int32 = STDIN_FILENO, cancellation: Cancellation = .shared) {
        self.input = input
        self.cancellation = cancellation
    }

    enum Line: Equatable {
        case text(String)
        /// The run was cancelled while waiting.
        case interrupted
        case endOfInput
    }

    /// The next line without its line ending.
    func readLine() -> Line {
        while true {
            if let newline = buffered.firstIndex(of: 0x0A) {
                let line = Array(buffered[..<newline])
                buffered.removeFirst(newline + 1)
                return .text(Self.decode(line))
            }
            if cancellation.isCancelled { return .interrupted }
            var watched = [pollfd(fd: input, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: cancellation.wakeDescriptor, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&watched, 2, -1)
            if ready < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return .endOfInput
            }
            if watched[1].revents & Int16(POLLIN) != 0 { return .interrupted }
            guard watched[0].revents != 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count > 0 {
                buffered += chunk[..<count]
            } else if count < 0 && (errno == EINTR || errno == EAGAIN) {
                continue
            } else {
                // End of input: a last line without its newline still counts.
                guard !buffered.isEmpty else { return .endOfInput }
                defer { buffered.removeAll() }
                return .text(Self.decode(buffered))
            }
        }
    }

    private static func decode(_ bytes: [UInt8]) -> String {
        var text = String(decoding: bytes, as: UTF8.self)
        if text.hasSuffix("\r") { text.removeLast() }
        return text
    }
}
