import ArgumentParser
import Foundation
import RunbookKit

/// `runbook fmt [--check] FILE…`: rewrites runbooks in the canonical layout.
struct FmtCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fmt",
        abstract: "Format runbooks in the canonical layout.",
        discussion: """
            Rewrites each file in place (atomically) and prints what changed. A symbolic link \
            is followed (its target is formatted, the link stays); owner, mode and hard links \
            are kept. With --check, \
            writes nothing: lists the files that are not formatted and exits 1 if there are any. \
            A file whose formatted form would not mean the same is never written (exit 2).
            """)

    @Flag(name: .long, help: "Only list files that are not formatted; change nothing.")
    var check = false

    @Argument(help: "Runbook files, or directories to search for *.runbook files.",
              completion: .file(extensions: ["runbook"]))
    var files: [String]

    func run() throws {
        var errors = 0
        var unformatted = 0
        let color = DiagnosticPrinter.stderrColor
        for path in FormatFile.expand(files) {
            guard let file = DiagnosticPrinter.source(path, color: color) else {
                errors += 1
                continue
            }
            let formatted: String
            do {
                formatted = try RunbookFormatter.format(file)
            } catch RunbookFormatter.Failure.syntax(let diagnostics) {
                DiagnosticPrinter.print(diagnostics, color: color)
                Output.err("\(path): not formatted (fix the errors first)\n")
                errors += 1
                continue
            } catch {
                Output.err("error: \(error)\n")
                errors += 1
                continue
            }
            if formatted == file.text { continue }
            unformatted += 1
            if check {
                Output.out("\(path)\n")
                continue
            }
            do {
                try FormatFile.writeAtomically(formatted, to: path)
            } catch {
                Output.err("error: \(path) not formatted: \(error.localizedDescription)\n")
                errors += 1
                continue
            }
            let changed = FormatFile.changedLines(file.text, formatted)
            Output.out("formatted \(path) (\(changed) line\(changed == 1 ? "" : "s") changed)\n")
        }
        if errors > 0 { throw ExitCode(Exit.usage) }
        if check && unformatted > 0 { throw ExitCode(Exit.findings) }
    }
}

#if canImport(Glibc)
import Glibc
#endif
