/// Draws a flowchart as Mermaid (`flowchart TD`). Every label is quoted, and characters that
/// Mermaid would read as syntax are written as entity codes (`#quot;`, `#124;` …).
enum GraphMermaid {
    static func render(_ graph: FlowGraph) -> String {
        let title = graph.title.split(whereSeparator: \.isNewline).joined(separator: " ")
        var out = "%% \(title)\n" + graph.uses.map { "%% uses \($0)\n" }.joined() + "flowchart TD\n"
        for node in graph.nodes {
            let text = "\"" + label(RunbookGraph.wrap(node.label)) + "\""
            switch node.kind {
            case .start: out += "  \(node.id)((\(text)))\n"
            case .end: out += "  \(node.id)(((\(text))))\n"
            case .step: out += "  \(node.id)[\(text)]\n"
            case .call: out += "  \(node.id)[[\(text)]]\n"
            case .conclusion: out += "  \(node.id)([\(text)])\n"
            case .failure: out += "  \(node.id){{\(text)}}\n"
            case .finding: out += "  \(node.id)>\(text)]\n"
            }
        }
        for edge in graph.edges {
            let arrow: String
            switch edge.kind {
            case .next, .jump: arrow = "-->"
            case .call: arrow = "-.->"
            case .finding: arrow = "-.->"
            }
            let text = edge.label.map { "|\"" + label(RunbookGraph.wrap($0)) + "\"|" } ?? ""
            out += "  \(edge.from) \(arrow)\(text) \(edge.to)\n"
        }
        out += """
              classDef conclusion fill:#d4edda,stroke:#2e7d32,color:#14401a
              classDef failure fill:#f8d7da,stroke:#c62828,color:#5f1111
              classDef finding fill:#fff3cd,stroke:#b8860b,color:#5c4300
              classDef call fill:#e3e6fb,stroke:#3f51b5,color:#1a237e

            """
        for kind in [FlowGraph.NodeKind.conclusion, .failure, .finding, .call] {
            let ids = graph.nodes.filter { $0.kind == kind }.map(\.id)
            if !ids.isEmpty { out += "  class \(ids.joined(separator: ",")) \(kind.rawValue)\n" }
        }
        return out
    }

    /// Text safe inside a quoted Mermaid label; newlines become line breaks.
    static func label(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "\"": out += "#quot;"
            case "#": out += "#35;"
            case "&": out += "#amp;"
            case "<": out += "#lt;"
            case ">": out += "#gt;"
            case "|": out += "#124;"
            case "{": out += "#123;"
            case "}": out += "#125;"
            case "[": out += "#91;"
            case "]": out += "#93;"
            case "`": out += "#96;"
            case "\n": out += "<br/>"
            case "\r", "\t": out += " "
            default: out.append(c)
            }
        }
        return out
    }
}
