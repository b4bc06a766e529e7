import Foundation

/// Static checks that need the whole runbook: step ids, names, functions, calls, flow.
struct Checker {
    let runbook: Runbook
    let library: RunbookLibrary
    var diagnostics: [Diagnostic] = []
    var callees: [String: CheckedRunbook] = [:]
    /// Names that some statement defines anywhere in the runbook.
    var definedNames: Set<String> = []
    var stepIDs: Set<String> = []
    var askIDs: [String: Int] = [:]

    /// Names every runbook has: the host the run targets.
    static let builtinNames: Set<String> = ["target"]

    init(runbook: Runbook, library: RunbookLibrary) {
        self.runbook = runbook
        self.library = library
    }

    var file: SourceFile { runbook.file }

    mutating func error(_ message: String, at offset: Int, length: Int = 1) {
        diagnostics.append(Diagnostic(.error, message, at: file.location(offset), length: length))
    }

    mutating func check() -> [Diagnostic] {
        checkParams()
        collectDefinitions()
        var seen: [String: Int] = [:]
        for step in runbook.steps {
            if seen[step.id] != nil {
                error("duplicate step id '\(step.id)' (first defined at line \(file.line(of: seen[step.id]!)))",
                      at: step.offset + 5, length: step.id.utf8.count)
            } else {
                seen[step.id] = step.offset
            }
        }
        for step in runbook.steps {
            if let host = step.host { checkExpr(host, scope: []) }
            checkBlock(step.body, scope: [], inParallel: false)
        }
        diagnostics.append(contentsOf: FlowAnalysis.unreachableSteps(runbook))
        return diagnostics
    }

    private mutating func checkParams() {
        var seen: Set<String> = []
        for param in runbook.params {
            if !seen.insert(param.name).inserted {
                error("duplicate parameter '\(param.name)'", at: param.offset)
            }
            if let value = param.defaultValue, !Checker.isConstant(value) {
                error("a parameter's default must be a literal value", at: value.offset, length: value.length)
            }
        }
    }

    static func isConstant(_ expr: Expr) -> Bool {
        switch expr.kind {
        case .number, .duration, .bool, .null: return true
        case .string(let t): return t.plainText != nil
        case .list(let items): return items.allSatisfy(isConstant)
        case .unary("-", let e): return isConstant(e)
        default: return false
        }
    }

    private mutating func collectDefinitions() {
        definedNames = Set(runbook.params.map(\.name)).union(Checker.builtinNames)
        stepIDs = Set(runbook.steps.map(\.id))
        func walk(_ block: [Stmt]) {
            for stmt in block {
                switch stmt.kind {
                case .command(let capture?, _), .call(let capture?, _): definedNames.insert(capture)
                case .assign(let name, _): definedNames.insert(name)
                case .ask(let id, _, let choices):
                    definedNames.insert(id.replacingOccurrences(of: "-", with: "_"))
                    choices.forEach { walk($0.body) }
                case .ifElse(let branches, let elseBody):
                    branches.forEach { walk($0.body) }
                    walk(elseBody ?? [])
                case .foreach(_, _, _, let body), .retry(_, _, _, _, _, let body): walk(body)
                default: break
                }
            }
        }
        runbook.steps.forEach { walk($0.body) }
    }

    // MARK: Statements

    private mutating func checkBlock(_ block: [Stmt], scope: [String], inParallel: Bool) {
        for stmt in block { checkStmt(stmt, scope: scope, inParallel: inParallel) }
    }

