import RunbookKit

/// Prints diagnostics to stderr the way compilers do.
enum DiagnosticPrinter {
    static func print(_ diagnostics: [Diagnostic], color: Bool) {
        let renderer = DiagnosticRenderer(color: color)
        for d in diagnostics { Output.err(renderer.render(d)) }
    }

    /// Loads and checks a runbook, printing problems; nil when it has errors.
    static func load(_ path: String, library: RunbookLibrary = RunbookLibrary(), color: Bool) -> CheckedRunbook? {
        let (checked, diagnostics) = library.load(path: path)
        print(diagnostics, color: color)
        return checked
    }
}
