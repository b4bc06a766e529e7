// kill -9 of a runner in the middle of a remote command: the built binary runs a runbook on
// the lab host and is killed; its ssh client, the remote command and the remote command's
// background child must all end within seconds, not at the command's own timeout.

import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import RunbookKit

final class SSHRunnerDeathLabTests: XCTestCase {
    static let binary: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path + "/.build/debug/runbook"
    }()

    func testKillNineOfTheRunnerEndsTheRemoteCommand() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: Self.binary),
                          "the runbook binary is missing at \(Self.binary): build it first")
        let lab = try SSHLab.make()
        defer { lab.remove() }
        // A word only this test's processes carry on their command lines: the ssh client and
        // the remote shells get the script as an argument.
        let marker = "kill9-\(getpid())-\(UInt32.random(in: 100_000...999_999))"
        defer { for pid in HostTest.processes(mentioning: lab.directory) { kill(pid, SIGKILL) } }
        try """
            runbook "remote sleep"
            param dir
            step long "A long remote command"
              $ : \(marker); echo $$ > "$dir/shell.tmp"; mv "$dir/shell.tmp" "$dir/shell"; sleep 300 & echo $! > "$dir/child.tmp"; mv "$dir/child.tmp" "$dir/child"; wait

            """.write(toFile: lab.directory + "/remote.runbook", atomically: true, encoding: .utf8)
        var arguments = ["run", lab.directory + "/remote.runbook", "--hosts", "lab", "--no-journal",
                         "--ssh-config", lab.configuration.configFile ?? "/dev/null"]
        // The shared connection outlives a killed runner until it has been idle this long.
        arguments += ["--ssh-option", "ControlPersist=1"]
        for option in lab.configuration.extraOptions { arguments += ["--ssh-option", option] }
        arguments.append("dir=\(lab.directory)")

        let runner = Process()
        runner.executableURL = URL(fileURLWithPath: Self.binary)
        runner.arguments = arguments
        runner.standardInput = FileHandle.nullDevice
        runner.standardOutput = FileHandle.nullDevice
        runner.standardError = FileHandle.nullDevice
        try runner.run()
        defer { if runner.isRunning { kill(runner.processIdentifier, SIGKILL) } }

        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: lab.directory + "/child") && Date() < deadline { usleep(20_000) }
        let shell = try XCTUnwrap(HostTest.readPID(lab.directory + "/shell"), "the remote command did not start")
        let child = try XCTUnwrap(HostTest.readPID(lab.directory + "/child"))
        XCTAssertFalse(HostTest.processes(mentioning: marker).isEmpty, "no ssh client found")

        kill(runner.processIdentifier, SIGKILL)
        runner.waitUntilExit()
        XCTAssertTrue(HostTest.waitUntilNotRunning(shell, seconds: 5), "the remote command outlived the runner")
        XCTAssertTrue(HostTest.waitUntilNotRunning(child, seconds: 5), "the remote command's child outlived the runner")
        HostTest.killGroupIfRunning(shell)
        let gone = Date().addingTimeInterval(5)
        while !HostTest.processes(mentioning: marker).isEmpty && Date() < gone { usleep(20_000) }
        XCTAssertEqual(HostTest.processes(mentioning: marker), [], "an ssh client or remote shell outlived the runner")
    }
}
