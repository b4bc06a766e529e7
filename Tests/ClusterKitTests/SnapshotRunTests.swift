import Foundation
import XCTest
import RunbookKit
@testable import ClusterKit

/// `runbook run FILE --snapshot S`: the runbook's kubectl sees the snapshot, a node command
/// fails as unreachable, the journal's header and the report name the snapshot.
final class SnapshotRunTests: SnapshotTestCase {
    private var binary: String { SnapshotTestSupport.repositoryRoot + "/.build/debug/runbook" }

    private func takeSnapshot() throws -> String {
        let live = try ServedForSnapshot(path: SnapshotTestSupport.basicFixture)
        defer { live.stop() }
        let archive = directory + "/basic.tar.gz"
        XCTAssertEqual(try live.snapshot(to: archive).failures, [])
        return archive
    }

    func testARunAgainstASnapshotIsRecordedAsSuchAndNodesAreUnreachable() throws {
        let archive = try takeSnapshot()
        let runbook = directory + "/replay.runbook"
        try """
        runbook "Replay check"

        step pods "Pods in shop"
          pods = $ kubectl get pods -n shop
          require pods.ok else "kubectl failed: {pods.stderr}"
          print "{count(table(pods))} pods in shop"

        step node "On the node itself"
          on "node-1" $ uptime
          conclude ok "the node answered"

        """.write(toFile: runbook, atomically: true, encoding: .utf8)
        let journal = directory + "/run.jsonl"
        // A KUBECONFIG of the caller's must not be what the run uses.
        let result = try SnapshotTestSupport.run(
            [binary, "run", runbook, "--snapshot", archive, "--journal", journal, "--no-color"],
            environment: ["KUBECONFIG": directory + "/no-such-kubeconfig", "KUBECACHEDIR": directory + "/cache"])
        let output = result.stdout + result.stderr
        XCTAssertTrue(output.contains("8 pods in shop"), output)
        XCTAssertTrue(output.contains("the snapshot has no live nodes: node-1"), output)
        XCTAssertEqual(result.status, 4, "a node that cannot be looked at means 'could not tell': \(output)")
        XCTAssertFalse(output.contains("the node answered"))

        let header = try JournalReader.read(path: journal).header
        let snapshot = try XCTUnwrap(header.plan.snapshot)
        XCTAssertEqual(snapshot.path, archive)
        XCTAssertEqual(snapshot.cluster, "basic")
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: archive))
        XCTAssertEqual(snapshot.sha256, "sha256:" + SHA256.hex(Array(bytes)))
        XCTAssertNotNil(JournalTime.parse(snapshot.takenAt), snapshot.takenAt)

        let report = try SnapshotTestSupport.run([binary, "report", journal])
        XCTAssertEqual(report.status, 0, report.stderr)
        XCTAssertTrue(report.stdout.contains("run against a snapshot taken at \(snapshot.takenAt)"), report.stdout)

        // Nothing of the replay is left behind: no unpacked archive, no kubeconfig.
        let leftovers = (try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory()))
            .filter { $0.hasPrefix("runbook-replay-") || $0.hasPrefix("runbook-snapshot-") }
        XCTAssertEqual(leftovers.filter { name in
            // Only this process's children count: other runs may be going on.
            FileManager.default.fileExists(atPath: NSTemporaryDirectory() + "/" + name + "/kubeconfig")
        }, [])
    }

    func testCtrlCStopsTheProxyAndLeavesNoArchive() throws {
        let live = try ServedForSnapshot(path: SnapshotTestSupport.basicFixture, handlers: [SlowNodes()])
        defer { live.stop() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["snapshot", "-o", directory + "/cut.tar.gz"]
        // The proxy's private directory goes under TMPDIR: here, so that what is left is seen.
        process.environment = ProcessInfo.processInfo.environment.merging(live.environment.merging(["TMPDIR": directory]) { $1 }) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The node list takes 3 s to answer: the snapshot is under way when the signal comes.
        var proxyDirectories: [String] = []
        for _ in 0 ..< 100 where proxyDirectories.isEmpty {
            usleep(50_000)
            proxyDirectories = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("runbook-proxy-") }
        }
        XCTAssertEqual(proxyDirectories.count, 1, "kubectl proxy was started in its own directory")
        usleep(500_000)
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 3)
        let left = try FileManager.default.contentsOfDirectory(atPath: directory)
        XCTAssertEqual(left.filter { $0.hasPrefix("runbook-proxy-") || $0.hasPrefix("cut.tar.gz") }, [],
                       "the proxy is stopped (its directory removed) and no archive or partial file is left")
    }

    func testResumeRefusesASnapshotThatChanged() throws {
        let archive = try takeSnapshot()
        let runbook = directory + "/ask.runbook"
        try """
        runbook "Stops half way"

        step first "First"
          pods = $ kubectl get pods -n shop
          print "first done"

        step second "Second"
          ask go "Go on?"
            yes: print "second done"
            no: print "stopped"

        """.write(toFile: runbook, atomically: true, encoding: .utf8)
        let journal = directory + "/ask.jsonl"
        // No terminal to answer on: the run stops at the question and can be resumed.
        _ = try SnapshotTestSupport.run([binary, "run", runbook, "--snapshot", archive, "--journal", journal, "--no-color"],
                                        environment: ["KUBECACHEDIR": directory + "/cache"])
        XCTAssertNotNil(try JournalReader.read(path: journal).header.plan.snapshot)
        var bytes = try XCTUnwrap(FileManager.default.contents(atPath: archive))
        bytes.append(0)
        try bytes.write(to: URL(fileURLWithPath: archive))
        let resumed = try SnapshotTestSupport.run([binary, "resume", journal, "--no-color"])
        XCTAssertEqual(resumed.status, 2, resumed.stdout + resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("has changed since the run started"), resumed.stderr)
    }
}
