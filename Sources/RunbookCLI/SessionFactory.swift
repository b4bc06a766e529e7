import ArgumentParser
import Foundation
import RunbookKit

/// What every command that runs a runbook needs from this process, gathered in one place:
/// the environment variables the tool honours, the journal, the executor, the signal
/// handlers. The library takes them as values and reads none itself.
enum SessionFactory {
    /// The process's environment variables the tool reads (getenv: building the whole
    /// environment dictionary costs more than a small run's start-up).
    static func variable(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The process's environment for `env(name)`, when the runbook (or one it calls) uses it:
    /// building it costs more than a small run's start-up otherwise.
    static func environment(for checked: CheckedRunbook) -> [String: String] {
        let files = [checked.runbook.file] + checked.callees.values.map(\.runbook.file)
        guard files.contains(where: { $0.text.contains("env(") }) else { return [:] }
        return ProcessInfo.processInfo.environment
    }

    static var identity: RunIdentity {
        RunIdentity.thisProcess(user: variable("USER") ?? variable("LOGNAME"),
                                sudoUID: variable("SUDO_UID").flatMap { UInt32($0) })
    }

    /// Opens the journal a run asked for (or the default one), or none with --no-journal.
    static func journal(session: SessionOptions, runbookPath: String) throws -> JournalWriter? {
        if session.noJournal { return nil }
        return try openJournal(path: session.journal, runbookPath: runbookPath)
    }

    /// `path`, or a new file in `$RUNBOOK_JOURNAL_DIR` (default `.runbook/journal`).
    static func openJournal(path: String?, runbookPath: String) throws -> JournalWriter {
        // RUNBOOK_JOURNAL_FSYNC=sync: every checkpoint waits for the disk (see Durability).
        let durability: JournalWriter.Durability = variable("RUNBOOK_JOURNAL_FSYNC") == "sync" ? .synchronousCheckpoints : .checkpoints
        let interval = variable("RUNBOOK_JOURNAL_FSYNC_INTERVAL_MS").flatMap(Double.init).map { $0 / 1000 } ?? 0.005
        do {
            if let path {
                return try JournalWriter(path: path, durability: durability, syncInterval: interval)
            }
            let directory = JournalWriter.defaultDirectory(environment: ["RUNBOOK_JOURNAL_DIR": variable("RUNBOOK_JOURNAL_DIR") ?? ""])
            return try JournalWriter(directory: directory, runbookPath: runbookPath, durability: durability,
                                     syncInterval: interval)
        } catch {
            Output.err("error: \(error)\n(use --journal PATH to choose another place, or --no-journal)\n")
            throw ExitCode(Exit.usage)
        }
    }

    /// Builds the run session; a usage problem (an unknown or missing parameter) exits 2.
    static func session(_ setup: RunSession.Setup) throws -> RunSession {
        do {
            return try RunSession(setup)
        } catch let error as RuntimeError {
            setup.journal?.close()
            Output.err("error: \(error.message)\n")
            throw ExitCode(Exit.usage)
        }
    }
}

/// Runs a session to its end on the terminal: one target's output as it happens, or, for a
/// fan-out, each host's output kept together and printed when that host ends (lines of
/// different hosts never mix), in the order the hosts were given, then a host × result table.
struct RunDriver {
    let terminal: Terminal
    /// Whether the run ends with its JSON result on stdout (`--format json`).
    var json = false

    /// The observers and the per-host buffers of a run about to be built.
    final class Display {
        let terminal: Terminal
        let renderer: TerminalRenderer?
        private let lock = Mutex()
        private var buffers: [String: HostBuffer] = [:]

        let level: OutputLevel

        init(terminal: Terminal, fanOut: Bool, simulated: Bool, level: OutputLevel = .normal) {
            self.terminal = terminal
            self.level = level
            renderer = fanOut ? nil : TerminalRenderer(terminal: terminal, level: level, simulated: simulated)
        }

        var observers: [RunObserver] { renderer.map { [$0] } ?? [] }

        /// A fan-out host's own renderer, writing into its buffer.
        func targetObservers(_ target: String?) -> [RunObserver] {
            guard renderer == nil, let target else { return [] }
            let buffer = HostBuffer()
            lock.lock()
            buffers[target] = buffer
            lock.unlock()
            return [TerminalRenderer(terminal: terminal, level: level, sink: { buffer.text += $0 })]
        }

        func take(_ target: String) -> String {
            lock.lock()
            defer { lock.unlock() }
            return buffers[target]?.text ?? ""
        }
    }

    final class HostBuffer { var text = "" }

