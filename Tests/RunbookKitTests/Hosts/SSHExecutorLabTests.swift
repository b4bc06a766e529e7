// SSHExecutor against a real sshd (started per connection through ProxyCommand).

import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import RunbookKit

final class SSHExecutorLabTests: XCTestCase {
    var lab: SSHLab!
    var ssh: SSHExecutor!

    override func setUpWithError() throws {
        lab = try SSHLab.make()
        ssh = SSHExecutor(configuration: lab.configuration, cancellation: Cancellation())
    }

    override func tearDown() {
        ssh?.closeConnections()
        lab?.remove()
    }

    func testRunsACommandAndPassesItsExitCode() {
        let lines = LineCollector()
        let result = ssh.run(CommandRequest(script: "echo out; echo err >&2; exit 7", host: "lab"), onLine: lines.callback)
        XCTAssertEqual(result.stdout, "out\n")
        XCTAssertEqual(result.stderr, "err\n")
        XCTAssertEqual(result.exitCode, 7)
        XCTAssertFalse(result.unreachable)
        XCTAssertEqual(lines.lines(.stdout), ["out"])
    }

    func testHostileValuesArriveAsData() {
        let marker = lab.directory + "/pwned"
        let values = HostTest.hostileValues(marker: marker)
        var environment: [String: String] = [:]
        for (index, value) in values.enumerated() { environment["V\(index)"] = value }
        // One connection for all values: print each, NUL-separated.
        let script = (0..<values.count).map { "printf '%s\\0' \"$V\($0)\"" }.joined(separator: "; ")
        let result = ssh.run(CommandRequest(script: script, environment: environment, host: "lab", timeout: 30),
                             onLine: { _, _ in })
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        let received = result.stdout.split(separator: "\0", omittingEmptySubsequences: false).dropLast().map(String.init)
        XCTAssertEqual(received, values)
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker))
    }

    func testConnectionIsSharedAndClosed() throws {
        let first = ssh.run(CommandRequest(script: "echo $PPID", host: "lab"), onLine: { _, _ in })
        let second = ssh.run(CommandRequest(script: "echo $PPID", host: "lab"), onLine: { _, _ in })
        XCTAssertEqual(first.exitCode, 0, first.stderr)
        XCTAssertEqual(second.exitCode, 0, second.stderr)

        let controlDirectory = try XCTUnwrap(ssh.controlDirectoryInUse)
        let sockets = try FileManager.default.contentsOfDirectory(atPath: controlDirectory)
        XCTAssertEqual(sockets.count, 1, "one shared connection")
        XCTAssertFalse(HostTest.processes(mentioning: controlDirectory).isEmpty, "no master connection found")
        ssh.closeConnections()
        XCTAssertFalse(FileManager.default.fileExists(atPath: controlDirectory), "control directory left behind")
        XCTAssertEqual(HostTest.processes(mentioning: controlDirectory), [], "master connection left running")

        // Usable again afterwards: it reconnects.
        XCTAssertEqual(ssh.run(CommandRequest(script: "echo back", host: "lab"), onLine: { _, _ in }).stdout, "back\n")
    }

    func testTimeoutEndsTheLocalClientAndTheRemoteCommand() throws {
        let pidFile = lab.directory + "/remote-pid"
        // Connect first, so that the timeout below is spent running the command, not connecting.
        XCTAssertEqual(ssh.run(CommandRequest(script: "true", host: "lab", timeout: 30), onLine: { _, _ in }).exitCode, 0)
        let started = Date()
        let result = ssh.run(CommandRequest(script: "echo $$ > \"$PIDFILE\"; sleep 300", environment: ["PIDFILE": pidFile],
                                            host: "lab", timeout: 4, killGrace: 1), onLine: { _, _ in })
        XCTAssertLessThan(Date().timeIntervalSince(started), 20)
        XCTAssertTrue(result.timedOut)
        XCTAssertEqual(result.exitCode, 124)
        XCTAssertFalse(result.unreachable)
        // The "remote" side here is this machine: its `timeout` wrapper must end the command.
        let remote = try XCTUnwrap(HostTest.readPID(pidFile))
        let deadline = Date().addingTimeInterval(10)
        while HostTest.processIsRunning(remote) && Date() < deadline { usleep(20_000) }
        XCTAssertFalse(HostTest.processIsRunning(remote), "remote command outlived its timeout")
    }

    func testCancellationEndsTheClient() {
        let cancellation = Cancellation()
        let executor = SSHExecutor(configuration: lab.configuration, cancellation: cancellation)
        defer { executor.closeConnections() }
        DispatchQueue.global().asyncAfter(deadline: .now() + 1) { cancellation.cancel() }
        let started = Date()
        // Cancelling ends the local client; the remote `timeout` (here 8 s) ends the rest.
        let result = executor.run(CommandRequest(script: "sleep 300", host: "lab", timeout: 8, killGrace: 1),
                                  onLine: { _, _ in })
        XCTAssertLessThan(Date().timeIntervalSince(started), 15)
        XCTAssertTrue(result.cancelled)
        XCTAssertEqual(result.exitCode, 130)
    }
}
