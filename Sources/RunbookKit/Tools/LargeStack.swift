import Foundation

/// Runs recursive work (parsing, printing and comparing deeply nested expressions) on a
/// thread with a large stack, so deep but valid input cannot overflow the caller's stack.
enum LargeStack {
    static let size = 512 << 20

    static func run<T>(_ body: @escaping () throws -> T) throws -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            box.result = Result { try body() }
            done.signal()
        }
        thread.stackSize = size
        thread.start()
        done.wait()
        return try box.result!.get()
    }

    /// Written by the worker thread before it signals, read by the caller after waiting.
    private final class ResultBox<T>: @unchecked Sendable {
        var result: Result<T, Error>?
    }
}
