import Foundation
import RunbookKit

/// Where the commands load runbooks and print their problems: on stderr, the way compilers
/// do (`file:line:col: error: …`, the line, a caret), every problem of a file in source order.
enum DiagnosticPrinter {
    /// More errors than this in one file are counted, not shown: after the first few, the
    /// rest are usually the same mistake again.
    static let maxShown = 50

    /// Colour on stderr: only on a terminal, and never with NO_COLOR.
    static var stderrColor: Bool { isatty(2) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil }

    static func print(_ diagnostics: [Diagnostic], color: Bool) {
        let renderer = DiagnosticRenderer(color: color)
        for d in diagnostics.prefix(maxShown) { Output.err(renderer.render(d)) }
        if diagnostics.count > maxShown {
            Output.err("… and \(diagnostics.count - maxShown) more\n")
        }
    }

    /// Loads and checks a runbook and the runbooks it calls, printing its problems; nil when
    /// it has errors. With `summarize`, a last line counts them (`FILE: 2 errors`).
    static func load(_ path: String, library: RunbookLibrary = RunbookLibrary(), color: Bool,
                     summarize: Bool = false) -> CheckedRunbook? {
        switch library.load(.path(path)) {
        case .success(let checked):
            print(checked.warnings, color: color)
            return checked
        case .failure(let list):
            print(list.diagnostics, color: color)
            if summarize {
                let count = list.errors.count
                Output.err("\(path): \(count) error\(count == 1 ? "" : "s")\n")
            }
            return nil
        }
    }

    /// Reads a runbook for the commands that need only its text and syntax (show, graph,
    /// fmt), printing why when it cannot be read.
    static func source(_ path: String, color: Bool) -> SourceFile? {
        switch RunbookLoader.readSource(path: path) {
        case .success(let file): return file
        case .failure(let diagnostic):
            print([diagnostic], color: color)
            return nil
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
