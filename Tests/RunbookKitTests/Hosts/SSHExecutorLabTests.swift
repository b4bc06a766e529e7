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
        XCTAssertTrue(HostTest.waitUntilNotRunning(remote, seconds: 10), "remote command outlived its timeout")
    }

    func testCancellationEndsTheClient() {
        let cancellation = Cancellation()
        let executor = SSHExecutor(configuration: lab.configuration, cancellation: cancellation)
        defer { executor.closeConnections() }
        DispatchQueue.global().asyncAfter(deadline: .now() + 1) { cancellation.cancel() }
        let started = Date()
        let result = executor.run(CommandRequest(script: "sleep 300", host: "lab", timeout: 8, killGrace: 1),
                                  onLine: { _, _ in })
        XCTAssertLessThan(Date().timeIntervalSince(started), 15)
        XCTAssertTrue(result.cancelled)
        XCTAssertEqual(result.exitCode, 130)
    }

    /// Cancelling (Ctrl-C, SIGTERM to the runner) ends the remote command's whole process
    /// group at once, not at its own timeout: sshd without a terminal does not signal a command
    /// whose client went away. With and without the remote `timeout` wrapper.
    func testCancellationEndsTheRemoteProcessGroup() throws {
        for remoteTimeout in [true, false] {
            var configuration = lab.configuration
            configuration.remoteTimeout = remoteTimeout
            let cancellation = Cancellation()
            let executor = SSHExecutor(configuration: configuration, cancellation: cancellation)
            defer { executor.closeConnections() }
            let shellFile = lab.directory + "/shell-\(remoteTimeout)"
            let childFile = lab.directory + "/child-\(remoteTimeout)"
            DispatchQueue.global().async {
                let deadline = Date().addingTimeInterval(30)
                while !FileManager.default.fileExists(atPath: childFile) && Date() < deadline { usleep(10_000) }
                cancellation.cancel()
            }
            let script = "echo $$ > \"$SHELLFILE\"; sleep 300 & echo $! > \"$CHILDFILE.tmp\"; "
                + "mv \"$CHILDFILE.tmp\" \"$CHILDFILE\"; sleep 300"
            let result = executor.run(CommandRequest(script: script, environment: ["SHELLFILE": shellFile, "CHILDFILE": childFile],
                                                     host: "lab", timeout: 120, killGrace: 1), onLine: { _, _ in })
            XCTAssertTrue(result.cancelled, "remote timeout \(remoteTimeout): \(result.stderr)")
            // The "remote" side is this machine: both sleeps must be gone well before 120 s.
            let shell = try XCTUnwrap(HostTest.readPID(shellFile))
            let child = try XCTUnwrap(HostTest.readPID(childFile))
            XCTAssertTrue(HostTest.waitUntilNotRunning(shell, seconds: 5), "remote timeout \(remoteTimeout): the remote command survived")
            XCTAssertTrue(HostTest.waitUntilNotRunning(child, seconds: 5), "remote timeout \(remoteTimeout): its background child survived")
            HostTest.killGroupIfRunning(shell)
        }
    }
}
