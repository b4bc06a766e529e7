import Foundation

/// Runs a checked runbook: steps in order, following `goto`, until a conclusion, a failure or
/// the last step. It reaches the outside world only through the executor, the operator and
/// the observer, so `run`, `repl` and `test` share it.
public final class Interpreter: @unchecked Sendable {
    public let checked: CheckedRunbook
    let executor: CommandExecutor
    let io: OperatorIO
    public private(set) var options: RunOptions
    let root = Frame()
    private let observer: RunObserver
    private let eventLock = NSLock()
    private let stateLock = NSLock()
    private var commandCounter = 0
    private var visits: [String: Int] = [:]
    public private(set) var findings: [Finding] = []
    public private(set) var stepsRun: [String] = []
    /// Called after every step; a message stops the run safely (e.g. the journal cannot be
    /// written, and running on without a record is not acceptable).
    public var healthCheck: (() -> String?)?

    /// Control leaving a step other than by falling through.
    enum Flow: Error {
        case goto(String)
        case conclude(String)
        case fail(String)
        case usage(String)
        case abort(String)
        /// A called runbook ended the run; its own events already said how.
        case propagated(RunOutcome.Status)
    }

    /// How one step ended.
    public enum StepResult: Sendable, Equatable {
        case next
        case goto(String)
        case finished(RunOutcome.Status)
    }

    public init(checked: CheckedRunbook, executor: CommandExecutor, observer: RunObserver,
                io: OperatorIO, options: RunOptions) throws {
        self.checked = checked
        self.executor = executor
        self.observer = observer
        self.io = io
        self.options = options
        try bindParameters()
    }

    var runbook: Runbook { checked.runbook }

    public func emit(_ event: RunEvent) {
        eventLock.lock()
        observer.handle(event)
        eventLock.unlock()
    }

    // MARK: Parameters

    /// Binds parameters from the options, or their defaults; a missing required one is an error.
    private func bindParameters() throws {
        let known = Set(runbook.params.map(\.name))
        for name in options.parameters.keys.sorted() where !known.contains(name) {
            let list = runbook.params.map(\.name).joined(separator: ", ")
            throw RuntimeError("unknown parameter '\(name)' (this runbook takes: \(list.isEmpty ? "none" : list))")
        }
        var missing: [String] = []
        let evaluator = Evaluator { _ in nil }
        for param in runbook.params {
            if let given = options.parameters[param.name] {
                root.define(param.name, .string(given))
            } else if let value = param.defaultValue {
                root.define(param.name, try evaluator.evaluate(value))
            } else {
                missing.append(param.name)
            }
        }
        if !missing.isEmpty {
            let hints = missing.map { name -> String in
                let help = runbook.params.first { $0.name == name }?.help.map { " (\($0))" } ?? ""
                return "\(name)=…\(help)"
            }
            throw RuntimeError("missing required parameter\(missing.count > 1 ? "s" : ""): \(hints.joined(separator: ", "))")
        }
        root.define("target", .string(options.defaultHost ?? "localhost"))
    }

    /// Parameter values with secrets masked, for the run header.
    public var displayedParameters: [String: String] {
        var result: [String: String] = [:]
        for param in runbook.params {
            let value = root.lookup(param.name)?.text ?? ""
            result[param.name] = param.secret ? "********" : value
        }
        return result
    }

    /// Values of `secret` parameters, which observers must never show.
    public var secretValues: [String] {
        runbook.params.filter(\.secret).compactMap { root.lookup($0.name)?.text }.filter { !$0.isEmpty }
    }

    // MARK: Variables (for the REPL and resume)

    public func value(of name: String) -> Value? { root.lookup(name) }

    public func setVariable(_ name: String, _ value: Value) {
        root.define(name, value)
        emit(.variable(name: name, value: value.text))
    }

    public var variables: [String: Value] { root.flattened() }

    /// Gives the answer to a question before it is asked (REPL `answer`, `resume`).
    public func preAnswer(_ questionID: String, _ choice: String) {
        options.answers[questionID] = choice
    }

    // MARK: Running

