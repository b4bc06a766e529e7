import ArgumentParser
import Foundation
import RunbookKit

/// `runbook test [PATH…]`: runs scenario files against their runbooks; nothing real runs.
struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run scenario tests: runbooks against canned command output (nothing real runs).",
        discussion: """
            PATH is a .scenario file or a directory searched recursively for *.scenario files \
            (default: runbooks). The format is described in docs/TESTING.md. Exit codes: 0 all \
            passed, 1 some failed, 2 a malformed scenario or a runbook with errors.
            """)

    @Argument(help: "Scenario files, or directories to search for *.scenario files.",
              completion: .file(extensions: ["scenario"]))
    var paths: [String] = ["runbooks"]

    @Option(name: .long, help: "Also write the results as JUnit XML to this file.", completion: .file())
    var junit: String?

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
        let outcome = ScenarioSuite(files: files).run { result in
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
        throw ExitCode(outcome.exitCode)
    }

    private func colored(_ text: String, _ terminal: Terminal) -> String {
        if text.hasPrefix("PASS ") { return terminal.green("PASS") + text.dropFirst(4) }
        if text.hasPrefix("FAIL ") { return terminal.red("FAIL") + text.dropFirst(4) }
        return text
    }
}

#if canImport(Glibc)
import Glibc
#endif