    private mutating func checkStmt(_ stmt: Stmt, scope: [String], inParallel: Bool) {
        switch stmt.kind {
        case .command(_, let command):
            if let host = command.host { checkExpr(host, scope: scope) }
            if let confirm = command.confirm {
                checkTemplate(confirm, scope: scope)
                if inParallel { error("'confirm' cannot run inside 'foreach … parallel': confirm before the loop", at: command.offset) }
            }
            if let t = command.timeout, t <= 0 { error("a timeout must be longer than zero", at: command.offset) }
        case .assign(_, let value): checkExpr(value, scope: scope)
        case .call(_, let call): checkCall(call, scope: scope)
        case .expect(let condition, let message), .require(let condition, let message):
            checkExpr(condition, scope: scope)
            checkTemplate(message, scope: scope)
        case .ifElse(let branches, let elseBody):
            for branch in branches {
                checkExpr(branch.condition, scope: scope)
                checkBlock(branch.body, scope: scope, inParallel: inParallel)
            }
            if let elseBody { checkBlock(elseBody, scope: scope, inParallel: inParallel) }
        case .foreach(let variable, let list, let parallel, let body):
            checkExpr(list, scope: scope)
            checkBlock(body, scope: scope + [variable], inParallel: inParallel || (parallel ?? 1) > 1)
        case .retry(_, _, _, let until, let elseMessage, let body):
            checkBlock(body, scope: scope, inParallel: inParallel)
            checkExpr(until, scope: scope)
            if let elseMessage { checkTemplate(elseMessage, scope: scope) }
        case .ask(let id, let question, let choices):
            if inParallel { error("'ask' cannot run inside 'foreach … parallel': questions need one at a time", at: stmt.offset) }
            if let first = askIDs[id] {
                error("duplicate question id '\(id)' (first used at line \(file.line(of: first))): name the question, e.g. ask \(id)-2 \"…\"",
                      at: stmt.nameOffset ?? stmt.offset)
            } else {
                askIDs[id] = stmt.offset
            }
            checkTemplate(question, scope: scope)
            var labels: Set<String> = []
            for choice in choices {
                if !labels.insert(choice.label).inserted {
                    error("duplicate choice '\(choice.label)'", at: choice.offset)
                }
                checkBlock(choice.body, scope: scope, inParallel: inParallel)
            }
        case .goto(let target):
            if inParallel {
                error("'goto' cannot jump out of 'foreach … parallel'", at: stmt.offset)
            }
            if !stepIDs.contains(target) {
                let offset = stmt.nameOffset ?? stmt.offset
                error("no step '\(target)'\(Checker.suggestion(for: target, among: runbook.steps.map(\.id)))",
                      at: offset, length: target.utf8.count)
            }
        case .conclude(let t), .fail(let t), .print(let t), .confirm(let t):
            if case .confirm = stmt.kind, inParallel {
                error("'confirm' cannot run inside 'foreach … parallel'", at: stmt.offset)
            }
            if case .conclude = stmt.kind, inParallel {
                error("'conclude' cannot run inside 'foreach … parallel': record findings there and conclude after the loop", at: stmt.offset)
            }
            checkTemplate(t, scope: scope)
        }
    }

    private mutating func checkCall(_ call: Call, scope: [String]) {
        if let host = call.host { checkExpr(host, scope: scope) }
        for argument in call.arguments { checkExpr(argument.value, scope: scope) }
        let path = CheckedRunbook.resolve(call.path, from: file.path)
        let pathLength = call.path.utf8.count + 2
        let pathOffset = call.offset + 4
        if let cycle = library.cycle(to: path) {
            let names = cycle.map { ($0 as NSString).lastPathComponent }.joined(separator: " → ")
            error("call cycle: \(names)", at: pathOffset, length: pathLength)
            return
        }
        let (callee, calleeDiagnostics) = library.load(path: path)
        guard let callee else {
            if let cycle = calleeDiagnostics.first(where: { $0.message.hasPrefix("call cycle") }) {
                error(cycle.message, at: pathOffset, length: pathLength)
            } else if calleeDiagnostics.count == 1, calleeDiagnostics[0].location == nil {
                error("cannot run '\(call.path)': \(calleeDiagnostics[0].message)", at: pathOffset, length: pathLength)
            } else {
                error("'\(call.path)' has errors (run 'runbook check \(path)')", at: pathOffset, length: pathLength)
            }
            return
        }
        callees[call.path] = callee
        let known = Set(callee.runbook.params.map(\.name))
        for argument in call.arguments where !known.contains(argument.name) {
            let list = callee.runbook.params.map(\.name).joined(separator: ", ")
            error("'\(call.path)' has no parameter '\(argument.name)' (its parameters: \(list.isEmpty ? "none" : list))",
                  at: argument.offset, length: argument.name.utf8.count)
        }
        let given = Set(call.arguments.map(\.name))
        for param in callee.runbook.params where param.isRequired && !given.contains(param.name) {
            error("'\(call.path)' needs the parameter '\(param.name)': add \(param.name)=…", at: pathOffset, length: pathLength)
        }
    }

