/// How control can move between steps: a step falls through to the next unless its body
/// always ends in `goto`, `conclude` or `fail`; `goto` adds an edge anywhere.
public enum FlowAnalysis {
    /// True when every path through the block ends the step with a jump or an outcome.
    public static func alwaysLeaves(_ block: [Stmt]) -> Bool {
        block.contains { stmt in
            switch stmt.kind {
            case .goto, .conclude, .fail: return true
            case .ifElse(let branches, let elseBody?):
                return branches.allSatisfy { alwaysLeaves($0.body) } && alwaysLeaves(elseBody)
            case .ask(_, _, let choices): return !choices.isEmpty && choices.allSatisfy { alwaysLeaves($0.body) }
            default: return false
            }
        }
    }

    /// Every `goto` target in a block, nested blocks included, in source order.
    public static func gotoTargets(_ block: [Stmt]) -> [String] {
        var targets: [String] = []
        block.forEachStatement { stmt in
            if case .goto(let target) = stmt.kind { targets.append(target) }
        }
        return targets
    }

    static func unreachableSteps(_ runbook: Runbook) -> [Diagnostic] {
        guard !runbook.steps.isEmpty else { return [] }
        let index = Dictionary(runbook.steps.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        var reached = Set([0])
        var work = [0]
        while let i = work.popLast() {
            let step = runbook.steps[i]
            var next = gotoTargets(step.body).compactMap { index[$0] }
            if !alwaysLeaves(step.body), i + 1 < runbook.steps.count { next.append(i + 1) }
            for n in next where reached.insert(n).inserted { work.append(n) }
        }
        return runbook.steps.enumerated().filter { !reached.contains($0.offset) }.map { _, step in
            Diagnostic(.error, "step '\(step.id)' can never run: no step reaches it (add a 'goto \(step.id)' or remove it)",
                       at: step.span, in: runbook.file)
        }
    }
}
