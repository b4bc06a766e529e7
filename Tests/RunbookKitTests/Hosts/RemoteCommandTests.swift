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
    /// runbook values arrive on its stdin (`input`, what ssh forwards).
    func runAsRemoteShell(_ remote: String, input: String = "") -> CommandResult {
        let script = "printf '%s' " + ShellQuote.singleQuoted(input) + " | /bin/sh -c " + ShellQuote.singleQuoted(remote)
        return local.run(CommandRequest(script: script, shell: "/bin/sh"), onLine: { _, _ in })
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
        XCTAssertEqual(input, "ok='1'\n")
        XCTAssertFalse(remote.contains("ok"), "values travel on stdin, not on the command line: \(remote)")
        XCTAssertTrue(runAsRemoteShell(remote, input: input).stdout.contains("ok=1\n"))
    }

    func testRemoteTimeoutEndsTheRemoteCommand() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/timeout"))
        let ssh = SSHExecutor(cancellation: Cancellation())
        // The local limit is generous: here the remote-side `timeout` must end it.
        let remote = ssh.remoteCommand(for: CommandRequest(script: "sleep 300", host: "h", timeout: 0.5, killGrace: 1))
        let started = Date()
        let result = local.run(CommandRequest(script: remote, timeout: 30), onLine: { _, _ in })
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
        XCTAssertEqual(remote, "exec '/bin/sh' -c 'true' </dev/null")
    }
}