    /// Runs every target, prints the summary (or the host table) and the journal's path;
    /// returns the exit code.
    func run(_ session: RunSession, display: Display, startRecord: Bool = true) -> Int32 {
        if startRecord { session.start() }
        if session.isFanOut {
            let hosts = session.targets.compactMap(\.target)
            Output.out(terminal.bold("● \(session.checked.title)") + terminal.dim("  (\(session.checked.path)) on \(hosts.count) hosts, \(min(session.header.plan.targets.parallel, hosts.count)) at a time") + "\n")
        }
        let sections = OrderedSections(order: session.targets.compactMap(\.target))
        let outcome = session.runAll { ended in
            guard let host = ended.target else { return }
            sections.finished(host, "\n" + terminal.bold("═══ \(host) ═══ ") + FanOutTable.label(ended) + "\n" + display.take(host))
        }
        sections.flush()
        if let renderer = display.renderer {
            renderer.redactor = session.redactor
            renderer.summary(outcome.targets[0].outcome)
            renderer.stop()
        } else {
            Output.out(FanOutTable(terminal: terminal, redactor: session.redactor).render(outcome))
        }
        if let path = session.journalPath {
            if let problem = session.healthProblem {
                Output.err("error: journal \(path): \(problem)\n")
            } else {
                Output.out(terminal.dim("  journal:   \(path)") + "\n")
            }
        }
        if json { Output.result(RunResultJSON.make(session: session, outcome: outcome)) }
        return outcome.exitCode
    }
}

/// A fan-out's host sections in the order the hosts were given: a section is printed as soon
/// as its host and every host before it have finished, so the first host's output comes as
/// early as before and the order is the same in every run.
final class OrderedSections: @unchecked Sendable {
    private let order: [String]
    private let lock = Mutex()
    private var held: [String: String] = [:]
    private var next = 0

    init(order: [String]) { self.order = order }

    /// A host has ended with this section: print it and whatever it held back.
    func finished(_ host: String, _ section: String) {
        lock.withLock {
            held[host] = section
            while next < order.count, let ready = held.removeValue(forKey: order[next]) {
                Output.out(ready)
                next += 1
            }
        }
    }

    /// Prints what is still held back, in order (a host before them never ended).
    func flush() {
        lock.withLock {
            for host in order[next...] { if let section = held.removeValue(forKey: host) { Output.out(section) } }
            next = order.count
        }
    }
}

/// The host × result table that ends a fan-out.
struct FanOutTable {
    let terminal: Terminal
    let redactor: SecretRedactor

    /// "ok", "finding", "failed", "unreachable", "aborted".
    static func label(_ ended: RunSession.TargetOutcome) -> String {
        switch ended.status {
        case .concluded, .completed, .ended: return ended.outcome.findings.isEmpty ? "ok" : "finding"
        case .failed: return "failed"
        case .unreachable: return "unreachable"
        case .aborted: return "aborted"
        }
    }

    func render(_ outcome: RunSession.Outcome) -> String {
        let t = terminal
        let results = outcome.targets
        let width = max(4, results.map { ($0.target ?? "").count }.max() ?? 4)
        var out = "\n" + t.bold("── Hosts " + String(repeating: "─", count: 42)) + "\n"
        out += "  " + "host".padding(toLength: width, withPad: " ", startingAt: 0) + "  result       details\n"
        var counts: [String: Int] = [:]
        for r in results {
            let label = FanOutTable.label(r)
            counts[label, default: 0] += 1
            let name = (r.target ?? "").padding(toLength: width, withPad: " ", startingAt: 0)
            let padded = label.padding(toLength: 11, withPad: " ", startingAt: 0)
            let colored = label == "ok" ? t.green(padded) : (label == "finding" ? t.yellow(padded) : t.red(padded))
            var details = r.outcome.findings.map { "\($0.path.stepDescription): \($0.message)" }
            if label != "ok" && label != "finding", let reason = r.reason, !reason.isEmpty { details.insert(reason, at: 0) }
            if let conclusion = r.outcome.conclusion { details.append("■ " + conclusion) }
            out += "  \(name)  \(colored)  \(redactor.redact(details.first ?? ""))\n"
            for more in details.dropFirst() {
                out += "  " + String(repeating: " ", count: width) + "               \(redactor.redact(more))\n"
            }
        }
        let summary = counts.keys.sorted().map { "\(counts[$0]!) \($0)" }.joined(separator: ", ")
        out += "  \(summary) · \(TerminalRenderer.format(outcome.duration)) · exit code \(outcome.exitCode)\n"
        return out
    }
}
