import ArgumentParser
import Foundation
import RunbookKit

/// The executor a run uses: real processes locally and over ssh, or a scenario's canned
/// answers. `shutdown()` closes shared ssh connections.
struct Executors {
    let executor: CommandExecutor
    let simulated: Bool
    let shutdown: () -> Void

    static func make(session: SessionOptions, scenarioPath: String?) throws -> Executors {
        if let scenarioPath {
            _ = scenarioPath
            throw ValidationError("--scenario is not available in this build")
        }
        let routing = RoutingExecutor(ssh: SSHConfiguration(configFile: session.sshConfig))
        return Executors(executor: routing, simulated: false, shutdown: { routing.closeConnections() })
    }
}
