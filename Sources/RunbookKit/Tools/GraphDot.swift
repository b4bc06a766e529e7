/// Draws a flowchart in Graphviz DOT. Labels are double-quoted strings with `\` and `"`
/// escaped, so `<`, `|` and braces in titles are plain text.
enum GraphDot {
    static func render(_ graph: FlowGraph) -> String {
        var out = "digraph runbook {\n" + graph.uses.map { "  // uses \($0)\n" }.joined()
        out += "  label=\(quote(graph.title));\n  labelloc=t;\n  rankdir=TB;\n"
        out += "  node [fontname=\"Helvetica\", fontsize=11];\n  edge [fontname=\"Helvetica\", fontsize=9];\n"
        for node in graph.nodes {
            out += "  \(quote(node.id)) [label=\(quote(RunbookGraph.wrap(node.label))), \(attributes(node.kind))];\n"
        }
        for edge in graph.edges {
            var attributes: [String] = []
            if let label = edge.label { attributes.append("label=\(quote(RunbookGraph.wrap(label)))") }
            switch edge.kind {
            case .call: attributes.append("style=dashed")
            case .finding: attributes.append("style=dotted")
            case .next, .jump: break
            }
            let list = attributes.isEmpty ? "" : " [\(attributes.joined(separator: ", "))]"
            out += "  \(quote(edge.from)) -> \(quote(edge.to))\(list);\n"
        }
        return out + "}\n"
    }

    private static func attributes(_ kind: FlowGraph.NodeKind) -> String {
        switch kind {
        case .start: return "shape=circle"
        case .end: return "shape=doublecircle"
        case .step: return "shape=box, style=rounded"
        case .call: return "shape=box, peripheries=2, style=filled, fillcolor=\"#e3e6fb\""
        case .conclusion: return "shape=box, style=\"rounded,filled\", fillcolor=\"#d4edda\""
        case .failure: return "shape=octagon, style=filled, fillcolor=\"#f8d7da\""
        case .finding: return "shape=note, style=filled, fillcolor=\"#fff3cd\""
        }
    }

    /// A DOT string: `\` and `"` escaped, newlines as `\n` (a centred line break).
    static func quote(_ text: String) -> String {
        var out = "\""
        for c in text {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r", "\t": out += " "
            default: out.append(c)
            }
        }
        return out + "\""
    }
}
