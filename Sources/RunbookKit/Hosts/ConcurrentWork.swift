import Foundation

/// Runs `body(0..<count)` on up to `limit` threads and waits for all of them. For waiting on
/// child processes (ssh to many hosts), where Dispatch's pool would cap parallelism at the
/// number of CPUs.
///
/// Threads take indices from a shared queue, so when only some of them can be started (a
/// process or memory limit), those that did run every index, with less parallelism. Only
/// when not a single thread starts are indices left over; what happens to them is the
/// caller's choice (`unstarted`).
public enum ConcurrentWork {
    /// Indices that no thread could take run here, one after another, on the calling thread:
    /// the run is slower but complete, exactly as with `limit` 1, which always runs inline.
    /// Callers that would rather report such indices as failed use the variant with `unstarted`.
    public static func forEach(count: Int, limit: Int, stackSize: Int = 4 << 20, _ body: @escaping (Int) -> Void) {
        forEach(count: count, limit: limit, stackSize: stackSize, starter: .system, body)
    }

    static func forEach(count: Int, limit: Int, stackSize: Int, starter: ThreadStarter, _ body: @escaping (Int) -> Void) {
        forEach(count: count, limit: limit, stackSize: stackSize, starter: starter, unstarted: { i, _ in body(i) }, body)
    }

    /// Like `forEach(count:limit:stackSize:_:)`, but an index that could not run because no
    /// thread could be started is handed to `unstarted` (on the calling thread, after the
    /// others finished) with the reason, instead of running. Never waits for a thread that
    /// did not start.
    public static func forEach(count: Int, limit: Int, stackSize: Int = 4 << 20,
                               unstarted: (Int, ThreadStartError) -> Void, _ body: @escaping (Int) -> Void) {
        forEach(count: count, limit: limit, stackSize: stackSize, starter: .system, unstarted: unstarted, body)
    }

    static func forEach(count: Int, limit: Int, stackSize: Int, starter: ThreadStarter,
                        unstarted: (Int, ThreadStartError) -> Void, _ body: @escaping (Int) -> Void) {
        guard count > 0 else { return }
        let workers = max(1, min(limit, count))
        if workers == 1 {
            for i in 0..<count { body(i) }
            return
        }
        let queue = IndexQueue(count: count)
        var started: [StartedThread] = []
        var failure: ThreadStartError?
        for _ in 0..<workers {
            switch starter.start(stackSize, { while let i = queue.claim() { body(i) } }) {
            case .success(let thread): started.append(thread)
            case .failure(let error): failure = error
            }
            // The kernel said no: the next attempt would most likely fail the same way.
            if failure != nil { break }
        }
        for thread in started { thread.join() }
        // Left only when no thread started: a started one takes indices until none remain.
        if let failure {
            while let i = queue.claim() { unstarted(i, failure) }
        }
    }
}

/// Hands out 0..<count, each index once, to whichever thread asks next.
final class IndexQueue: @unchecked Sendable {
    private let lock = Mutex()
    private var next = 0
    private let count: Int

    init(count: Int) { self.count = count }

    func claim() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < count else { return nil }
        next += 1
        return next - 1
    }
}