    // MARK: Expressions

    private mutating func checkTemplate(_ template: Template, scope: [String]) {
        for part in template.parts {
            if case .expr(let e) = part { checkExpr(e, scope: scope) }
        }
    }

    private mutating func checkExpr(_ expr: Expr, scope: [String]) {
        switch expr.kind {
        case .string(let t): checkTemplate(t, scope: scope)
        case .name(let name):
            if !definedNames.contains(name) && !scope.contains(name) {
                let candidates = Array(definedNames) + scope
                error("undefined name '\(name)'\(Checker.suggestion(for: name, among: candidates))",
                      at: expr.offset, length: expr.length)
            }
        case .list(let items): items.forEach { checkExpr($0, scope: scope) }
        case .member(let base, _): checkExpr(base, scope: scope)
        case .index(let base, let index):
            checkExpr(base, scope: scope)
            checkExpr(index, scope: scope)
            checkWholeNumberLiteral(index, what: "the index")
        case .call(let name, let args):
            args.forEach { checkExpr($0, scope: scope) }
            guard let builtin = Builtins.table[name] else {
                error("unknown function '\(name)'\(Checker.suggestion(for: name, among: Array(Builtins.table.keys)))",
                      at: expr.offset, length: name.utf8.count)
                return
            }
            if args.count < builtin.minArgs || args.count > builtin.maxArgs {
                error("\(name)() takes \(Checker.arity(builtin)): \(builtin.signature)", at: expr.offset, length: expr.length)
            }
            if ["match", "grep"].contains(name), args.count == 2 { checkRegexLiteral(args[1]) }
            if name == "field", args.count == 2 { checkWholeNumberLiteral(args[1], what: "field number") }
        case .unary(_, let operand): checkExpr(operand, scope: scope)
        case .binary(let op, let lhs, let rhs):
            checkExpr(lhs, scope: scope)
            checkExpr(rhs, scope: scope)
            if op == "matches" { checkRegexLiteral(rhs) }
        case .number, .duration, .bool, .null: break
        }
    }

    private mutating func checkRegexLiteral(_ expr: Expr) {
        guard case .string(let t) = expr.kind else { return }
        if let pattern = t.plainText, !RegexCache.isValid(pattern) {
            error("invalid regular expression \"\(pattern)\"", at: expr.offset, length: expr.length)
        }
        // `x{3}` in a pattern is meant as a repetition, but `{3}` is interpolation: the
        // pattern would silently become `x3`.
        for part in t.parts {
            if case .expr(let e) = part, case .number(let n) = e.kind {
                error("'{\(Value.format(n))}' in a regular expression is read as a value: write \\{\(Value.format(n))\\} for a repetition",
                      at: e.offset - 1, length: e.length + 2)
            }
        }
    }

    static func arity(_ b: Builtin) -> String {
        if b.minArgs == b.maxArgs { return b.minArgs == 1 ? "1 argument" : "\(b.minArgs) arguments" }
        return "\(b.minArgs) to \(b.maxArgs) arguments"
    }

    /// ", did you mean 'x'?" for a close spelling, or nothing.
    static func suggestion(for word: String, among candidates: [String]) -> String {
        var best: (name: String, distance: Int)?
        for candidate in candidates.sorted() {
            let d = editDistance(word, candidate)
            if best == nil || d < best!.distance { best = (candidate, d) }
        }
        guard let best, best.distance <= max(1, word.count / 3) else { return "" }
        return ", did you mean '\(best.name)'?"
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if x.isEmpty { return y.count }
        var previous = Array(0...y.count)
        for i in 1...x.count {
            var row = [i] + [Int](repeating: 0, count: y.count)
            for j in stride(from: 1, through: y.count, by: 1) {
                let substitution: Int = previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1)
                let deletion: Int = previous[j] + 1
                let insertion: Int = row[j - 1] + 1
                row[j] = min(substitution, min(deletion, insertion))
            }
            previous = row
        }
        return previous[y.count]
    }
}
