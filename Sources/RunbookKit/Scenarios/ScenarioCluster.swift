import Foundation

/// Where a scenario's real kubectl commands go: a running API server for one cluster directory.
public struct ClusterConnection: Sendable, Equatable {
    /// A kubeconfig file whose current context reaches the server.
    public var kubeconfig: String
    /// kubectl's discovery and HTTP cache (KUBECACHEDIR), so that ~/.kube is never touched.
    public var cacheDirectory: String

    public init(kubeconfig: String, cacheDirectory: String) {
        self.kubeconfig = kubeconfig
        self.cacheDirectory = cacheDirectory
    }

    /// The variables a kubectl child process gets on top of the runner's environment.
    public var environment: [String: String] {
        ["KUBECONFIG": kubeconfig, "KUBECACHEDIR": cacheDirectory]
    }
}

/// Serves fixture clusters to `runbook test`. RunbookKit cannot see the server (ClusterKit
/// depends on RunbookKit), so the command line passes an implementation in.
///
/// Thread contract: `connection(to:)` may be called from several threads at once (`runbook
/// test --jobs`); an implementation starts a server on the first call for a directory and
/// hands the same connection to every later call for it, so it must serialise the start.
/// `stopAll()` is called once, after the last scenario, when no call is running.
public protocol ScenarioClusters: AnyObject {
    /// A running server for the cluster directory at `path`. Throws `ScenarioClusterError`
    /// (or any error, whose description is shown) when the directory cannot be served.
    func connection(to path: String) throws -> ClusterConnection
    func stopAll()
}

/// Why a cluster directory cannot be served, in words that say what to fix.
public struct ScenarioClusterError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Runs the kubectl commands of a cluster-backed scenario for real: a real child process (the
/// project's `LocalExecutor`) with KUBECONFIG and KUBECACHEDIR pointing at the fixture's server.
/// Only a local kubectl command qualifies (`qualifies`); every other command still needs a
/// canned answer.
public final class LiveKubectl: Sendable {
    public let connection: ClusterConnection
    private let executor: LocalExecutor

    public init(connection: ClusterConnection, cancellation: Cancellation) {
        self.connection = connection
        self.executor = LocalExecutor(cancellation: cancellation)
    }

    /// A command run on this machine whose first word is `kubectl`, or a shell function the
    /// runbook's preludes define as a call of kubectl (`kube() { kubectl … "$@"; }`, the
    /// library's wrapper that adds --context). A pipeline or `||` after it is the runbook's own.
    public static func qualifies(_ request: CommandRequest, prelude: String = "") -> Bool {
        guard request.isLocal, let word = firstWord(of: request.script) else { return false }
        return word == "kubectl" || kubectlFunctions(in: prelude).contains(word)
    }

    private static func firstWord(of script: String) -> String? {
        let word = script.drop { $0 == " " || $0 == "\t" || $0 == "\n" }
            .prefix { !($0 == " " || $0 == "\t" || $0 == "\n" || $0 == ";" || $0 == "|" || $0 == "&") }
        return word.isEmpty ? nil : String(word)
    }

    /// Names of the shell functions defined in `prelude` whose body starts with `kubectl`.
    static func kubectlFunctions(in prelude: String) -> Set<String> {
        guard !prelude.isEmpty, let regex = try? RegexCache.shared.regex(#"(?m)^\s*([A-Za-z_][A-Za-z0-9_-]*)\s*\(\)\s*\{\s*kubectl\s"#) else { return [] }
        let text = prelude as NSString
        return Set(regex.matches(in: prelude, range: NSRange(location: 0, length: text.length)).map { text.substring(with: $0.range(at: 1)) })
    }

    public func run(_ request: CommandRequest, prelude: String,
                    onLine: @escaping @Sendable (OutputStream, String) -> Void) -> CommandResult {
        var real = request
        real.script = prelude + request.script
        real.environment.merge(connection.environment) { _, cluster in cluster }
        return executor.run(real, onLine: onLine)
    }
}
