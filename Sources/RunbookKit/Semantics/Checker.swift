import Foundation

/// Static checks that need the whole runbook: step ids, names, functions, calls, flow. The
/// runbooks it calls are loaded before (`RunbookLibrary`) and handed in.
struct Checker {
    let runbook: Runbook
    /// Every called runbook by the path as written in `run`.
    let callees: [String: Callee]
    var diagnostics: [Diagnostic] = []
    /// The callees that the calls use correctly, for the checked runbook.
    var checkedCallees: [String: CheckedRunbook] = [:]
    /// Names that some statement defines anywhere in the runbook.
    var definedNames: Set<String> = []
    var stepIDs: Set<String> = []
    /// Question ids seen so far, with the place of the first.
    var askIDs: [String: Int] = [:]

    /// Names every runbook has: the host the run targets.
    static let builtinNames: Set<String> = ["target"]
    /// What the capture of a `run` holds besides the callee's exported values.
    static let callResultFields: Set<String> = ["status", "conclusion", "severity", "findings"]
    /// Captures of `run` (`r = run "x.runbook"`), by name: the callee whose exports they hold.
    var callCaptures: [String: (path: String, callee: CheckedRunbook)] = [:]

    init(runbook: Runbook, callees: [String: Callee]) {
        self.runbook = runbook
        self.callees = callees
    }

    var file: SourceFile { runbook.file }

    mutating func error(_ message: String, at span: Span) {
        diagnostics.append(Diagnostic(.error, message, at: span, in: file))
    }

    mutating func warning(_ message: String, at span: Span) {
        diagnostics.append(Diagnostic(.warning, message, at: span, in: file))
    }

    mutating func check() -> [Diagnostic] {
        checkParams()
        collectDefinitions()
        var seen: [String: Int] = [:]
        for step in runbook.steps {
            if let first = seen[step.id] {
                error("duplicate step id '\(step.id)' (first defined at line \(file.line(of: first)))", at: step.idSpan)
            } else {
                seen[step.id] = step.offset
            }
        }
        checkEnvironment()
        for step in runbook.steps {
            if let host = step.host { checkExpr(host, scope: []) }
            checkBlock(step.body, scope: [], inParallel: false)
        }
        diagnostics.append(contentsOf: FlowAnalysis.unreachableSteps(runbook))
        diagnostics.append(contentsOf: DefiniteAssignment.warnings(runbook))
        return diagnostics
    }

    private mutating func checkParams() {
        var seen: Set<String> = []
        for param in runbook.params {
            if !seen.insert(param.name).inserted {
                error("duplicate parameter '\(param.name)'", at: param.nameSpan)
            }
            if let value = param.defaultValue, !Checker.isConstant(value) {
                if case .name(let word) = value.kind {
                    error("a parameter's default must be a literal value: '\(word)' is not one; for the text, write param \(param.name) = \"\(word)\"",
                          at: value.span)
                } else {
                    error("a parameter's default must be a literal value", at: value.span)
                }
            }
        }
    }