    /// Runs from the first step (or `options.fromStep`) to the end.
    public func run() -> RunOutcome {
        let start = Date()
        var status: RunOutcome.Status = .completed
        var index = 0
        if let from = options.fromStep {
            guard let i = runbook.steps.firstIndex(where: { $0.id == from }) else {
                return finish(.usageError("no step '\(from)' to start from"), start: start)
            }
            index = i
        }
        while index < runbook.steps.count {
            if Cancellation.shared.isCancelled {
                status = .aborted("interrupted")
                emit(.failed(stepID: nil, message: "interrupted by the operator"))
                break
            }
            if let problem = healthCheck?() {
                status = .failed(problem)
                emit(.failed(stepID: nil, message: problem))
                break
            }
            let result = runStep(runbook.steps[index])
            switch result {
            case .next: index += 1
            case .goto(let id): index = runbook.steps.firstIndex { $0.id == id } ?? runbook.steps.count
            case .finished(let s):
                status = s
                index = runbook.steps.count
            }
        }
        // The last step's record must have reached the journal too.
        if case .failed = status {} else if case .aborted = status {} else if let problem = healthCheck?() {
            status = .failed(problem)
            emit(.failed(stepID: nil, message: problem))
        }
        return finish(status, start: start)
    }

    func finish(_ status: RunOutcome.Status, start: Date) -> RunOutcome {
        let outcome = RunOutcome(status: status, findings: findings, stepsRun: stepsRun,
                                 duration: Date().timeIntervalSince(start))
        return outcome
    }

    /// Runs one step and reports how it ended. The REPL calls this directly.
    public func runStep(_ step: Step) -> StepResult {
        let id = options.stepPrefix + step.id
        let visitCount = (visits[step.id] ?? 0) + 1
        visits[step.id] = visitCount
        if visitCount > options.maxStepVisits {
            let message = "step '\(step.id)' ran \(options.maxStepVisits) times: a goto loop that never ends? (limit: \(options.maxStepVisits) visits per step)"
            emit(.failed(stepID: id, message: message))
            return .finished(.failed(message))
        }
        stepsRun.append(step.id)
        let started = Date()
        let findingsBefore = findings.count
        var host: String?
        var context = StepContext(stepID: id, host: options.defaultHost, frame: root, label: nil)
        do {
            if let hostExpr = step.host {
                host = try evaluator(context).evaluate(hostExpr).text
                context.host = host
            }
        } catch {
            return endStep(step, id: id, started: started, result: failure(error, stepID: id), findingsBefore: findingsBefore)
        }
        emit(.stepStarted(stepID: id, title: step.title, host: host))
        let result: StepResult
        do {
            try execute(step.body, context)
            result = .next
        } catch {
            result = failure(error, stepID: id)
        }
        return endStep(step, id: id, started: started, result: result, findingsBefore: findingsBefore)
    }

    private func endStep(_ step: Step, id: String, started: Date, result: StepResult, findingsBefore: Int) -> StepResult {
        let outcome: String
        switch result {
        case .finished(.failed), .finished(.usageError): outcome = "failed"
        case .finished(.aborted): outcome = "aborted"
        default: outcome = findings.count > findingsBefore ? "finding" : "ok"
        }
        emit(.stepEnded(stepID: id, outcome: outcome, duration: Date().timeIntervalSince(started)))
        return result
    }

    /// Turns a thrown flow or error into a step result, emitting the matching event.
    private func failure(_ error: Error, stepID: String) -> StepResult {
        switch error {
        case Flow.goto(let target):
            return .goto(target)
        case Flow.conclude(let message):
            emit(.concluded(stepID: stepID, message: message))
            return .finished(.concluded(message))
        case Flow.fail(let message):
            emit(.failed(stepID: stepID, message: message))
            return .finished(.failed(message))
        case Flow.usage(let message):
            emit(.failed(stepID: stepID, message: message))
            return .finished(.usageError(message))
        case Flow.abort(let message):
            emit(.failed(stepID: stepID, message: "aborted: \(message)"))
            return .finished(.aborted(message))
        case Flow.propagated(let status):
            return .finished(status)
        case let e as RuntimeError:
            let located = e.located(in: runbook.file)
            emit(.failed(stepID: stepID, message: located.description))
            return .finished(.failed(located.description))
        default:
            emit(.failed(stepID: stepID, message: "\(error)"))
            return .finished(.failed("\(error)"))
        }
    }

    // MARK: Statements

