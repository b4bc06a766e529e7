// A throwaway ssh "host" for tests: each connection starts `sshd -i` through ProxyCommand,
// with its own host key, client key and configuration in a temporary directory. No port is
// opened and no daemon keeps running.

import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import RunbookKit

struct SSHLab {
    let directory: String
    let configuration: SSHConfiguration

    /// Skips the test unless sshd and ssh-keygen exist and sshd can run here.
    static func make() throws -> SSHLab {
        let files = FileManager.default
        for tool in ["/usr/sbin/sshd", "/usr/bin/ssh", "/usr/bin/ssh-keygen"] {
            try XCTSkipUnless(files.isExecutableFile(atPath: tool), "\(tool) is missing")
        }
        try XCTSkipUnless(getuid() == 0, "sshd -i needs root here")
        // sshd refuses to start without its privilege separation directory, which the ssh
        // service normally creates at boot.
        if !files.fileExists(atPath: "/run/sshd") { mkdir("/run/sshd", 0o755) }
        try XCTSkipUnless(files.fileExists(atPath: "/run/sshd"), "no privilege separation directory /run/sshd")

        let directory = HostTest.makeTemporaryDirectory()
        let local = LocalExecutor(cancellation: Cancellation())
        let setup = """
            ssh-keygen -q -t ed25519 -N '' -f hostkey && ssh-keygen -q -t ed25519 -N '' -f clientkey \
            && cp clientkey.pub authorized_keys && chmod 600 authorized_keys
            """
        let made = local.run(CommandRequest(script: "cd \"$DIR\" && \(setup)", environment: ["DIR": directory]),
                             onLine: { _, _ in })
        guard made.exitCode == 0 else {
            HostTest.removeDirectory(directory)
            throw XCTSkip("cannot make keys: \(made.stderr)")
        }
        let sshdConfig = """
            HostKey \(directory)/hostkey
            AuthorizedKeysFile \(directory)/authorized_keys
            StrictModes no
            UsePAM no
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PermitRootLogin yes
            PidFile none
            LogLevel ERROR

            """
        try sshdConfig.write(toFile: directory + "/sshd_config", atomically: true, encoding: .utf8)
        let configuration = SSHConfiguration(
            configFile: "/dev/null", connectTimeout: 5, controlPersist: "60s",
            extraOptions: [
                "ProxyCommand=/usr/sbin/sshd -i -f \(directory)/sshd_config",
                "User=root", "IdentityFile=\(directory)/clientkey", "IdentitiesOnly=yes",
                "StrictHostKeyChecking=no", "UserKnownHostsFile=/dev/null", "LogLevel=ERROR",
            ])
        return SSHLab(directory: directory, configuration: configuration)
    }

    func remove() {
        HostTest.removeDirectory(directory)
    }
}
