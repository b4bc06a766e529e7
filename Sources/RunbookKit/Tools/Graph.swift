/// `runbook graph`: a runbook's flowchart as Mermaid or Graphviz DOT.
public enum RunbookGraph {
    public enum Format: String, CaseIterable, Sendable {
        case mermaid, dot
    }

    /// The flowchart of a parsed runbook.
    public static func graph(of runbook: Runbook, includeFindings: Bool = false) -> FlowGraph {
        var builder = GraphBuilder(runbook: runbook, includeFindings: includeFindings)
        return builder.build()
    }

    public static func render(_ graph: FlowGraph, format: Format) -> String {
        switch format {
        case .mermaid: return GraphMermaid.render(graph)
        case .dot: return GraphDot.render(graph)
        }
    }

    /// Labels are drawn at most this many characters wide, so a long condition or message
    /// does not make the drawing wide.
    static let labelWidth = 40

    /// `text` with each line broken at spaces into lines of at most `width` characters (a
    /// longer word stays whole on its own line).
    static func wrap(_ text: String, width: Int = labelWidth) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            var lines: [String] = []
            var current = ""
            for word in line.split(separator: " ", omittingEmptySubsequences: false) {
                if !current.isEmpty && current.count + 1 + word.count > width {
                    lines.append(current)
                    current = String(word)
                } else {
                    current += (current.isEmpty ? "" : " ") + word
                }
            }
            lines.append(current)
            return lines.joined(separator: "\n")
        }.joined(separator: "\n")
    }

    /// Parses and draws a runbook file; syntax errors are thrown as a `DiagnosticList`.
    /// Runs on a large stack: deeply nested expressions must not overflow it.
    public static func render(file: SourceFile, format: Format, includeFindings: Bool = false) throws -> String {
        try LargeStack.run {
            let (parsed, diagnostics) = Parser.parse(file)
            guard let runbook = parsed else { throw DiagnosticList(diagnostics) }
            return render(graph(of: runbook, includeFindings: includeFindings), format: format)
        }
    }
}
