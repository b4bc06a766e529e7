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
        try make(sshConfig: session.sshConfig, scenarioPath: scenarioPath, nodes: session.nodeOptions)
    }

    static func make(sshConfig: String?, scenarioPath: String?, nodes: NodeOptions? = nil) throws -> Executors {
        if let scenarioPath {
            let scenario = try loadScenario(scenarioPath)
            // A scenario that names a cluster runs its kubectl commands against it, as `runbook test` does.
            let clusters = ScenarioClusterServers()
            var live: LiveKubectl?
            if let cluster = scenario.cluster {
                do {
                    live = LiveKubectl(connection: try clusters.connection(to: cluster.resolvedPath), cancellation: Cancellation.shared)
                } catch {
                    Output.err("error: \(scenarioPath): cluster \(cluster.resolvedPath): \(error)\n")
                    throw ExitCode(Exit.usage)
                }
            }
            let executor = ScenarioExecutor(scenario: scenario, live: live)
            return Executors(executor: executor, simulated: true, shutdown: {
                for miss in executor.misses { Output.err("scenario: \(miss.description)\n") }
                clusters.stopAll()
            })
        }
        let ssh = SSHExecutor(configuration: SSHConfiguration(configFile: sshConfig,
                                                              runtimeDirectory: SessionFactory.variable("XDG_RUNTIME_DIR")))
        // node/NAME destinations (--nodes, `on node/NAME`) go through the node router.
        let routing = RoutingExecutor(local: LocalExecutor(), remote: (try nodes ?? NodeOptions.parse([])).router(ssh: ssh))
        return Executors(executor: routing, simulated: false, shutdown: { routing.closeConnections() })
    }

    /// The run's options with the scenario's parameters, answers and target added (those
    /// given on the command line win).
    static func scenarioOptions(_ options: RunOptions, scenarioPath: String) throws -> RunOptions {
        try loadScenario(scenarioPath).applying(to: options)
    }

    private static func loadScenario(_ path: String) throws -> Scenario {
        do {
            return try ScenarioParser.parse(path: path)
        } catch let diagnostic as Diagnostic {
            DiagnosticPrinter.print([diagnostic], color: isatty(2) == 1)
            throw ExitCode(Exit.usage)
        }
    }
}
