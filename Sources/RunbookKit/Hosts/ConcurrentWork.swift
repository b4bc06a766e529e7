import Foundation

/// Runs `body(0..<count)` on up to `limit` threads and waits for all of them. For waiting on
/// child processes (ssh to many hosts), where Dispatch's pool would cap parallelism at the
/// number of CPUs.
public enum ConcurrentWork {
    public static func forEach(count: Int, limit: Int, stackSize: Int = 4 << 20, _ body: @escaping (Int) -> Void) {
        guard count > 0 else { return }
        let workers = max(1, min(limit, count))
        if workers == 1 {
            for i in 0..<count { body(i) }
            return
        }
        let queue = IndexQueue(count: count)
        let group = DispatchGroup()
        for _ in 0..<workers {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                while let i = queue.claim() { body(i) }
            }
            thread.stackSize = stackSize
            thread.start()
        }
        group.wait()
    }
}

/// Hands out 0..<count, each index once, to whichever thread asks next.
final class IndexQueue: @unchecked Sendable {
    private let lock = NSLock()
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
