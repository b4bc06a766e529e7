/// A runbook's flowchart: steps, the places a run can end, and how control moves between
/// them. Built by `GraphBuilder`, drawn by `GraphMermaid` and `GraphDot`.
public struct FlowGraph: Sendable {
    public enum NodeKind: String, Sendable {
        case start, step, call, conclusion, failure, finding
        /// The run falls off the last step: completed without a conclusion.
        case end
    }

    public struct Node: Sendable, Equatable {
        public var id: String
        public var kind: NodeKind
        public var label: String
    }

    public enum EdgeKind: String, Sendable {
        /// Falls through to the next step.
        case next
        /// `goto`, or reaching a conclusion or failure.
        case jump
        /// Calls another runbook and comes back.
        case call
        /// An `expect` that did not hold: a finding, the run goes on.
        case finding
    }

    public struct Edge: Sendable, Hashable, CustomStringConvertible {
        public var from: String
        public var to: String
        /// The condition path that leads along this edge, e.g. `x > 1 / yes`.
        public var label: String?
        public var kind: EdgeKind

        public var description: String {
            "\(from) -> \(to)" + (label.map { " [\($0)]" } ?? "") + (kind == .jump || kind == .next ? "" : " (\(kind.rawValue))")
        }
    }

    public var title: String
    /// The libraries the runbook uses (`use`), as written.
    public var uses: [String] = []
    public var nodes: [Node] = []
    public var edges: [Edge] = []
}
