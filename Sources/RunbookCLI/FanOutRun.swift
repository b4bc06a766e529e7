import Foundation
import RunbookKit

/// `--hosts a,b,c`: the whole runbook once per host, up to `--parallel` hosts at once. Each
/// host's output is kept together and printed when that host finishes (lines of different
/// hosts never mix); a host × result table ends the run. One slow or unreachable host does
/// not hold up or fail the others.
struct FanOutRun {
    let checked: CheckedRunbook
    let options: RunOptions
    let session: SessionOptions
    let terminal: Terminal
    let hosts: [String]

    /// What one host's run came to.
    struct HostResult {
        var host: String
        var result = "not run"
        var findings: [Finding] = []
        var reason = ""
        var exitCode: Int32 = 0
    }

    func run() throws -> Int32 {
        let executor = try Executors.make(session: session, scenarioPath: nil)
        defer { executor.shutdown() }
        let journal = try JournalFactory.open(session: session, runbookPath: checked.path, secrets: secrets())
        let journalLock = LockedObserver(journal)
        Cancellation.installSignalHandlers()
        let header = RunHeader.make(for: checked, parameters: displayedParameters(), mode: "run")
        journalLock.handle(.runStarted(header))
        Output.out(terminal.bold("● \(checked.title)") + terminal.dim("  (\(checked.path)) on \(hosts.count) hosts, \(min(session.parallel, hosts.count)) at a time") + "\n")

        let start = Date()
        var results = hosts.map { HostResult(host: $0) }
        let resultsLock = NSLock()
        let printLock = NSLock()
        ConcurrentWork.forEach(count: hosts.count, limit: session.parallel, stackSize: 8 << 20) { i in
            let result = runHost(hosts[i], executor: executor.executor, journal: journalLock, printLock: printLock)
            resultsLock.lock()
            results[i] = result
            resultsLock.unlock()
        }

        let worst = results.map(\.exitCode).max() ?? 0
        let status = worst == 3 ? "aborted" : (results.contains { $0.result == "failed" || $0.result == "unreachable" } ? "failed" : "completed")
        journalLock.handle(.runEnded(status: status, exitCode: worst, duration: Date().timeIntervalSince(start)))
        journal?.close()
        printTable(results, elapsed: Date().timeIntervalSince(start), exitCode: worst)
        if let journal { Output.out(terminal.dim("  journal:   \(journal.path)") + "\n") }
        return worst
    }

    private func runHost(_ host: String, executor: CommandExecutor, journal: RunObserver,
                         printLock: NSLock) -> HostResult {
        var hostOptions = options
        hostOptions.defaultHost = host
        hostOptions.stepPrefix = host + "/"
        var buffer = ""
        let renderer = TerminalRenderer(terminal: terminal, secrets: secrets(), sink: { buffer += $0 })
        let watcher = UnreachableWatcher()
        var result = HostResult(host: host)
        do {
            let interpreter = try Interpreter(checked: checked, executor: executor,
                                              observer: MulticastObserver([renderer, journal, watcher]),
                                              io: AbsentOperator(), options: hostOptions)
            let outcome = interpreter.run()
            result.findings = outcome.findings
            result.exitCode = outcome.exitCode
            switch outcome.status {
            case .failed(let m), .usageError(let m):
                result.result = watcher.reason != nil ? "unreachable" : "failed"
                result.reason = watcher.reason ?? m
            case .aborted(let m):
                result.result = "aborted"
                result.reason = m
            case .concluded(let c):
                result.result = outcome.findings.isEmpty ? "ok" : "finding"
                result.reason = c
            case .completed:
                result.result = outcome.findings.isEmpty ? "ok" : "finding"
            }
        } catch let error as RuntimeError {
            result.result = "failed"
            result.reason = error.message
            result.exitCode = 2
        } catch {
            result.result = "failed"
            result.reason = "\(error)"
            result.exitCode = 1
        }
        printLock.lock()
        Output.out("\n" + terminal.bold("═══ \(host) ═══ ") + result.result + "\n" + buffer)
        printLock.unlock()
        return result
    }

    private func printTable(_ results: [HostResult], elapsed: Double, exitCode: Int32) {
        let t = terminal
        let width = max(4, results.map { $0.host.count }.max() ?? 4)
        var out = "\n" + t.bold("── Hosts " + String(repeating: "─", count: 42)) + "\n"
        out += "  " + "host".padding(toLength: width, withPad: " ", startingAt: 0) + "  result       details\n"
        for r in results {
            let name = r.host.padding(toLength: width, withPad: " ", startingAt: 0)
            let label = r.result.padding(toLength: 11, withPad: " ", startingAt: 0)
            let colored = r.result == "ok" ? t.green(label) : (r.result == "finding" ? t.yellow(label) : t.red(label))
            var details = r.findings.map { "\($0.stepID.split(separator: "/").last.map(String.init) ?? $0.stepID): \($0.message)" }
            if r.result != "ok" && r.result != "finding" && !r.reason.isEmpty { details.insert(r.reason, at: 0) }
            out += "  \(name)  \(colored)  \(details.first ?? "")\n"
            for more in details.dropFirst() {
                out += "  " + String(repeating: " ", count: width) + "               \(more)\n"
            }
        }
        let counts = Dictionary(grouping: results, by: \.result).mapValues(\.count)
        let summary = counts.keys.sorted().map { "\(counts[$0]!) \($0)" }.joined(separator: ", ")
        out += "  \(summary) · \(TerminalRenderer.format(elapsed)) · exit code \(exitCode)\n"
        Output.out(out)
    }

    private func secrets() -> [String] {
        let secretNames = Set(checked.runbook.params.filter(\.secret).map(\.name))
        return options.parameters.filter { secretNames.contains($0.key) && !$0.value.isEmpty }.map(\.value)
    }

    private func displayedParameters() -> [String: String] {
        let secretNames = Set(checked.runbook.params.filter(\.secret).map(\.name))
        var shown: [String: String] = [:]
        for (k, v) in options.parameters { shown[k] = secretNames.contains(k) ? "********" : v }
        shown["hosts"] = hosts.joined(separator: ",")
        return shown
    }
}

/// Serialises events from several hosts into one observer (the shared journal).
final class LockedObserver: RunObserver {
    private let target: RunObserver?
    private let lock = NSLock()
    init(_ target: RunObserver?) { self.target = target }
    func handle(_ event: RunEvent) {
        lock.lock()
        target?.handle(event)
        lock.unlock()
    }
}

/// Notices when ssh could not reach the host, and keeps ssh's reason.
final class UnreachableWatcher: RunObserver {
    private(set) var reason: String?
    func handle(_ event: RunEvent) {
        if case .commandEnded(_, _, _, _, let result) = event, result.unreachable, reason == nil {
            reason = SSHFailure.reason(inStderr: result.stderr) ?? "unreachable"
        }
    }
}
