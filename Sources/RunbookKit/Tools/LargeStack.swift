import Foundation

/// Runs recursive work (parsing, printing and comparing deeply nested expressions) on a
/// thread with a large stack, so deep but valid input cannot overflow the caller's stack.
enum LargeStack {
    static let size = 512 << 20

    /// Throws `ThreadStartError` when the thread cannot be started (a process or memory
    /// limit): running the work on the caller's small stack instead could overflow it.
    static func run<T>(starter: ThreadStarter = .system, _ body: @escaping () throws -> T) throws -> T {
        let box = ResultBox<T>()
        let started = starter.start(size) { box.result = Result { try body() } }
        switch started {
        case .success(let thread): thread.join()
        case .failure(let error): throw error
        }
        return try box.result!.get()
    }

    /// Written by the worker thread before it ends, read by the caller after joining it.
    private final class ResultBox<T>: @unchecked Sendable {
        var result: Result<T, Error>?
    }
}
