// The remote command line built for ssh, run through a local /bin/sh -c: that is what the
// remote login shell does with it.

import XCTest
@testable import RunbookKit

final class RemoteCommandTests: XCTestCase {
    let local = LocalExecutor(cancellation: Cancellation())
    var directory = ""

    override func setUp() {
        directory = HostTest.makeTemporaryDirectory()
    }

    override func tearDown() {
        HostTest.removeDirectory(directory)
    }

    /// Runs `remote` the way sshd does: the login shell gets it as one `-c` argument, and the
    /// runbook values arrive on its stdin (`input`, what ssh forwards), which stays open until
    /// the command ends, as the ssh executor keeps it.
    func runAsRemoteShell(_ remote: String, input: String = "", timeout: Double = 60,
                          cancellation: Cancellation = Cancellation()) -> CommandResult {
        CommandSupervisor.runReportingGroup(
            arguments: ["/bin/sh", "-c", remote], environment: [:],
            limits: SupervisionLimits(timeout: timeout, killGrace: 1, captureLimit: 1 << 20),
            policy: .endWholeGroup, cancellation: cancellation, input: Array(input.utf8),
            onLine: { _, _ in }).result
    }

    func testHostileValuesArriveAsData() {
        let marker = directory + "/pwned"
        for remoteTimeout in [true, false] {
            let ssh = SSHExecutor(configuration: SSHConfiguration(remoteTimeout: remoteTimeout),
                                  cancellation: Cancellation())
            for value in HostTest.hostileValues(marker: marker) {
                let request = CommandRequest(script: "printf '%s' \"$V\"", environment: ["V": value],
                                             host: "example.invalid")
                let remote = ssh.remoteCommand(for: request)
                XCTAssertFalse(remote.contains("pwned"), "a value is on the command line: \(remote)")
                let result = runAsRemoteShell(remote, input: ssh.remoteInput(for: request))
                XCTAssertEqual(result.stdout, value, "remote command: \(remote)")
                XCTAssertEqual(result.exitCode, 0, result.stderr)
                XCTAssertFalse(FileManager.default.fileExists(atPath: marker), "value ran a command: \(value)")
            }
        }
    }

    func testHostileScriptTextAndShellArePassedIntact() {
        let ssh = SSHExecutor(cancellation: Cancellation())
        let script = "printf '%s|' \"it's\" '$(x)' \"$A\" \"$B\"\necho; echo \"end\""
        let request = CommandRequest(script: script, environment: ["A": "1 2", "B": "'\n'"], host: "h")
        let result = runAsRemoteShell(ssh.remoteCommand(for: request), input: ssh.remoteInput(for: request))
        XCTAssertEqual(result.stdout, "it's|$(x)|1 2|'\n'|\nend\n")
    }

    func testInvalidEnvironmentNamesAreSkipped() {
        let ssh = SSHExecutor(cancellation: Cancellation())
        let request = CommandRequest(script: "env", environment: ["ok": "1", "a-b": "2", "x;id": "3", "": "4"], host: "h")
        let remote = ssh.remoteCommand(for: request)
        let input = ssh.remoteInput(for: request)
        XCTAssertEqual(input, "ok='1'\n#rb-end\n")
        XCTAssertFalse(remote.contains("ok"), "values travel on stdin, not on the command line: \(remote)")
        XCTAssertTrue(runAsRemoteShell(remote, input: input).stdout.contains("ok=1\n"))
    }

