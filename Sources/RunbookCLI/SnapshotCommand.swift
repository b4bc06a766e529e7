import ArgumentParser
import ClusterKit
import Foundation
import RunbookKit

/// `runbook snapshot`: record the cluster the current kubeconfig points at into one .tar.gz
/// that `run --snapshot` (and `repl`, `resume`, `test`) can replay later, anywhere.
struct SnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Record the current cluster into a .tar.gz for later replay.",
        discussion: """
            Lists every kind runbooks look at (as JSON and as the API server's own tables), \
            /version, /readyz and /livez, and the current and previous logs of pods that are \
            not healthy, through `kubectl proxy` (so every kubeconfig authentication works). \
            Secret values are never stored; credentials in logs, environment values and \
            annotations are masked. See docs/SNAPSHOTS.md.

            Exit codes: 0 everything collected; 1 written, but some requests failed (listed); \
            2 usage error, or nothing could be collected or written; 3 interrupted (nothing written).
            """)

    @Option(name: .shortAndLong, help: "The archive to write (default: incident-YYYYMMDD-HHMM.tar.gz here, local time).")
    var output: String?

    @Option(name: .long, parsing: .singleValue, help: "Only this namespace for namespaced kinds (repeatable).")
    var namespace: [String] = []

    @Option(name: [.customShort("l"), .long], help: "A label selector for pods and their logs.")
    var selector: String?

    @Option(name: .long, help: "Lines kept of each log, current and previous.")
    var logTail: Int = 500

    @Option(name: .long, help: "MiB after which no more logs are added (the snapshot says which were left out).")
    var maxSize: Int?

    @Option(name: .long, help: "Seconds each request may take.")
    var requestTimeout: Double = 30

    @Option(name: .long, help: "Requests at once.")
    var parallel: Int = 4

    func validate() throws {
        guard logTail >= 1 else { throw ValidationError("--log-tail must be at least 1") }
        if let maxSize, maxSize < 1 { throw ValidationError("--max-size is in MiB, at least 1") }
        guard requestTimeout > 0 else { throw ValidationError("--request-timeout must be more than 0 seconds") }
        guard (1 ... 32).contains(parallel) else { throw ValidationError("--parallel must be from 1 to 32") }
        for name in namespace where !SnapshotCommand.isNamespaceName(name) {
            throw ValidationError("--namespace '\(name)' is not a namespace name (lower-case letters, digits and '-')")
        }
    }

    static func isNamespaceName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 63 && name.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
    }

    func run() throws {
        let path = output ?? SnapshotCommand.defaultName(Date())
        let partial = path + ".partial"
        let parent = (path as NSString).deletingLastPathComponent
        guard access(parent.isEmpty ? "." : parent, W_OK) == 0 else {
            Output.err("error: cannot write \(path): \(String(cString: strerror(errno))) (choose another place with -o PATH)\n")
            throw ExitCode(Exit.usage)
        }
        Cancellation.installSignalHandlers()
        let source: SnapshotSource
        let proxy: KubectlProxy
        do {
            source = try KubeconfigContext.current()
            proxy = try KubectlProxy()
        } catch {
            Output.err("error: \(error)\n")
            throw ExitCode(Exit.usage)
        }
        defer { proxy.stop() }
        let line = ProgressLine(terminal: isatty(2) == 1)
        Output.err("snapshot of \(source.name) (\(source.server)) → \(path)\n")
        let options = SnapshotOptions(namespaces: namespace, selector: selector, logTail: logTail, maxSizeMiB: maxSize,
                                      requestTimeout: requestTimeout, parallel: parallel)
        let collector = SnapshotCollector(options: options, source: source, outputPath: partial,
                                          connect: { UnixHTTPClient(socketPath: proxy.socketPath) },
                                          progress: line.update)
        let summary: SnapshotSummary
        do {
            summary = try collector.collect()
        } catch {
            line.clear()
            proxy.stop()
            if Cancellation.shared.isCancelled {
                Output.err("interrupted: no snapshot written\n")
                throw ExitCode(Exit.aborted)
            }
            Output.err("error: \(error)\n")
            throw ExitCode(Exit.usage)
        }
        line.clear()
        guard rename(partial, path) == 0 else {
            Output.err("error: cannot rename \(partial) to \(path): \(String(cString: strerror(errno)))\n")
            throw ExitCode(Exit.usage)
        }
        Output.err(SnapshotCommand.describe(summary, path: path))
        throw ExitCode(summary.failures.isEmpty ? Exit.ok : Exit.findings)
    }

    static func defaultName(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = .current
        formatter.dateFormat = "yyyyMMdd-HHmm"
        return "incident-\(formatter.string(from: date)).tar.gz"
    }

    static func describe(_ summary: SnapshotSummary, path: String) -> String {
        var out = "wrote \(path): \(summary.kinds.count) kinds, \(summary.logsCollected) logs, "
        out += "\(ProgressLine.size(summary.contentBytes)) → \(ProgressLine.size(summary.archiveBytes)) in \(String(format: "%.1f", summary.seconds))s\n"
        if !summary.notServed.isEmpty { out += "  not served by this cluster: \(summary.notServed.joined(separator: ", "))\n" }
        if summary.logsSkippedForSize > 0 { out += "  --max-size reached: \(summary.logsSkippedForSize) logs left out\n" }
        if !summary.redactions.isEmpty {
            let counts = Dictionary(grouping: summary.redactions, by: \.pattern.rawValue).mapValues(\.count)
            out += "  masked: " + counts.keys.sorted().map { "\(counts[$0]!) \($0)" }.joined(separator: ", ") + " (listed in cluster.json)\n"
        }
        if !summary.failures.isEmpty {
            out += "  \(summary.failures.count) requests failed (the snapshot is partial; listed in cluster.json):\n"
            for failure in summary.failures.prefix(10) { out += "    \(failure.path): \(failure.error)\n" }
            if summary.failures.count > 10 { out += "    … and \(summary.failures.count - 10) more\n" }
        }
        return out
    }
}

/// The snapshot's progress: one line rewritten in place on a terminal (at most ten times a
/// second), a plain line per finished kind otherwise.
final class ProgressLine: @unchecked Sendable {
    private let terminal: Bool
    private let mutex = Mutex()
    private var lastDraw = 0.0
    private var lastKinds = 0
    private var drawn = false

    init(terminal: Bool) { self.terminal = terminal }

    func update(_ progress: SnapshotProgress) {
        mutex.withLock {
            if terminal {
                let now = Date().timeIntervalSince1970
                guard now - lastDraw >= 0.1 else { return }
                lastDraw = now
                var text = "kinds \(progress.kindsDone)/\(progress.kindsTotal)"
                if progress.logsTotal > 0 { text += ", logs \(progress.logsDone)/\(progress.logsTotal)" }
                text += ", \(ProgressLine.size(progress.bytes))"
                if let current = progress.current { text += "  " + current }
                Output.err("\r\u{1B}[K" + String(text.prefix(160)))
                drawn = true
            } else if progress.kindsDone > lastKinds {
                lastKinds = progress.kindsDone
                Output.err("kinds \(progress.kindsDone)/\(progress.kindsTotal), \(ProgressLine.size(progress.bytes))\n")
            }
        }
    }

    func clear() {
        mutex.withLock { if drawn { Output.err("\r\u{1B}[K"); drawn = false } }
    }

    static func size(_ bytes: Int) -> String {
        if bytes < 1 << 10 { return "\(bytes) B" }
        if bytes < 1 << 20 { return String(format: "%.1f KiB", Double(bytes) / 1024) }
        return String(format: "%.1f MiB", Double(bytes) / 1048576)
    }
}
