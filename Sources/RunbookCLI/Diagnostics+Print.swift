import RunbookKit

/// Prints diagnostics to stderr the way compilers do.
enum DiagnosticPrinter {
    /// More errors than this in one file are counted, not shown: after the first few, the
    /// rest are usually the same mistake again.
    static let maxShown = 50

    static func print(_ diagnostics: [Diagnostic], color: Bool) {
        let renderer = DiagnosticRenderer(color: color)
        for d in diagnostics.prefix(maxShown) { Output.err(renderer.render(d)) }
        if diagnostics.count > maxShown {
            Output.err("… and \(diagnostics.count - maxShown) more\n")
        }
    }

    /// Loads and checks a runbook, printing problems; nil when it has errors.
    static func load(_ path: String, library: RunbookLibrary = RunbookLibrary(), color: Bool) -> CheckedRunbook? {
        let (checked, diagnostics) = library.load(path: path)
        print(diagnostics, color: color)
        return checked
    }
}
