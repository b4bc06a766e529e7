import Foundation
import XCTest
@testable import RunbookKit
#if canImport(Glibc)
import Glibc
#endif

/// `ConcurrentWork.forEach` when threads cannot be started: it must never wait for a thread
/// that did not start, and every index either runs or is reported.
final class ConcurrentWorkTests: XCTestCase {
    /// A starter that refuses every thread, as the kernel does at the process limit.
    private let refusing = ThreadStarter { _, _ in .failure(ThreadStartError(code: EAGAIN)) }

    /// A starter that starts `allowed` threads and refuses the rest.
    private func starting(_ allowed: Int) -> ThreadStarter {
        let counter = Counter()
        return ThreadStarter { stackSize, body in
            counter.increment() <= allowed ? ThreadStarter.system.start(stackSize, body) : .failure(ThreadStartError(code: EAGAIN))
        }
    }

    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func increment() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
    }

    /// Collects indices from several threads.
    private final class Indices: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [Int] = []
        func add(_ i: Int) { lock.lock(); values.append(i); lock.unlock() }
        var sorted: [Int] { lock.lock(); defer { lock.unlock() }; return values.sorted() }
    }

    /// Runs `body` on a thread and fails when it has not returned after `seconds` (a hang).
    private func returns(within seconds: Double, _ body: @escaping () -> Void,
                         file: StaticString = #filePath, line: UInt = #line) {
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            body()
            done.signal()
        }
        if done.wait(timeout: .now() + seconds) == .timedOut {
            XCTFail("forEach did not return within \(seconds) s", file: file, line: line)
        }
    }

    func testNoThreadStartsEveryIndexIsReportedWithTheReason() {
        let ran = Indices(), reported = Indices()
        let reason = Reasons()
        returns(within: 30) { [refusing] in
            ConcurrentWork.forEach(count: 5, limit: 3, stackSize: 1 << 20, starter: refusing,
                                   unstarted: { i, error in reported.add(i); reason.set("\(error)") }) { ran.add($0) }
        }
        XCTAssertEqual(ran.sorted, [])
        XCTAssertEqual(reported.sorted, [0, 1, 2, 3, 4])
        XCTAssertTrue(reason.value.contains("cannot start a thread"), reason.value)
        XCTAssertTrue(reason.value.contains("ulimit -u"), "the message says what to do: \(reason.value)")
    }

    private final class Reasons: @unchecked Sendable {
        private let lock = NSLock()
        private var text = ""
        func set(_ s: String) { lock.lock(); text = s; lock.unlock() }
        var value: String { lock.lock(); defer { lock.unlock() }; return text }
    }

    func testSomeThreadsStartTheyRunEveryIndex() {
        let ran = Indices(), reported = Indices()
        let starter = starting(1)
        returns(within: 30) {
            ConcurrentWork.forEach(count: 20, limit: 8, stackSize: 1 << 20, starter: starter,
                                   unstarted: { i, _ in reported.add(i) }) { ran.add($0) }
        }
        XCTAssertEqual(ran.sorted, Array(0..<20))
        XCTAssertEqual(reported.sorted, [])
    }

    func testTheOriginalSignatureRunsIndicesInlineWhenNoThreadStarts() {
        let ran = Indices()
        let threads = Indices()
        returns(within: 30) { [refusing] in
            let caller = Int(bitPattern: UInt(pthread_self()))
            ConcurrentWork.forEach(count: 4, limit: 4, stackSize: 1 << 20, starter: refusing) { i in
                ran.add(i)
                threads.add(Int(bitPattern: UInt(pthread_self())) == caller ? 1 : 0)
            }
        }
        XCTAssertEqual(ran.sorted, [0, 1, 2, 3])
        XCTAssertEqual(threads.sorted, [1, 1, 1, 1], "the indices run on the calling thread")
    }

    func testTheSystemStarterRunsEveryIndex() {
        let ran = Indices()
        returns(within: 30) {
            ConcurrentWork.forEach(count: 50, limit: 10) { ran.add($0) }
        }
        XCTAssertEqual(ran.sorted, Array(0..<50))
    }

    func testALargeStackThreadThatCannotStartIsAnError() {
        XCTAssertThrowsError(try LargeStack.run(starter: refusing) { 1 }) { error in
            XCTAssertTrue("\(error)".contains("cannot start a thread"), "\(error)")
        }
        XCTAssertEqual(try LargeStack.run { 42 }, 42)
    }
}
