import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a child's stdin on a thread of its own, so a child that reads slowly (ssh forwarding
/// it to a remote host) never blocks the loop that reads the child's output.
enum InputFeeder {
    static func feed(_ bytes: [UInt8], to descriptor: Int32) {
        let thread = Thread {
            // A child that exits without reading must not kill the runner with SIGPIPE: with
            // the signal blocked in this thread, write fails with EPIPE instead, and the
            // pending signal goes away with the thread.
            var pipeSignal = sigset_t()
            sigemptyset(&pipeSignal)
            sigaddset(&pipeSignal, SIGPIPE)
            pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)
            var offset = 0
            bytes.withUnsafeBytes { buffer in
                while offset < buffer.count {
                    let n = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { break }
                    offset += n
                }
            }
            close(descriptor)
        }
        thread.stackSize = 256 << 10
        thread.start()
    }
}
