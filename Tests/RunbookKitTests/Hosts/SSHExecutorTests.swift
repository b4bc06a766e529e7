import Foundation
// SSHExecutor against the real OpenSSH client: failures to reach a host, and argument safety.

import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import RunbookKit

final class SSHExecutorTests: XCTestCase {
    func makeExecutor(_ options: [String] = []) throws -> SSHExecutor {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/ssh"), "no ssh client")
        return SSHExecutor(configuration: SSHConfiguration(connectTimeout: 3, extraOptions: options),
                           cancellation: Cancellation())
    }

    func testClosedPortIsUnreachable() throws {
        let ssh = try makeExecutor(["Port=1", "StrictHostKeyChecking=no", "UserKnownHostsFile=/dev/null"])
        defer { ssh.closeConnections() }
        let lines = LineCollector()
        let started = Date()
        let result = ssh.run(CommandRequest(script: "echo hi", host: "127.0.0.1", timeout: 30), onLine: lines.callback)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
        XCTAssertTrue(result.unreachable, result.stderr)
        XCTAssertEqual(result.exitCode, 255)
        XCTAssertFalse(result.timedOut)
        let reason = try XCTUnwrap(SSHFailure.reason(inStderr: result.stderr))
        XCTAssertTrue(reason.contains("connect to host 127.0.0.1 port 1"), reason)
        XCTAssertTrue(reason.contains("Connection refused"), reason)
        XCTAssertFalse(lines.lines(.stderr).isEmpty)
    }

    func testUnresolvableHostIsUnreachable() throws {
        let ssh = try makeExecutor()
        defer { ssh.closeConnections() }
        let result = ssh.run(CommandRequest(script: "true", host: "no-such-host.invalid", timeout: 30), onLine: { _, _ in })
        XCTAssertTrue(result.unreachable, result.stderr)
        XCTAssertNotNil(SSHFailure.reason(inStderr: result.stderr))
    }

    func testDestinationThatLooksLikeAnOptionIsRejected() throws {
        let ssh = try makeExecutor()
        let directory = HostTest.makeTemporaryDirectory()
        defer { HostTest.removeDirectory(directory); ssh.closeConnections() }
        let marker = directory + "/pwned"
        for host in ["-oProxyCommand=touch \(marker)", "-V", "", "a b", "host\nx"] {
            let result = ssh.run(CommandRequest(script: "true", host: host), onLine: { _, _ in })
            XCTAssertTrue(result.unreachable, host)
            XCTAssertEqual(result.exitCode, 255)
            XCTAssertTrue(result.stderr.contains("invalid host name"), result.stderr)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker))
    }

    func testValidDestinations() {
        XCTAssertTrue(SSHExecutor.isValidDestination("node-1"))
        XCTAssertTrue(SSHExecutor.isValidDestination("admin@10.0.0.5"))
        XCTAssertTrue(SSHExecutor.isValidDestination("ssh://admin@node:2222"))
        XCTAssertFalse(SSHExecutor.isValidDestination("-oProxyCommand=x"))
        XCTAssertFalse(SSHExecutor.isValidDestination(""))
        XCTAssertFalse(SSHExecutor.isValidDestination("a\tb"))
    }

    func testRemoteExit255WithoutSSHErrorIsNotUnreachable() {
        XCTAssertFalse(SSHFailure.isUnreachable(exitCode: 255, stderr: "my-tool: bad input\n"))
        XCTAssertFalse(SSHFailure.isUnreachable(exitCode: 1, stderr: "ssh: connect to host x port 22: Connection refused\r\n"))
        XCTAssertTrue(SSHFailure.isUnreachable(exitCode: 255, stderr: "root@h: Permission denied (publickey).\r\n"))
    }

    func testReasonExtraction() {
        let stderr = "Warning: something harmless\r\nssh: Could not resolve hostname nope: Name or service not known\r\n"
        XCTAssertEqual(SSHFailure.reason(inStderr: stderr), "ssh: Could not resolve hostname nope: Name or service not known")
        XCTAssertEqual(SSHFailure.reason(inStderr: "Connection timed out during banner exchange\n"),
                       "Connection timed out during banner exchange")
        XCTAssertNil(SSHFailure.reason(inStderr: "ls: cannot access 'x': No such file or directory\n"))
    }

    func testCloseConnectionsRemovesItsControlDirectory() throws {
        let ssh = try makeExecutor(["Port=1"])
        XCTAssertNil(ssh.controlDirectoryInUse)
        _ = ssh.run(CommandRequest(script: "true", host: "127.0.0.1", timeout: 30), onLine: { _, _ in })
        let directory = try XCTUnwrap(ssh.controlDirectoryInUse)
        var info = stat()
        XCTAssertEqual(lstat(directory, &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o700)
        ssh.closeConnections()
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory))
        XCTAssertNil(ssh.controlDirectoryInUse)
    }

    /// What a runner killed with -9 left (an empty directory named with its pid) goes with the
    /// next directory made; a live runner's, a non-empty one and one without a pid stay.
    func testANewControlDirectoryRemovesTheEmptyOnesOfRunnersThatAreGone() throws {
        let base = NSTemporaryDirectory() + "runbook-control-sweep-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: base) }
        let ended = Process()
        ended.executableURL = URL(fileURLWithPath: "/bin/true")
        try ended.run()
        ended.waitUntilExit()
        let gone = ended.processIdentifier
        let names = ["runbook-ssh-\(gone)-aaaaaa", "runbook-ssh-\(gone)-bbbbbb", "runbook-ssh-\(getpid())-cccccc", "runbook-ssh-dddddd"]
        for name in names { XCTAssertEqual(mkdir(base + "/" + name, 0o700), 0) }
        FileManager.default.createFile(atPath: base + "/runbook-ssh-\(gone)-bbbbbb/socket", contents: nil)
        guard case .success(let made) = ControlDirectory.makeFresh(under: base) else { return XCTFail("no directory made") }
        XCTAssertTrue(made.hasPrefix(base + "/runbook-ssh-\(getpid())-"), made)
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: base))
        XCTAssertEqual(left, Set(names.dropFirst()).union([String(made.split(separator: "/").last!)]))
    }
}

final class RoutingExecutorTests: XCTestCase {
    final class Recorder: CommandExecutor, @unchecked Sendable {
        let name: String
        init(_ name: String) { self.name = name }
        func run(_ request: CommandRequest, onLine: @escaping @Sendable (RunbookKit.OutputStream, String) -> Void) -> CommandResult {
            CommandResult(stdout: name)
        }
    }

    func testRoutesByHost() {
        let router = RoutingExecutor(local: Recorder("local"), remote: Recorder("remote"))
        for host in [nil, "localhost", "local", ""] as [String?] {
            XCTAssertEqual(router.run(CommandRequest(script: "x", host: host), onLine: { _, _ in }).stdout, "local")
        }
        XCTAssertEqual(router.run(CommandRequest(script: "x", host: "node-1"), onLine: { _, _ in }).stdout, "remote")
    }

    func testDefaultRouterRunsLocalCommands() {
        let router = RoutingExecutor(cancellation: Cancellation())
        defer { router.closeConnections() }
        XCTAssertEqual(router.run(CommandRequest(script: "echo here"), onLine: { _, _ in }).stdout, "here\n")
    }
}
