// Cancellation: ending running commands from another thread or a signal.

import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import RunbookKit

final class CancellationTests: XCTestCase {
    func testCancelFromAnotherThreadEndsTheGroup() throws {
        let cancellation = Cancellation()
        let executor = LocalExecutor(cancellation: cancellation)
        let directory = HostTest.makeTemporaryDirectory()
        defer { HostTest.removeDirectory(directory) }
        let groupFile = directory + "/group"
        DispatchQueue.global().async {
            // Cancel once the command is surely running (0.3 s, and its group file written).
            usleep(300_000)
            let deadline = Date().addingTimeInterval(10)
            while !FileManager.default.fileExists(atPath: groupFile) && Date() < deadline { usleep(10_000) }
            cancellation.cancel()
        }
        let started = Date()
        let result = executor.run(CommandRequest(script: "echo $$ > '\(groupFile)'; sleep 300", timeout: 60),
                                  onLine: { _, _ in })
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
        XCTAssertTrue(result.cancelled)
        XCTAssertFalse(result.timedOut)
        XCTAssertEqual(result.exitCode, 130)
        let group = try XCTUnwrap(HostTest.readPID(groupFile))
        XCTAssertFalse(HostTest.groupExists(group))

        // Cancellation holds until reset: nothing else starts.
        XCTAssertTrue(cancellation.isCancelled)
        let refused = executor.run(CommandRequest(script: "touch '\(directory)/ran'"), onLine: { _, _ in })
        XCTAssertTrue(refused.cancelled)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/ran"))

        cancellation.reset()
        XCTAssertFalse(cancellation.isCancelled)
        XCTAssertEqual(executor.run(CommandRequest(script: "echo again"), onLine: { _, _ in }).stdout, "again\n")
    }

    func testCancelWakesSeveralParallelCommands() {
        let cancellation = Cancellation()
        let executor = LocalExecutor(cancellation: cancellation)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { cancellation.cancel() }
        let started = Date()
        let cancelled = UnsafeMutableBufferPointer<Bool>.allocate(capacity: 4)
        cancelled.initialize(repeating: false)
        defer { cancelled.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 4) { index in
            cancelled[index] = executor.run(CommandRequest(script: "sleep 300"), onLine: { _, _ in }).cancelled
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
        XCTAssertEqual(Array(cancelled), [true, true, true, true])
    }

    func testResetIsIdempotentAndCancelRepeatable() {
        let cancellation = Cancellation()
        XCTAssertFalse(cancellation.isCancelled)
        cancellation.reset()
        cancellation.cancel()
        cancellation.cancel()
        XCTAssertTrue(cancellation.isCancelled)
        XCTAssertNil(cancellation.lastSignal)
        cancellation.reset()
        XCTAssertFalse(cancellation.isCancelled)
    }

    func testSignalHandlerCancelsTheSharedInstance() {
        let shared = Cancellation.shared
        shared.reset()
        Cancellation.installSignalHandlers()
        defer {
            signal(SIGINT, SIG_DFL)
            signal(SIGTERM, SIG_DFL)
            shared.reset()
        }
        kill(getpid(), SIGINT)
        let deadline = Date().addingTimeInterval(5)
        while !shared.isCancelled && Date() < deadline { usleep(1000) }
        XCTAssertTrue(shared.isCancelled)
        XCTAssertEqual(shared.lastSignal, SIGINT)
        shared.reset()
        XCTAssertNil(shared.lastSignal)
    }

    /// The signals that ask a process to stop (a dropped terminal, kill -USR1, timers, a CPU
    /// limit) cancel as Ctrl-C does and are recorded, so a run ends with a record of why.
    func testEveryTerminatingSignalCancelsAndIsRecorded() {
        let shared = Cancellation.shared
        shared.reset()
        Cancellation.installSignalHandlers()
        let expected = [SIGHUP, SIGINT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGXCPU]
        defer {
            for number in expected { signal(number, SIG_DFL) }
            shared.reset()
        }
        let cancelling = Self.handler(SIGINT)
        for number in expected {
            // Raising a signal that has no handler would end the test process: look first.
            guard cancelling > 1, Self.handler(number) == cancelling else {
                XCTFail("signal \(number) has no handler")
                continue
            }
            kill(getpid(), number)
            let deadline = Date().addingTimeInterval(5)
            while !shared.isCancelled && Date() < deadline { usleep(1000) }
            XCTAssertTrue(shared.isCancelled, "signal \(number)")
            XCTAssertEqual(shared.lastSignal, number)
            shared.reset()
        }
        // Ctrl-\ keeps its meaning: quit at once (the Swift runtime prints a backtrace).
        XCTAssertNotEqual(Self.handler(SIGQUIT), cancelling)
    }

    func testSignalNames() {
        XCTAssertEqual(Cancellation.name(ofSignal: SIGHUP), "SIGHUP")
        XCTAssertEqual(Cancellation.name(ofSignal: SIGUSR1), "SIGUSR1")
        for signal in Cancellation.cancellingSignals {
            XCTAssertTrue(Cancellation.name(ofSignal: signal).hasPrefix("SIG"), "\(signal)")
        }
        XCTAssertEqual(Cancellation.name(ofSignal: 0), "signal 0")
    }

    /// `nohup runbook …` ignores SIGHUP on purpose: the runner must not undo that.
    func testSignalIgnoredAtStartStaysIgnored() {
        signal(SIGHUP, SIG_IGN)
        defer { signal(SIGHUP, SIG_DFL) }
        Cancellation.installSignalHandlers()
        XCTAssertEqual(Self.handler(SIGHUP), 1)
    }

    /// The address of the signal's handler: 0 for SIG_DFL, 1 for SIG_IGN.
    private static func handler(_ number: Int32) -> Int {
        var current = sigaction()
        sigaction(number, nil, &current)
        #if os(Linux)
        return unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self)
        #else
        return unsafeBitCast(current.__sigaction_u.__sa_handler, to: Int.self)
        #endif
    }
}
