import ArgumentParser
import Foundation
import RunbookKit

extension RunbookGraph.Format: ExpressibleByArgument {}

/// `runbook graph FILE [--format mermaid|dot]`: the runbook's flowchart.
struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Print a runbook's flowchart as Mermaid or Graphviz DOT.",
        discussion: """
            One node per step; edges for falling through, goto (labelled with the conditions \
            and answers that lead there), calls to other runbooks, conclusions and failures. \
            Render DOT with e.g.  runbook graph FILE --format dot | dot -Tsvg > flow.svg
            """)

    @Argument(help: "The runbook file.", completion: .file(extensions: ["runbook"]))
    var file: String

    @Option(name: .long, help: "mermaid (default) or dot.")
    var format: RunbookGraph.Format = .mermaid

    @Flag(name: .long, help: "Also draw the findings each expect can record.")
    var findings = false

    func run() throws {
        let color = DiagnosticPrinter.stderrColor
        guard let source = DiagnosticPrinter.source(file, color: color) else { throw ExitCode(Exit.usage) }
        do {
            Output.out(try RunbookGraph.render(file: source, format: format, includeFindings: findings))
        } catch let list as DiagnosticList {
            DiagnosticPrinter.print(list.diagnostics, color: color)
            throw ExitCode(Exit.usage)
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