    /// `env NAME = EXPR`: a name a command can have, and a value made of parameters only
    /// (it is worked out before every command, wherever the runbook stands).
    private mutating func checkEnvironment() {
        let known = Set(runbook.params.map(\.name)).union(Checker.builtinNames)
        var seen: Set<String> = []
        for setting in runbook.environment {
            if Interpreter.protectedEnvironment.contains(setting.name) {
                error("env cannot set \(setting.name): commands need the runner's own", at: setting.nameSpan)
            }
            if !seen.insert(setting.name).inserted { error("duplicate env '\(setting.name)'", at: setting.nameSpan) }
            setting.value.forEachNested { expr in
                // A name defined nowhere is reported by checkExpr below.
                if case .name(let name) = expr.kind, !known.contains(name), definedNames.contains(name) {
                    error("'\(name)' is not a parameter: env \(setting.name) is worked out before any step runs, from parameters only",
                          at: expr.nameSpan ?? expr.span)
                }
            }
            checkExpr(setting.value, scope: Array(known))
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
        var names = Set(runbook.params.map(\.name)).union(Checker.builtinNames)
        runbook.forEachStatement { stmt in
            switch stmt.kind {
            case .command(let capture?, _), .call(let capture?, _): names.insert(capture)
            case .assign(let name, _), .export(let name, _): names.insert(name)
            case .ask(let id, _, _): names.insert(id.replacingOccurrences(of: "-", with: "_"))
            default: break
            }
        }
        definedNames = names
        stepIDs = Set(runbook.steps.map(\.id))
    }

    // MARK: Statements

    private mutating func checkBlock(_ block: [Stmt], scope: [String], inParallel: Bool) {
        for stmt in block { checkStmt(stmt, scope: scope, inParallel: inParallel) }
    }

    /// The statement's own rules and expressions, then its blocks: a loop's variable is in
    /// scope in its body, and `parallel` restricts what its body may do.
    private mutating func checkStmt(_ stmt: Stmt, scope: [String], inParallel: Bool) {
        for expr in stmt.expressions { checkExpr(expr, scope: scope) }
        for message in stmt.messages { checkDollarNames(message, scope: scope) }
        var innerScope = scope
        var innerParallel = inParallel
        switch stmt.kind {
        case .command(_, let command):
            checkCommandText(command, scope: scope)
            if let confirm = command.confirmSpan, inParallel {
                error("'confirm' cannot run inside 'foreach … parallel': confirm before the loop", at: confirm)
            }
            if let t = command.timeout, t <= 0 { error("a timeout must be longer than zero", at: command.timeoutSpan ?? command.span) }
        case .call(let capture, let call):
            checkCall(call)
            if let capture, let callee = checkedCallees[call.path] { callCaptures[capture] = (call.path, callee) }
        case .foreach(let variable, _, let parallel, _):
            innerScope.append(variable)
            innerParallel = inParallel || (parallel ?? 1) > 1
        case .ask(let id, _, let choices):
            if inParallel { error("'ask' cannot run inside 'foreach … parallel': questions need one at a time", at: stmt.span) }
            if let first = askIDs[id] {
                error("duplicate question id '\(id)' (first used at line \(file.line(of: first))): name the question, e.g. ask \(id)-2 \"…\"",
                      at: stmt.nameSpan ?? stmt.span)
            } else {
                askIDs[id] = stmt.offset
            }
            var labels: Set<String> = []
            for choice in choices where !labels.insert(choice.label).inserted {
                error("duplicate choice '\(choice.label)'", at: choice.labelSpan)
            }
        case .goto(let target):
            if inParallel { error("'goto' cannot jump out of 'foreach … parallel'", at: stmt.span) }
            if !stepIDs.contains(target) {
                error("no step '\(target)'\(Checker.suggestion(for: target, among: runbook.steps.map(\.id)))",
                      at: stmt.nameSpan ?? stmt.span)
            }
        case .confirm where inParallel:
            error("'confirm' cannot run inside 'foreach … parallel'", at: stmt.span)
        case .conclude where inParallel:
            error("'conclude' cannot run inside 'foreach … parallel': record findings there and conclude after the loop", at: stmt.span)
        case .export(let name, _):
            if Checker.callResultFields.contains(name) {
                error("'\(name)' cannot be exported: a caller's capture already has '\(name)' (\(Checker.callResultFields.sorted().joined(separator: ", "))); choose another name",
                      at: stmt.nameSpan ?? stmt.span)
            }
        case .assign, .expect, .require, .ifElse, .retry, .conclude, .fail, .print, .confirm: break
        }
        for block in stmt.nestedBlocks { checkBlock(block, scope: innerScope, inParallel: innerParallel) }
    }

    private mutating func checkCall(_ call: Call) {
        switch callees[call.path] {
        case .cycle(let chain)?:
            let names = chain.map { ($0 as NSString).lastPathComponent }.joined(separator: " → ")
            error("call cycle: \(names)", at: call.pathSpan)
        case .failed(let path, let calleeDiagnostics)?:
            if let cycle = calleeDiagnostics.first(where: { $0.message.hasPrefix("call cycle") }) {
                error(cycle.message, at: call.pathSpan)
            } else if calleeDiagnostics.count == 1, calleeDiagnostics[0].location == nil {
                error("cannot run '\(call.path)': \(calleeDiagnostics[0].message)", at: call.pathSpan)
            } else {
                error("'\(call.path)' has errors (run 'runbook check \(path)')", at: call.pathSpan)
            }
        case .checked(let callee)? where callee.runbook.isLibrary:
            error("'\(call.path)' is a library: it has no steps to run; write use \"\(call.path)\" after the title", at: call.pathSpan)
        case .checked(let callee)?:
            checkedCallees[call.path] = callee
            let known = Set(callee.runbook.params.map(\.name))
            for argument in call.arguments where !known.contains(argument.name) {
                let list = callee.runbook.params.map(\.name).joined(separator: ", ")
                error("'\(call.path)' has no parameter '\(argument.name)' (its parameters: \(list.isEmpty ? "none" : list))",
                      at: argument.nameSpan)
            }
            let given = Set(call.arguments.map(\.name))
            for param in callee.runbook.params where param.isRequired && !given.contains(param.name) {
                error("'\(call.path)' needs the parameter '\(param.name)': add \(param.name)=…", at: call.pathSpan)
            }
        case nil:
            error("'\(call.path)' was not loaded before the check", at: call.pathSpan)
        }
    }

    // MARK: Expressions

    /// Checks an expression and every expression inside it.
    private mutating func checkExpr(_ expr: Expr, scope: [String]) {
        checkOne(expr, scope: scope)
        // `defined(x)` asks whether x has a value: x need not be set anywhere.
        if case .call("defined", _) = expr.kind { return }
        for child in expr.children { checkExpr(child, scope: scope) }
    }

    private mutating func checkOne(_ expr: Expr, scope: [String]) {
        switch expr.kind {
        case .name(let name):
            if !definedNames.contains(name) && !scope.contains(name) {
                let candidates = Array(definedNames) + scope
                error("undefined name '\(name)'\(Checker.suggestion(for: name, among: candidates))", at: expr.nameSpan ?? expr.span)
            }
        case .index(_, let index):
            checkWholeNumberLiteral(index, what: "the index")
        case .member(let base, let field):
            // `r.days` on the capture of a `run`: the callee must export `days`.
            guard case .name(let name) = base.kind, let capture = callCaptures[name] else { break }
            let exported = capture.callee.exportedNames
            if !Checker.callResultFields.contains(field) && !exported.contains(field) {
                let known = Checker.callResultFields.union(exported).sorted()
                error("'\(capture.path)' does not export '\(field)'\(Checker.suggestion(for: field, among: known)) (\(name) has \(known.joined(separator: ", "))): add `export \(field) = …` to it",
                      at: expr.span)
            }
        case .call(let name, let args):
            guard let builtin = Builtins.table[name] else {
                error("unknown function '\(name)'\(Checker.suggestion(for: name, among: Array(Builtins.table.keys)))",
                      at: expr.nameSpan ?? expr.span)
                return
            }
            if args.count < builtin.minArgs || args.count > builtin.maxArgs {
                error("\(name)() takes \(Checker.arity(builtin)): \(builtin.signature)", at: expr.span)
            }
            if ["match", "grep"].contains(name), args.count == 2 { checkRegexLiteral(args[1]) }
            if name == "defined", args.count == 1, !Checker.isName(args[0]) {
                error("defined() takes a name, not an expression: defined(x)", at: args[0].span)
            }
            if name == "field", args.count == 2 { checkWholeNumberLiteral(args[1], what: "field number") }
        case .binary("matches", _, let rhs): checkRegexLiteral(rhs)
        default: break
        }
    }

    private mutating func checkRegexLiteral(_ expr: Expr) {
        guard case .string(let t) = expr.kind else { return }
        if let pattern = t.plainText, !RegexCache.isValid(pattern) {
            error("invalid regular expression \"\(pattern)\"", at: expr.span)
        }
        // `x{3}` in a pattern is meant as a repetition, but `{3}` is interpolation: the
        // pattern would silently become `x3`.
        let holes = t.parts.compactMap { part -> Expr? in if case .expr(let e) = part { return e } else { return nil } }
        for (hole, span) in zip(holes, t.holeSpans) {
            if case .number(let n) = hole.kind {
                error("'{\(Value.format(n))}' in a regular expression is read as a value: write \\{\(Value.format(n))\\} for a repetition",
                      at: span)
            }
        }
    }

    private static func isName(_ expr: Expr) -> Bool {
        if case .name = expr.kind { return true }
        return false
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
