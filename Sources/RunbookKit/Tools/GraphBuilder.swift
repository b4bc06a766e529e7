/// Builds the flowchart of a runbook from its AST: a node per step, an edge for every way
/// control can leave it (falling through, `goto`, a conclusion or failure, a call), each
/// labelled with the conditions and answers on the way there.
struct GraphBuilder {
    private let runbook: Runbook
    private let includeFindings: Bool
    private var graph: FlowGraph
    private var counts: [FlowGraph.NodeKind: Int] = [:]
    private var seenEdges: Set<FlowGraph.Edge> = []
    private let stepIndex: [String: Int]

    /// Labels longer than this are cut, so one huge expression cannot swamp the drawing.
    static let maxLabel = 80

    init(runbook: Runbook, includeFindings: Bool) {
        self.runbook = runbook
        self.includeFindings = includeFindings
        graph = FlowGraph(title: runbook.title)
        graph.uses = runbook.uses.map { $0.path.split(whereSeparator: \.isNewline).joined(separator: " ") }
        stepIndex = Dictionary(runbook.steps.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    static func stepNodeID(_ index: Int) -> String { "s\(index)" }

    mutating func build() -> FlowGraph {
        graph.nodes.append(.init(id: "start", kind: .start, label: "start"))
        for (i, step) in runbook.steps.enumerated() {
            graph.nodes.append(.init(id: GraphBuilder.stepNodeID(i), kind: .step,
                                     label: step.id + "\n" + GraphBuilder.cut(step.title)))
        }
        guard !runbook.steps.isEmpty else { return graph }
        edge("start", GraphBuilder.stepNodeID(0), nil, .next)
        for (i, step) in runbook.steps.enumerated() {
            let from = GraphBuilder.stepNodeID(i)
            walk(step.body, path: [], from: from)
            if !FlowAnalysis.alwaysLeaves(step.body) {
                let next = i + 1 < runbook.steps.count ? GraphBuilder.stepNodeID(i + 1) : endNode()
                edge(from, next, nil, .next)
            }
        }
        return graph
    }

    // MARK: Statements

    /// Adds the edges a block can take; stops at a statement that always leaves the step.
    private mutating func walk(_ block: [Stmt], path: [String], from: String) {
        for stmt in block {
            switch stmt.kind {
            case .goto(let target):
                if let j = stepIndex[target] { edge(from, GraphBuilder.stepNodeID(j), path, .jump) }
                return
            case .conclude(let message, let severity):
                let label = severity == .unstated ? "" : severity.label + ": "
                edge(from, node(.conclusion, label + text(message)), path, .jump)
                return
            case .fail(let message):
                edge(from, node(.failure, text(message)), path, .jump)
                return
            case .require(let condition, let message):
                edge(from, node(.failure, text(message)), path + [negation(condition)], .jump)
            case .expect(let condition, let message, let severity) where includeFindings:
                let label = severity == .warning ? "warning: " : ""
                edge(from, node(.finding, label + text(message)), path + [negation(condition)], .finding)
            case .call(_, let call):
                let host = call.host.map { " on " + source($0) } ?? ""
                edge(from, node(.call, "run " + call.path + host), path, .call)
            case .ifElse(let branches, let elseBody):
                for branch in branches { walk(branch.body, path: path + [source(branch.condition)], from: from) }
                if let elseBody { walk(elseBody, path: path + ["else"], from: from) }
                if FlowAnalysis.alwaysLeaves([stmt]) { return }
            case .ask(_, _, let choices):
                for choice in choices { walk(choice.body, path: path + [choice.label], from: from) }
                if FlowAnalysis.alwaysLeaves([stmt]) { return }
            case .foreach(let variable, _, _, let body):
                walk(body, path: path + ["each \(variable)"], from: from)
            case .retry(let count, _, _, let until, let elseMessage, let body):
                walk(body, path: path, from: from)
                let notHeld = path + ["\(negation(until)) after \(count) tries"]
                if let elseMessage {
                    if includeFindings { edge(from, node(.finding, text(elseMessage)), notHeld, .finding) }
                } else {
                    edge(from, node(.failure, "\(source(until)) did not hold"), notHeld, .jump)
                }
            default:
                break
            }
        }
    }

    // MARK: Nodes and edges

    private func text(_ template: Template) -> String {
        TemplateText.display(template, in: runbook.file)
    }

    private func source(_ expr: Expr) -> String {
        GraphBuilder.cut(ExprPrinter(file: runbook.file).print(expr))
    }

    /// The condition under which a check fails, as a label.
    private func negation(_ expr: Expr) -> String {
        GraphBuilder.cut(ExprPrinter(file: runbook.file).negation(expr))
    }

    private mutating func node(_ kind: FlowGraph.NodeKind, _ label: String) -> String {
        let n = counts[kind, default: 0]
        counts[kind] = n + 1
        let prefix: String
        switch kind {
        case .conclusion: prefix = "c"
        case .failure: prefix = "f"
        case .call: prefix = "r"
        case .finding: prefix = "x"
        default: prefix = "n"
        }
        let id = "\(prefix)\(n)"
        graph.nodes.append(.init(id: id, kind: kind, label: GraphBuilder.cut(label)))
        return id
    }

    private mutating func endNode() -> String {
        if !graph.nodes.contains(where: { $0.kind == .end }) {
            graph.nodes.append(.init(id: "done", kind: .end, label: "completed"))
        }
        return "done"
    }

    private mutating func edge(_ from: String, _ to: String, _ path: [String]?, _ kind: FlowGraph.EdgeKind) {
        let label = path.flatMap { $0.isEmpty ? nil : GraphBuilder.cut($0.joined(separator: " / ")) }
        let edge = FlowGraph.Edge(from: from, to: to, label: label, kind: kind)
        if seenEdges.insert(edge).inserted { graph.edges.append(edge) }
    }

    static func cut(_ text: String) -> String {
        text.count <= maxLabel ? text : String(text.prefix(maxLabel - 1)) + "…"
    }
}