    func testRemoteTimeoutEndsTheRemoteCommand() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/timeout"))
        let ssh = SSHExecutor(cancellation: Cancellation())
        // The local limit is generous: here the remote-side `timeout` must end it.
        let remote = ssh.remoteCommand(for: CommandRequest(script: "sleep 300", host: "h", timeout: 0.5, killGrace: 1))
        let started = Date()
        let result = runAsRemoteShell(remote, timeout: 30)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
        XCTAssertEqual(result.exitCode, 124)
        XCTAssertFalse(result.timedOut)
    }

    func testExitStatusPassesThrough() {
        let ssh = SSHExecutor(cancellation: Cancellation())
        let result = runAsRemoteShell(ssh.remoteCommand(for: CommandRequest(script: "exit 7", host: "h")))
        XCTAssertEqual(result.exitCode, 7)
    }

    func testDurations() {
        XCTAssertEqual(RemoteCommand.duration(60), "60")
        XCTAssertEqual(RemoteCommand.duration(0.5), "0.5")
        XCTAssertEqual(RemoteCommand.duration(1.25), "1.25")
        XCTAssertEqual(RemoteCommand.duration(0.0001), "0.001")
    }

    func testNoTimeoutWrapperWithoutALimit() {
        let remote = RemoteCommand.build(script: "true", shell: "/bin/sh", environment: [:], timeout: 0, killGrace: 2)
        XCTAssertFalse(remote.contains("timeout"), remote)
        XCTAssertTrue(remote.hasSuffix("exec '/bin/sh' -c 'true' </dev/null 3<&-"), remote)
        XCTAssertEqual(runAsRemoteShell(remote).exitCode, 0)
    }

    /// Values holding the end mark itself, and more values than a socket buffer holds.
    func testEndMarkNeverOccursInTheValues() {
        let ssh = SSHExecutor(cancellation: Cancellation())
        let tricky = "x\n#rb-end\n'#rb-end-1'\ny"
        var environment = ["A": tricky]
        let large = String(repeating: "0123456789abcdef\n", count: 5_000)
        for index in 0..<8 { environment["B\(index)"] = large }
        let request = CommandRequest(script: "printf '%s|%s|%s' \"$A\" \"${#B0}\" \"${#B7}\"", environment: environment, host: "h")
        let input = ssh.remoteInput(for: request)
        XCTAssertTrue(input.hasSuffix("\n#rb-end-2\n"), String(input.suffix(40)))
        XCTAssertGreaterThan(input.utf8.count, 600_000)
        let result = runAsRemoteShell(ssh.remoteCommand(for: request), input: input)
        XCTAssertEqual(result.stdout, "\(tricky)|\(large.utf8.count)|\(large.utf8.count)", result.stderr)
    }

    /// End-of-file on stdin before the command ends is the runner cancelling, timing out or
    /// dying: the remote side ends the command's whole process group by itself, with no
    /// signal from the runner to the login shell (sshd sends none).
    func testEndOfFileOnStdinEndsTheRemoteGroup() throws {
        for timeout in [60.0, 0] {
            let remote = RemoteCommand.build(
                script: "echo $$ > \"$D/shell\"; sleep 300 & echo $! > \"$D/child.tmp\"; mv \"$D/child.tmp\" \"$D/child\"; sleep 300",
                shell: "/bin/sh", environment: ["D": directory], timeout: timeout, killGrace: 1)
            let child = try spawnAsRemoteShell(remote, input: RemoteCommand.input(["D": directory]))
            defer { reap(child) }
            XCTAssertTrue(waitForFile(directory + "/child"), "the command did not start")
            let shell = try XCTUnwrap(HostTest.readPID(directory + "/shell"))
            let background = try XCTUnwrap(HostTest.readPID(directory + "/child"))
            defer { try? FileManager.default.removeItem(atPath: directory + "/child") }
            close(child.inputDescriptor)  // as the runner's death would
            XCTAssertTrue(HostTest.waitUntilNotRunning(shell, seconds: 5), "timeout \(timeout): the command survived")
            XCTAssertTrue(HostTest.waitUntilNotRunning(background, seconds: 5), "timeout \(timeout): its child survived")
        }
    }

    /// A command that ends by itself keeps its exit status, and the watcher goes with it.
    func testWatcherLeavesWithTheCommand() throws {
        let marker = "watcher-\(getpid())-\(UInt32.random(in: 100_000...999_999))"
        let ssh = SSHExecutor(cancellation: Cancellation())
        let request = CommandRequest(script: ": \(marker); exit 7", environment: ["A": "1"], host: "h")
        let result = runAsRemoteShell(ssh.remoteCommand(for: request), input: ssh.remoteInput(for: request))
        XCTAssertEqual(result.exitCode, 7, result.stderr)
        let deadline = Date().addingTimeInterval(5)
        while !HostTest.processes(mentioning: marker).isEmpty && Date() < deadline { usleep(20_000) }
        XCTAssertEqual(HostTest.processes(mentioning: marker), [], "the watcher outlived the command")
    }

    /// Values cut short (the runner went away while sending them): nothing runs.
    func testIncompleteValuesRunNothing() throws {
        let remote = RemoteCommand.build(script: "touch \"$D/ran\"", shell: "/bin/sh", environment: ["D": directory],
                                         timeout: 60, killGrace: 1)
        let child = try spawnAsRemoteShell(remote, input: RemoteCommand.assignments(["D": directory]))
        close(child.inputDescriptor)
        var status: Int32 = 0
        waitpid(child.pid, &status, 0)
        reap(child)
        XCTAssertNotEqual(SystemCalls.exitCode(fromWaitStatus: status), 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/ran"))
    }

    /// The remote login shell as a bare child: stdin a socket the test holds, nothing supervised.
    private func spawnAsRemoteShell(_ remote: String, input: String) throws -> SpawnedChild {
        let child = try ChildSpawner.spawn(arguments: ["/bin/sh", "-c", remote], environment: [:],
                                           newSession: true, inputChannel: true).get()
        let bytes = Array(input.utf8)
        XCTAssertEqual(bytes.withUnsafeBytes { SystemCalls.sendWithoutSignal(child.inputDescriptor, $0) }, bytes.count)
        return child
    }

    private func reap(_ child: SpawnedChild) {
        ProcessGroupTerminator.end(group: child.processGroup, graceDeadline: SystemCalls.now() + 1)
        var status: Int32 = 0
        waitpid(child.pid, &status, WNOHANG)
        for descriptor in [child.stdoutDescriptor, child.stderrDescriptor, child.exitDescriptor] where descriptor >= 0 {
            close(descriptor)
        }
    }

    private func waitForFile(_ path: String) -> Bool {
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: path) && Date() < deadline { usleep(10_000) }
        return FileManager.default.fileExists(atPath: path)
    }
}
