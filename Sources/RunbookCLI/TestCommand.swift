import ArgumentParser
import Foundation
import RunbookKit

/// `runbook test [PATH…]`: runs scenario files against their runbooks. Only the kubectl
/// commands of a scenario with a `cluster` run for real, against a local fixture cluster.
struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run scenario tests: runbooks against canned command output or a fixture cluster.",
        discussion: """
            PATH is a .scenario file or a directory searched recursively for *.scenario files \
            (default: runbooks). The format is described in docs/TESTING.md. A scenario with a \
            `cluster` line runs its kubectl commands against that fixture cluster, served on \
            127.0.0.1 by runbook's own read-only API server; every other command needs a canned \
            answer. Exit codes: 0 all passed, 1 some failed (or --coverage-check found the file \
            stale), 2 a malformed scenario or a runbook with errors.
            """)

    @Argument(help: "Scenario files, or directories to search for *.scenario files.",
              completion: .file(extensions: ["scenario"]))
    var paths: [String] = ["runbooks"]

    @Option(name: .long, help: "Also write the results as JUnit XML to this file.", completion: .file())
    var junit: String?

    @Option(name: .long, help: "Write the cluster × runbook coverage into this Markdown file (the part below its marker).",
            completion: .file(extensions: ["md"]))
    var coverage: String?

    @Option(name: .long, help: "Fail (exit 1) when this Markdown file's coverage part differs from what the run gives.",
            completion: .file(extensions: ["md"]))
    var coverageCheck: String?

    @Option(name: .long, help: "Run this many scenarios at once (results are still printed in file order).")
    var jobs: Int = 1

    @Option(name: .long, help: "Serve this snapshot (or cluster directory) wherever a scenario names a cluster: the same scenarios then check that a replay gives the live diagnosis.",
            completion: .file())
    var snapshot: String?

    @Flag(name: .long, help: "Never colour the output (NO_COLOR is honoured too).")
    var noColor = false

    func run() throws {
        let terminal = Terminal(noColor: noColor)
        let files: [String]
        for path in paths where !FileManager.default.fileExists(atPath: path) {
            Output.err(ListCommand.missing(path, isDefault: paths == ["runbooks"], looksFor: "*.scenario files",
                                           command: "runbook test", example: "runbook test path/to/scenarios or runbook test FILE.scenario"))
            throw ExitCode(Exit.usage)
        }
        do {
            files = try ScenarioSuite.discover(paths)
        } catch let diagnostic as Diagnostic {
            Output.err("error: \(diagnostic.message)\n")
            throw ExitCode(Exit.usage)
        }
        if files.isEmpty {
            Output.err("no *.scenario files in \(paths.joined(separator: ", "))\n")
        }
        let stderrColor = terminal.color && isatty(2) == 1
        guard (1...64).contains(jobs) else {
            Output.err("error: --jobs must be from 1 to 64, not \(jobs)\n")
            throw ExitCode(Exit.usage)
        }
        if let snapshot, !FileManager.default.fileExists(atPath: snapshot) {
            Output.err("error: --snapshot \(snapshot): no such file or directory\n")
            throw ExitCode(Exit.usage)
        }
        let outcome = ScenarioSuite(files: files, clusters: ScenarioClusterServers(replacement: snapshot)).run(jobs: jobs) { result in
            DiagnosticPrinter.print(result.errors, color: stderrColor)
            Output.out(colored(ScenarioReport.text(for: result), terminal))
        }
        Output.out(outcome.summary + "\n")
        if let junit {
            do {
                try JUnitWriter.xml(outcome.results).write(toFile: junit, atomically: true, encoding: .utf8)
            } catch {
                Output.err("error: cannot write \(junit): \(error.localizedDescription)\n")
                throw ExitCode(Exit.usage)
            }
        }
        let coverageCode = try writeCoverage(outcome.results)
        throw ExitCode(outcome.exitCode != 0 ? outcome.exitCode : coverageCode)
    }

    /// Writes or checks the generated part of the coverage file; returns the exit code it adds.
    private func writeCoverage(_ results: [ScenarioResult]) throws -> Int32 {
        for (path, check) in [(coverage, false), (coverageCheck, true)] {
            guard let path else { continue }
            let existing = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            let wanted = CoverageReport.document(keeping: existing, results: results)
            if check {
                if wanted != existing {
                    Output.err("error: \(path) is stale: run `runbook test --coverage \(path) \(paths.joined(separator: " "))` and commit the result\n")
                    return 1
                }
                continue
            }
            do {
                try wanted.write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                Output.err("error: cannot write \(path): \(error.localizedDescription)\n")
                throw ExitCode(Exit.usage)
            }
        }
        return 0
    }

    private func colored(_ text: String, _ terminal: Terminal) -> String {
        if text.hasPrefix("PASS ") { return terminal.green("PASS") + text.dropFirst(4) }
        if text.hasPrefix("FAIL ") { return terminal.red("FAIL") + text.dropFirst(4) }
        if text.hasPrefix("WRONG ") { return terminal.yellow("WRONG") + text.dropFirst(5) }
        return text
    }
}

#if canImport(Glibc)
import Glibc
#endif
