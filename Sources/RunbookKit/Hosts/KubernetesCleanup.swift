import Foundation
// Finding and removing debug pods that their run left behind: a run killed with SIGKILL (or a
// machine that lost power) deletes nothing.
//
// A pod is removed only when its run is provably over, never because it merely looks old:
// another operator's run may still be using it. Its annotations name the creating process
// (host, boot id, pid, the pid's start time); from the same host, a creator whose pid is gone
// or belongs to another process, or whose boot is over, is provably dead. A creator on another
// machine cannot be checked from here: those pods are removed only by `runbook cleanup
// --older-than DURATION`, a bound the operator chooses knowing no run takes that long
// (a pod also ends itself after `DebugPod.sleepSeconds`, but stays listed as Succeeded).

public struct KubernetesCleanup {
    public let configuration: KubernetesConfiguration
    public let cancellation: Cancellation

    public init(configuration: KubernetesConfiguration, cancellation: Cancellation) {
        self.configuration = configuration
        self.cancellation = cancellation
    }

    public enum Failure: Error, CustomStringConvertible {
        case kubectl(String)
        public var description: String { switch self { case .kubectl(let message): return message } }
    }

    /// The debug pods in `namespaces` (nil: all namespaces).
    public func list(namespaces: [String]?) -> Result<[DebugPodStatus], Failure> {
        var pods: [DebugPodStatus] = []
        for scope in namespaces.map({ $0.map { ["-n", $0] } }) ?? [["--all-namespaces"]] {
            let got = run(["get", "pods"] + scope + ["-l", DebugPod.managedSelector, "-o", "json"])
            guard got.exitCode == 0 else {
                let text = got.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
                return .failure(.kubectl(KubernetesFailure.explain(text, namespace: scope.last ?? "") ?? text))
            }
            pods += DebugPodStatus.parse(json: got.stdout)
        }
        return .success(pods)
    }

    /// Which of `pods` may go: a provably dead creator, or (with `olderThan`) created longer
    /// ago than that; never a pod of `keepRun`, and never one whose creator is this process.
    public static func stale(_ pods: [DebugPodStatus], here: DebugPodCreator, olderThan: Double?, keepRun: String?,
                             now: Date = Date(),
                             startTicksOf: (Int32) -> UInt64? = DebugPodCreator.startTicks) -> [DebugPodStatus] {
        pods.filter { pod in
            if let keepRun, pod.runID == keepRun { return false }
            if let creator = pod.creator, creator.isProvablyDead(seenFrom: here, startTicksOf: startTicksOf) { return true }
            if let olderThan, let created = pod.created, now.timeIntervalSince(created) > olderThan {
                return pod.creator.map { !($0.host == here.host && $0.pid == here.pid && $0.startTicks == here.startTicks) } ?? true
            }
            return false
        }
    }

    /// Removes the stale pods; returns "NAMESPACE/NAME" of each removed. Listing failures
    /// (no permission to list pods) remove nothing.
    @discardableResult
    public func removeStale(namespaces: [String]?, here: DebugPodCreator, olderThan: Double?, keepRun: String?) -> [String] {
        guard case .success(let pods) = list(namespaces: namespaces) else { return [] }
        var removed: [String] = []
        for pod in Self.stale(pods, here: here, olderThan: olderThan, keepRun: keepRun) {
            let deleted = run(["delete", "pod", pod.name, "-n", pod.namespace, "--ignore-not-found", "--wait=false"])
            if deleted.exitCode == 0 { removed.append("\(pod.namespace)/\(pod.name)") }
        }
        return removed
    }

    private func run(_ arguments: [String]) -> CommandResult {
        CommandSupervisor.run(arguments: configuration.command(arguments), environment: [:],
                              limits: SupervisionLimits(timeout: 30, killGrace: 1, captureLimit: 16 << 20),
                              cancellation: cancellation, onLine: { _, _ in })
    }
}
