/// `runbook show` without --markdown: the runbook's plan (steps, commands, decisions as
/// written) under its title. Nothing is evaluated.
public enum RunbookOutline {
    /// Parses a runbook file and outlines it; syntax errors are thrown as a `DiagnosticList`.
    public static func text(file: SourceFile) throws -> String {
        try LargeStack.run {
            let (parsed, diagnostics) = Parser.parse(file)
            guard let runbook = parsed else { throw DiagnosticList(diagnostics) }
            var lines = PlanPrinter.plan(runbook).split(separator: "\n", omittingEmptySubsequences: false)
            // The plan's first line speaks of a dry run; here it is just the runbook.
            lines[0] = Substring("\(runbook.title)  (\(runbook.file.path))")
            return lines.joined(separator: "\n")
        }
    }
}
