import XCTest
@testable import ClusterKit

/// The pod STATUS, READY and RESTARTS rules (printPod), one state at a time.
final class TablePodStatusTests: XCTestCase {
    let now = RFC3339.parse("2026-01-15T10:00:00Z")!

    func summary(_ json: String) throws -> PodPrinter.Summary {
        PodPrinter.summary(try JSONParser.parse(json), now: now)
    }

    func testRunning() throws {
        let s = try summary(#"{"spec":{"containers":[{"name":"a"},{"name":"b"}]},"status":{"phase":"Running","containerStatuses":[{"name":"a","ready":true,"state":{"running":{}},"restartCount":0},{"name":"b","ready":false,"state":{"running":{}},"restartCount":0}]}}"#)
        XCTAssertEqual(s, .init(ready: "1/2", status: "Running", restarts: "0"))
    }

    func testCrashLoopWithLastRestartAge() throws {
        let s = try summary(#"{"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Running","containerStatuses":[{"name":"a","ready":false,"restartCount":5,"state":{"waiting":{"reason":"CrashLoopBackOff"}},"lastState":{"terminated":{"exitCode":1,"finishedAt":"2026-01-15T09:55:00Z"}}}]}}"#)
        XCTAssertEqual(s, .init(ready: "0/1", status: "CrashLoopBackOff", restarts: "5 (5m ago)"))
    }

    func testInitContainerStates() throws {
        let running = try summary(#"{"spec":{"initContainers":[{"name":"i"}],"containers":[{"name":"a"}]},"status":{"phase":"Pending","initContainerStatuses":[{"name":"i","state":{"running":{}},"restartCount":0}],"containerStatuses":[{"name":"a","state":{"waiting":{"reason":"PodInitializing"}}}]}}"#)
        XCTAssertEqual(running.status, "Init:0/1")
        let failing = try summary(#"{"spec":{"initContainers":[{"name":"i"}],"containers":[{"name":"a"}]},"status":{"phase":"Pending","initContainerStatuses":[{"name":"i","state":{"waiting":{"reason":"CrashLoopBackOff"}},"restartCount":3}]}}"#)
        XCTAssertEqual(failing.status, "Init:CrashLoopBackOff")
        let exit = try summary(#"{"spec":{"initContainers":[{"name":"i"}],"containers":[{"name":"a"}]},"status":{"phase":"Pending","initContainerStatuses":[{"name":"i","state":{"terminated":{"exitCode":2}}}]}}"#)
        XCTAssertEqual(exit.status, "Init:ExitCode:2")
    }

    func testCompletedAndTerminating() throws {
        let done = #"{"metadata":{"deletionTimestamp":"2026-01-15T09:59:00Z"},"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Succeeded","containerStatuses":[{"name":"a","state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]}}"#
        XCTAssertEqual(try summary(done).status, "Completed", "a terminal pod is never Terminating")
        let deleting = #"{"metadata":{"deletionTimestamp":"2026-01-15T09:59:00Z"},"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Running","containerStatuses":[{"name":"a","ready":true,"state":{"running":{}}}]}}"#
        XCTAssertEqual(try summary(deleting).status, "Terminating")
        let lost = #"{"metadata":{"deletionTimestamp":"2026-01-15T09:59:00Z"},"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Running","reason":"NodeLost"}}"#
        XCTAssertEqual(try summary(lost).status, "Unknown")
    }

    func testSchedulingGatedAndPending() throws {
        let gated = #"{"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Pending","conditions":[{"type":"PodScheduled","status":"False","reason":"SchedulingGated"}]}}"#
        XCTAssertEqual(try summary(gated).status, "SchedulingGated")
        XCTAssertEqual(try summary(#"{"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Pending"}}"#).status, "Pending")
    }

    func testTerminatedWithoutReason() throws {
        let s = try summary(#"{"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Failed","containerStatuses":[{"name":"a","state":{"terminated":{"exitCode":0,"signal":9}}}]}}"#)
        XCTAssertEqual(s.status, "Signal:9")
    }

    func testShortDurations() {
        XCTAssertEqual(ShortDuration.format(seconds: 45), "45s")
        XCTAssertEqual(ShortDuration.format(seconds: 119), "119s")
        XCTAssertEqual(ShortDuration.format(seconds: 330), "5m30s")
        XCTAssertEqual(ShortDuration.format(seconds: 600), "10m")
        XCTAssertEqual(ShortDuration.format(seconds: 3 * 3600 + 120), "3h2m")
        XCTAssertEqual(ShortDuration.format(seconds: 20 * 3600), "20h")
        XCTAssertEqual(ShortDuration.format(seconds: 3 * 86400 + 3600), "3d1h")
        XCTAssertEqual(ShortDuration.format(seconds: 12 * 86400), "12d")
        XCTAssertEqual(ShortDuration.format(seconds: 800 * 86400), "2y70d")
        XCTAssertEqual(ShortDuration.format(seconds: -5), "<invalid>")
    }
}
