import ArgumentParser
import Foundation
import RunbookKit

/// `runbook show FILE [--markdown]`: what a runbook does, without running it.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show what a runbook does: its steps, commands and decisions.",
        discussion: "With --markdown, prints a page for a wiki: description, parameter table, a section per step.")

    @Argument(help: "The runbook file.", completion: .file(extensions: ["runbook"]))
    var file: String

    @Flag(name: .long, help: "Print Markdown (for wikis) instead of the plain outline.")
    var markdown = false

    func run() throws {
        let color = DiagnosticPrinter.stderrColor
        guard let source = DiagnosticPrinter.source(file, color: color) else { throw ExitCode(Exit.usage) }
        do {
            if markdown {
                Output.out(try MarkdownView.render(file: source))
            } else {
                Output.out(try RunbookOutline.text(file: source))
            }
        } catch let list as DiagnosticList {
            DiagnosticPrinter.print(list.diagnostics, color: color)
            throw ExitCode(Exit.usage)
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