    /// Where a statement runs: its step, its default host, its variables, and the last
    /// command's result (the evidence for `expect`).
    struct StepContext {
        var stepID: String
        var host: String?
        var frame: Frame
        /// Set inside `foreach … parallel`: output lines are labelled with it.
        var label: String?
        var lastResult = LastResult()
    }

    /// Shared between statements of one step (a class, so nested blocks update it).
    final class LastResult: @unchecked Sendable {
        var result: CommandResult?
    }

    func evaluator(_ context: StepContext) -> Evaluator {
        let frame = context.frame
        return Evaluator { frame.lookup($0) }
    }

    func execute(_ block: [Stmt], _ context: StepContext) throws {
        for stmt in block {
            if Cancellation.shared.isCancelled { throw Flow.abort("interrupted by the operator") }
            try execute(stmt, context)
        }
    }

    func execute(_ stmt: Stmt, _ context: StepContext) throws {
        let eval = evaluator(context)
        switch stmt.kind {
        case .command(let capture, let command):
            try runCommand(command, capture: capture, context)
        case .assign(let name, let value):
            let v = try eval.evaluate(value)
            context.frame.assign(name, v)
            emit(.variable(name: name, value: v.text))
        case .call(let capture, let call):
            try runCall(call, capture: capture, context)
        case .expect(let condition, let message):
            if try !eval.evaluate(condition).truthy {
                recordFinding(try eval.render(message), context)
            }
        case .require(let condition, let message):
            if try !eval.evaluate(condition).truthy {
                throw Flow.fail(try eval.render(message))
            }
        case .ifElse(let branches, let elseBody):
            for (n, branch) in branches.enumerated() where try eval.evaluate(branch.condition).truthy {
                emit(.branch(stepID: context.stepID, description: "\(n == 0 ? "if" : "else if") \(SourceText.of(branch.condition, in: runbook.file)) → true"))
                try execute(branch.body, context)
                return
            }
            if let elseBody {
                emit(.branch(stepID: context.stepID, description: "else"))
                try execute(elseBody, context)
            }
        case .foreach(let variable, let list, let parallel, let body):
            try runForeach(variable: variable, list: try eval.evaluate(list), parallel: parallel ?? 1, body: body, context)
        case .retry(let count, let every, let backoff, let until, let elseMessage, let body):
            try runRetry(count: count, every: every, backoff: backoff, until: until, elseMessage: elseMessage, body: body, context)
        case .ask(let id, let question, let choices):
            try runAsk(id: id, question: try eval.render(question), choices: choices, context)
        case .goto(let target):
            emit(.branch(stepID: context.stepID, description: "goto \(target)"))
            throw Flow.goto(target)
        case .conclude(let message):
            throw Flow.conclude(try eval.render(message))
        case .fail(let message):
            throw Flow.fail(try eval.render(message))
        case .print(let message):
            emit(.message(stepID: context.stepID, text: try eval.render(message)))
        case .confirm(let message):
            try confirm(try eval.render(message))
        }
    }

    func recordFinding(_ message: String, _ context: StepContext) {
        let evidence = context.lastResult.result.map(Interpreter.evidence) ?? ""
        let finding = Finding(stepID: context.stepID, message: message, evidence: evidence, host: context.host)
        stateLock.lock()
        findings.append(finding)
        stateLock.unlock()
        emit(.finding(stepID: context.stepID, message: message, evidence: evidence, host: context.host))
    }

    /// The last lines a command printed: what an operator needs to see next to a finding.
    static func evidence(_ result: CommandResult) -> String {
        let text = Value.combinedOutput(result)
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        let kept = lines.suffix(20).joined(separator: "\n")
        return Value.trimTrailingNewlines(lines.count > 20 ? "… (\(lines.count - 20) earlier lines)\n" + kept : kept)
    }

    func confirm(_ message: String) throws {
        if options.assumeYes { return }
        guard let answer = io.confirm(message) else {
            throw Flow.abort("'\(message)' needs confirmation: run on a terminal, or pass --yes")
        }
        if !answer { throw Flow.abort("the operator declined: \(message)") }
    }

    func appendFindings(_ more: [Finding]) {
        stateLock.lock()
        findings.append(contentsOf: more)
        stateLock.unlock()
    }

    func nextCommandID() -> Int {
        stateLock.lock()
        defer { stateLock.unlock() }
        commandCounter += 1
        return commandCounter
    }
}
