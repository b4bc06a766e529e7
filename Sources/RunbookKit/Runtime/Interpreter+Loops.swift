import Foundation

/// `foreach` (in order, or several at once) and `retry … until`.
extension Interpreter {
    /// `header` is the loop as written; the loop's start and end are recorded around it (see
    /// `LoopBound`), the end with the iterations run, however the loop is left.
    func runForeach(variable: String, list: Value, header: String, parallel: Int, body: [Stmt], _ context: StepContext) throws {
        let items: [Value]
        switch list {
        case .list(let l): items = l
        case .null: items = []
        case .map(let keys, _): items = keys.map { .string($0) }
        case .row(let rows, _): items = rows.names.map { .string($0) }
        default:
            if case .list(let l) = OutputText.lines(list) { items = l } else { items = [] }
        }
        emit(.branch(BranchTaken(path: context.stepID, description: "\(header): \(items.count) item\(items.count == 1 ? "" : "s")",
                                 loop: .start(header: header, items: items.count))))
        var iterations = 0
        defer {
            emit(.branch(BranchTaken(path: context.stepID, description: "\(header): \(iterations) iteration\(iterations == 1 ? "" : "s")",
                                     loop: .end(header: header, iterations: iterations))))
        }
        if parallel <= 1 {
            // An iteration's findings cite its own last command, or else its item; the
            // step's last command is the iteration's last one after it.
            for item in items {
                var inner = context
                inner.frame = Frame(parent: context.frame)
                inner.frame.define(variable, item)
                inner.lastResult = LastResult()
                inner.loopItem = item
                iterations += 1
                defer { if let r = inner.lastResult.result { context.lastResult.result = r } }
                try execute(body, inner)
            }
            return
        }
        iterations = items.count
        try runParallel(variable: variable, items: items, limit: parallel, body: body, context)
    }

    /// Runs iterations on up to `limit` threads. One iteration's failure (an unreachable
    /// host, a failed command) becomes a finding for that item; the others go on.
    private func runParallel(variable: String, items: [Value], limit: Int, body: [Stmt], _ context: StepContext) throws {
        let state = ParallelState(count: items.count)
        ConcurrentWork.forEach(count: items.count, limit: limit, unstarted: { i, error in
            state.finish(i, .init(result: "failed", failure: "not run: \(error)"))
        }) { [self] i in
            var inner = context
            inner.frame = Frame(parent: context.frame, isolated: true)
            inner.frame.define(variable, items[i])
            inner.label = items[i].text
            inner.lastResult = LastResult()
            inner.loopItem = items[i]
            inner.tally = FindingTally()
            state.finish(i, runIteration(body, inner))
        }
        for (i, outcome) in state.outcomes.enumerated() {
            guard let message = outcome.failure else { continue }
            let label = items[i].text
            let finding = Finding(path: context.stepID, message: message.contains(label) ? message : "\(label): \(message)",
                                  evidence: outcome.evidence, host: items[i].text)
            appendFindings([finding], context)
            emit(.finding(finding))
        }
        let width = max(variable.count, items.map { $0.text.count }.max() ?? 4)
        var table = "\(variable.padding(toLength: width, withPad: " ", startingAt: 0))  result\n"
        for (i, item) in items.enumerated() {
            table += "\(item.text.padding(toLength: width, withPad: " ", startingAt: 0))  \(state.outcomes[i].result)\n"
        }
        emit(.message(Message(path: context.stepID, text: Value.trimTrailingNewlines(table))))
        if cancellation.isCancelled { throw Flow.abort(interruption) }
        if state.outcomes.contains(where: { $0.result == "aborted" }) { throw Flow.abort("an iteration was aborted") }
    }

    /// One parallel iteration: "ok", "finding", "failed", "unreachable" or "aborted".
    private func runIteration(_ body: [Stmt], _ context: StepContext) -> ParallelState.Outcome {
        let evidence = { context.lastResult.result.map(Interpreter.evidence) ?? "" }
        do {
            try execute(body, context)
            // This iteration's own findings: others run at the same time and add theirs.
            return .init(result: context.tally.count > 0 ? "finding" : "ok")
        } catch Flow.fail(let message) {
            let unreachable = context.lastResult.result?.unreachable ?? false
            return .init(result: unreachable ? "unreachable" : "failed", failure: message, evidence: evidence())
        } catch Flow.abort {
            return .init(result: "aborted")
        } catch let error as RuntimeError {
            return .init(result: "failed", failure: error.located(in: runbook.file).description, evidence: evidence())
        } catch {
            return .init(result: "failed", failure: "\(error)", evidence: evidence())
        }
    }

    func runRetry(count: Int, every: Double?, backoff: Bool, until: Expr, elseMessage: Template?,
                  body: [Stmt], _ context: StepContext) throws {
        let eval = evaluator(context)
        var delay = every ?? 0
        for attempt in 1...count {
            try execute(body, context)
            if try eval.evaluate(until).truthy {
                if attempt > 1 { emit(.branch(BranchTaken(path: context.stepID, description: "retry: condition held on attempt \(attempt) of \(count)"))) }
                return
            }
            guard attempt < count else { break }
            emit(.branch(BranchTaken(path: context.stepID,
                         description: "retry: attempt \(attempt) of \(count) did not meet \(SourceText.of(until, in: runbook.file)); next in \(Value.format(delay))s")))
            if !options.skipRetryWaits && !cancellation.sleep(seconds: delay) {
                throw Flow.abort(interruption)
            }
            if backoff { delay *= 2 }
        }
        let message = try elseMessage.map { try eval.render($0) }
            ?? "\(SourceText.of(until, in: runbook.file)) did not hold after \(count) attempt\(count == 1 ? "" : "s")"
        if elseMessage != nil {
            recordFinding(message, context)
        } else {
            throw Flow.fail(message)
        }
    }

    func runAsk(id: String, question: String, choices: [Choice], _ context: StepContext) throws {
        let labels = choices.map(\.label)
        let variable = id.replacingOccurrences(of: "-", with: "_")
        var answer: String
        var source: Decision.Source
        func record(_ answer: String?, _ source: Decision.Source) {
            emit(.decision(Decision(path: context.stepID, kind: .ask, id: id, prompt: question, answer: answer, source: source)))
        }
        if let given = options.answers[id] ?? options.answers[variable] {
            answer = given
            source = .answerOption
        } else if let replied = io.ask(id: id, question: question, choices: labels) {
            answer = replied
            source = .operator
        } else {
            record(nil, .nobody)
            if cancellation.isCancelled { throw Flow.abort(interruption) }
            throw Flow.usage("question '\(id)' needs an answer: \(question) — pass --answer \(id)=\(labels.joined(separator: "|"))")
        }
        guard let choice = choices.first(where: { $0.label.lowercased() == answer.lowercased() }) else {
            throw Flow.usage("'\(answer)' is not an answer to '\(id)': choose one of \(labels.joined(separator: ", "))")
        }
        answer = choice.label
        context.frame.assign(variable, .string(answer))
        record(answer, source)
        try execute(choice.body, context)
    }
}

/// Results of a parallel `foreach`, behind one lock.
final class ParallelState: @unchecked Sendable {
    struct Outcome {
        var result: String
        var failure: String?
        var evidence = ""
    }

    private let lock = Mutex()
    private(set) var outcomes: [Outcome]

    init(count: Int) {
        outcomes = Array(repeating: Outcome(result: "not run"), count: count)
    }

    func finish(_ index: Int, _ outcome: Outcome) {
        lock.lock()
        outcomes[index] = outcome
        lock.unlock()
    }
}
