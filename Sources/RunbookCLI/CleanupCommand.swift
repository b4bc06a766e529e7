import ArgumentParser
import Foundation
import RunbookKit

/// `runbook cleanup`: removes the debug pods that runs killed with SIGKILL left behind.
struct CleanupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cleanup",
        abstract: "Remove debug pods left by runs that were killed.",
        discussion: """
            A run deletes its debug pods when it ends, fails or is interrupted; a run killed \
            with SIGKILL cannot. This removes the pods whose run is provably over: created from \
            this machine by a process that no longer runs. Pods created from other machines are \
            removed only with --older-than, a bound you choose knowing no run takes that long. \
            The next run on this machine removes the same pods from its namespace by itself.
            """)

    @Option(name: .long, help: "Where to look (default: default).")
    var debugNamespace: String = "default"

    @Flag(name: .long, help: "Look in every namespace.")
    var allNamespaces = false

    @Option(name: .long, help: "Also remove pods older than this, from any machine: 90m, 12h, 2d, or seconds.")
    var olderThan: String?

    @Flag(name: .long, help: "List what would be removed; remove nothing.")
    var dryRun = false

    func run() throws {
        var age: Double?
        if let olderThan {
            guard let seconds = CleanupCommand.seconds(olderThan) else {
                throw ValidationError("--older-than takes a duration like 90m, 12h, 2d or 3600, got '\(olderThan)'")
            }
            age = seconds
        }
        let configuration = KubernetesConfiguration(namespace: debugNamespace)
        let cleanup = KubernetesCleanup(configuration: configuration, cancellation: .shared)
        Cancellation.installSignalHandlers()
        let namespaces = allNamespaces ? nil : [debugNamespace]
        switch cleanup.list(namespaces: namespaces) {
        case .failure(let failure):
            Output.err("error: cannot list debug pods: \(failure)\n")
            throw ExitCode(Exit.usage)
        case .success(let pods):
            let here = DebugPodCreator.current()
            let stale = KubernetesCleanup.stale(pods, here: here, olderThan: age, keepRun: nil)
            if dryRun {
                for pod in stale { Output.out("would remove \(pod.namespace)/\(pod.name)\n") }
                Output.out("\(stale.count) of \(pods.count) debug pods would be removed\n")
                return
            }
            let removed = cleanup.removeStale(namespaces: namespaces, here: here, olderThan: age, keepRun: nil)
            for name in removed { Output.out("removed \(name)\n") }
            let kept = pods.count - removed.count
            Output.out("\(removed.count) removed, \(kept) kept"
                       + (kept > 0 ? " (their run may still go on; --older-than DURATION removes old ones from other machines)" : "") + "\n")
        }
    }

    /// "90m", "12h", "2d", "45s", "3600" as seconds; nil otherwise.
    static func seconds(_ text: String) -> Double? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        var number = Substring(text)
        var unit = 1.0
        if let last = text.last, let factor = units[last] { number = number.dropLast(); unit = factor }
        guard let value = Double(number), value >= 0, value.isFinite else { return nil }
        return value * unit
    }
}
