/// Names read where not every path from the start of the run has set them: set in one branch
/// of an `if` only, in a loop body that may not run, in a later step. Steps are followed as
/// `FlowAnalysis` does (fall-through and `goto`), and a name counts as set at a step's start
/// only when every way into the step sets it. The run starts at the first step; `--from`
/// is not considered (the runtime error covers it). Values are not followed, so a read inside
/// a branch is left alone: its condition may be what guarantees the name.
enum DefiniteAssignment {
    /// The names set at a point, as bits over the tracked names: the analysis intersects these
    /// at every join, and with a `Set<String>` a runbook of 4,000 steps and as many names spent
    /// seconds hashing strings (`check` of 100k lines went from 0.24 s to 4.9 s).
    struct NameSet: Equatable {
        var words: [UInt64]

        init(count: Int) { words = Array(repeating: 0, count: (count + 63) / 64) }

        func contains(_ i: Int) -> Bool { words[i >> 6] & (1 << UInt64(i & 63)) != 0 }
        mutating func insert(_ i: Int) { words[i >> 6] |= 1 << UInt64(i & 63) }

        func intersection(_ other: NameSet) -> NameSet {
            var result = self
            for k in result.words.indices { result.words[k] &= other.words[k] }
            return result
        }
    }

    static func warnings(_ runbook: Runbook) -> [Diagnostic] {
        let steps = runbook.steps
        guard !steps.isEmpty else { return [] }
        let sites = assignmentSites(runbook)
        let always = Set(runbook.params.map(\.name)).union(Checker.builtinNames)
        let trackedNames = Set(sites.keys).subtracting(always).sorted()
        guard !trackedNames.isEmpty else { return [] }
        let tracked = Dictionary(uniqueKeysWithValues: trackedNames.enumerated().map { ($1, $0) })
        let empty = NameSet(count: trackedNames.count)
        let index = Dictionary(steps.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })

        // What is set on entry to each step; nil while no path has reached it.
        var entry = [NameSet?](repeating: nil, count: steps.count)
        entry[0] = empty
        var work = [0]
        while let i = work.popLast() {
            var walker = Walker(tracked: tracked, report: false)
            let start = entry[i] ?? empty
            if let host = steps[i].host { walker.read(host, start, scope: []) }
            var edges = walker.block(steps[i].body, start, scope: []).map { [(i + 1, $0)] } ?? []
            edges += walker.jumps.compactMap { target, set in index[target].map { ($0, set) } }
            for (target, set) in edges where target < steps.count {
                let merged = entry[target].map { $0.intersection(set) } ?? set
                if merged != entry[target] {
                    entry[target] = merged
                    work.append(target)
                }
            }
        }

        var walker = Walker(tracked: tracked, report: true)
        for (i, step) in steps.enumerated() {
            guard let start = entry[i] else { continue }
            if let host = step.host { walker.read(host, start, scope: []) }
            _ = walker.block(step.body, start, scope: [])
        }
        return walker.unset.map { name, span in
            let places = (sites[name] ?? []).map { span -> String in
                let location = runbook.file.location(span)
                return "\(location.line):\(location.column)"
            }
            let list = places.count > 3 ? places.prefix(3).joined(separator: ", ") + " …" : places.joined(separator: ", ")
            return Diagnostic(.warning,
                              "'\(name)' may have no value here: not every path to this point sets it (it is set at \(list)); set it on every path first, e.g. \(name) = null before the branch or loop",
                              at: span, in: runbook.file)
        }
    }

    /// Where each name is set, in source order: assignments, captures, questions.
    static func assignmentSites(_ runbook: Runbook) -> [String: [Span]] {
        var sites: [String: [Span]] = [:]
        runbook.forEachStatement { stmt in
            switch stmt.kind {
            case .command(let capture?, _), .call(let capture?, _), .assign(let capture, _), .export(let capture, _):
                sites[capture, default: []].append(stmt.nameSpan ?? stmt.span)
            case .ask(let id, _, _):
                sites[id.replacingOccurrences(of: "-", with: "_"), default: []].append(stmt.nameSpan ?? stmt.span)
            default: break
            }
        }
        return sites
    }

    private struct Walker {
        /// Tracked names and their bit in a `NameSet`; other names are always set (parameters).
        let tracked: [String: Int]
        let report: Bool
        /// `goto` targets with what is set when the jump is taken.
        var jumps: [(String, NameSet)] = []
        var unset: [(String, Span)] = []
        var reported: Set<Int> = []
        /// How many branches (of an `if` or an `ask`) the walk is inside. A read there is not
        /// reported: the condition that leads to it may be what makes the name set
        /// (`if action == "restart"` after the step that set both).
        var branchDepth = 0

        init(tracked: [String: Int], report: Bool) {
            self.tracked = tracked
            self.report = report
        }

        /// What is set after the block, or nil when no path comes out of its end.
        mutating func block(_ stmts: [Stmt], _ start: NameSet, scope: Set<String>) -> NameSet? {
            var set = start
            for stmt in stmts {
                guard let next = statement(stmt, set, scope: scope) else { return nil }
                set = next
            }
            return set
        }

        private mutating func insert(_ name: String, into set: inout NameSet) {
            if let bit = tracked[name] { set.insert(bit) }
        }

        private mutating func statement(_ stmt: Stmt, _ set: NameSet, scope: Set<String>) -> NameSet? {
            var set = set
            switch stmt.kind {
            case .ifElse(let branches, let elseBody):
                var result: NameSet?
                func join(_ end: NameSet?) { if let end { result = result.map { $0.intersection(end) } ?? end } }
                for (n, branch) in branches.enumerated() {
                    if n == 0 { read(branch.condition, set, scope: scope) }
                    branchDepth += 1
                    if n > 0 { read(branch.condition, set, scope: scope) }
                    join(block(branch.body, set, scope: scope))
                    branchDepth -= 1
                }
                branchDepth += 1
                join(elseBody.map { block($0, set, scope: scope) } ?? set)
                branchDepth -= 1
                return result
            case .foreach(let variable, let list, _, let body):
                read(list, set, scope: scope)
                _ = block(body, set, scope: scope.union([variable]))
                return set   // the body may not run at all
            case .retry(_, _, _, let until, let elseMessage, let body):
                guard let end = block(body, set, scope: scope) else { return nil }
                read(until, end, scope: scope)
                if let elseMessage { read(Expr(kind: .string(elseMessage), span: elseMessage.span), end, scope: scope) }
                return end
            case .ask(let id, let question, let choices):
                read(Expr(kind: .string(question), span: question.span), set, scope: scope)
                insert(id.replacingOccurrences(of: "-", with: "_"), into: &set)
                var result: NameSet?
                branchDepth += 1
                for choice in choices {
                    if let end = block(choice.body, set, scope: scope) { result = result.map { $0.intersection(end) } ?? end }
                }
                branchDepth -= 1
                return result
            case .goto(let target):
                jumps.append((target, set))
                return nil
            case .conclude, .fail:
                for expr in stmt.expressions { read(expr, set, scope: scope) }
                return nil
            case .command(let capture, _), .call(let capture, _):
                for expr in stmt.expressions { read(expr, set, scope: scope) }
                if let capture { insert(capture, into: &set) }
                return set
            case .assign(let name, let value), .export(let name, let value):
                read(value, set, scope: scope)
                insert(name, into: &set)
                return set
            case .expect, .require, .print, .confirm:
                for expr in stmt.expressions { read(expr, set, scope: scope) }
                return set
            }
        }

        mutating func read(_ expr: Expr, _ set: NameSet, scope: Set<String>) {
            switch expr.kind {
            case .name(let name):
                guard report, branchDepth == 0, let bit = tracked[name], !set.contains(bit), !scope.contains(name) else { return }
                let span = expr.nameSpan ?? expr.span
                if reported.insert(span.start).inserted { unset.append((name, span)) }
            case .binary("and", let lhs, _), .binary("or", let lhs, _):
                read(lhs, set, scope: scope)   // the right side may never be evaluated
            case .conditional(let condition, _, _):
                read(condition, set, scope: scope)   // only one branch is evaluated
            case .call("defined", _):
                return   // asks whether the name has a value, so may name one that has none
            default:
                for child in expr.children { read(child, set, scope: scope) }
            }
        }
    }
}
