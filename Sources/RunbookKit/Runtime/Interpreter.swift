import Foundation

/// Runs the steps of a checked runbook: one step at a time (`runStep(at:)`), and the step
/// that comes after it (`successor`), which `RunSession` drives for every client and `run`
/// calls for a called runbook. It reaches the outside world only through the executor, the
/// operator and the observer.
public final class Interpreter: @unchecked Sendable {
    public let checked: CheckedRunbook
    let executor: CommandExecutor
    let io: OperatorIO
    public private(set) var options: RunOptions
    let cancellation: Cancellation
    let root = Frame()
    private let observer: RunObserver
    private let state = Mutex()
    private var commandCounter = 0
    private var visits: [String: Int] = [:]
    private var lastUnreachable = false
    /// Values this runbook exported (`export NAME = …`), for the caller's capture.
    private var exports: [String: Value] = [:]
    var exportedValues: [String: Value] { state.withLock { exports } }
    public private(set) var findings: [Finding] = []
    public private(set) var stepsRun: [String] = []
    /// Asked before every step and every command; a message stops the run safely (the
    /// journal cannot be written, and running on without a record is not acceptable).
    public var healthCheck: (() -> String?)?
    /// Hosts ssh could not reach in this run (shared with called runbooks), and those this
    /// runbook was itself given an unreachable result for: its later commands on them are
    /// not attempted. A called runbook's first command on such a host still runs, so that
    /// the runbook can see for itself and handle it.
    var unreachableHosts = UnreachableHosts()
    private var seenUnreachable: Set<String> = []

    /// Control leaving a step other than by falling through.
    enum Flow: Error {
        case goto(String)
        case conclude(String, ConclusionSeverity)
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

    /// - Parameter observer: receives every event; it must serialise deliveries itself (the
    ///   run session's event hub does), since parallel iterations emit from several threads.
    public init(checked: CheckedRunbook, executor: CommandExecutor, observer: RunObserver,
                io: OperatorIO, options: RunOptions, cancellation: Cancellation = Cancellation()) throws {
        self.checked = checked
        self.executor = executor
        self.observer = observer
        self.io = io
        self.options = options
        self.cancellation = cancellation
        if checked.runbook.isLibrary {
            throw RuntimeError("\(checked.path) is a library: it has no steps to run; a runbook uses it with use \"…\"", at: 0)
        }
        try bindParameters()
    }

    var runbook: Runbook { checked.runbook }

    public func emit(_ event: RunEvent) {
        observer.handle(event)
    }

    /// The path of one of this runbook's steps in events.
    public func path(_ step: String) -> StepPath { options.scope.path(step) }

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

    /// The operator sets a value (REPL `set`): recorded as a decision and as the value.
    public func setVariable(_ name: String, _ value: Value) {
        root.define(name, value)
        emit(.decision(Decision(path: nil, kind: .set, id: name, prompt: "set \(name)", answer: value.displayText, source: .operator)))
        emit(.variable(VariableSet(path: nil, name: name, value: value)))
    }

    /// Names of the runbook's `secret` parameters.
    public var secretParameterNames: Set<String> { Set(runbook.params.filter(\.secret).map(\.name)) }

    public var variables: [String: Value] { root.flattened() }

    /// Gives the answer to a question before it is asked (REPL `answer`, `resume`).
    public func preAnswer(_ questionID: String, _ choice: String) {
        options.answers[questionID] = choice
    }

    // MARK: Running

    /// Runs from `options.fromStep` (or the first step) until a conclusion, a failure, an
    /// interruption or the end. A called runbook runs this way; `RunSession` drives the
    /// top-level runbook with the same two calls, `runStep(at:)` and `successor`.
    public func run() -> RunOutcome {
        let start = Date()
        var status: RunOutcome.Status = .completed
        var index: Int? = 0
        if let from = options.fromStep {
            guard let i = runbook.steps.firstIndex(where: { $0.id == from }) else {
                return outcome(.usageError("no step '\(from)' to start from"), since: start)
            }
            index = i
        }
        while let current = index {
            let result = runStep(at: current)
            if case .finished(let s) = result { status = s }
            index = successor(of: current, result)
        }
        return outcome(status, since: start)
    }

    /// The index of the step that follows step `index` after `result`; nil when the run stops.
    public func successor(of index: Int, _ result: StepResult) -> Int? {
        switch result {
        case .next: return index + 1 < runbook.steps.count ? index + 1 : nil
        case .goto(let id): return runbook.steps.firstIndex { $0.id == id }
        case .finished: return nil
        }
    }

    /// The outcome so far, ending with `status`.
    public func outcome(_ status: RunOutcome.Status, since start: Date) -> RunOutcome {
        RunOutcome(status: status, findings: state.withLock { findings }, stepsRun: stepsRun,
                   duration: Date().timeIntervalSince(start))
    }

    /// What stopped the run: the operator's Ctrl-C, or a signal such as a dropped terminal.
    var interruption: String {
        guard let signal = cancellation.lastSignal, signal != SIGINT else { return "interrupted by the operator" }
        return "stopped by \(Cancellation.name(ofSignal: signal))"
    }

    /// Why the run must stop before doing more, if it must: an interruption, or the health
    /// check (the journal) failing.
    func stopReason() -> Flow? {
        if cancellation.isCancelled { return .abort(interruption) }
        if let problem = healthCheck?() { return .fail(problem) }
        return nil
    }

    /// Runs step `index` and reports how it ended. Before it runs, an interruption or a
    /// failing health check stops the run instead.
    public func runStep(at index: Int) -> StepResult {
        let step = runbook.steps[index]
        let id = path(step.id)
        if let stop = stopReason() { return failure(stop, stepID: nil) }
        let visitCount = (visits[step.id] ?? 0) + 1
        visits[step.id] = visitCount
        if visitCount > options.maxStepVisits {
            let message = "step '\(step.id)' ran \(options.maxStepVisits) times: a goto loop that never ends? (limit: \(options.maxStepVisits) visits per step)"
            emit(.failed(Failure(path: id, message: message)))
            return .finished(.failed(message))
        }
        stepsRun.append(step.id)
        let started = Date()
        let findingsBefore = state.withLock { findings.count }
        var host: String?
        var context = StepContext(stepID: id, host: options.defaultHost, frame: root, label: nil)
        do {
            if let hostExpr = step.host {
                host = try evaluator(context).evaluate(hostExpr).text
                context.host = host
            }
        } catch {
            return endStep(index, id: id, started: started, result: failure(error, stepID: id), findingsBefore: findingsBefore)
        }
        emit(.stepStarted(StepStart(path: id, title: step.title, host: host)))
        let result: StepResult
        do {
            try execute(step.body, context)
            result = .next
        } catch {
            result = failure(error, stepID: id)
        }
        return endStep(index, id: id, started: started, result: result, findingsBefore: findingsBefore)
    }

    private func endStep(_ index: Int, id: StepPath, started: Date, result: StepResult, findingsBefore: Int) -> StepResult {
        let outcome: StepOutcome
        switch result {
        case .finished(.failed), .finished(.usageError): outcome = lastCommandUnreachable ? .unreachable : .failed
        case .finished(.aborted): outcome = .aborted
        default: outcome = state.withLock { findings.count } > findingsBefore ? .finding : .ok
        }
        let next = outcome.isDone ? successor(of: index, result).map { runbook.steps[$0].id } : nil
        emit(.stepEnded(StepEnd(path: id, outcome: outcome, duration: Date().timeIntervalSince(started), next: next)))
        return result
    }

    /// Turns a thrown flow or error into a step result, emitting the matching event.
    private func failure(_ error: Error, stepID: StepPath?) -> StepResult {
        switch error {
        case Flow.goto(let target):
            return .goto(target)
        case Flow.conclude(let message, let severity):
            emit(.concluded(Conclusion(path: stepID ?? path("?"), message: message, severity: severity)))
            return .finished(.concluded(message, severity: severity))
        case Flow.fail(let message):
            emit(.failed(Failure(path: stepID, message: message)))
            return .finished(.failed(message))
        case Flow.usage(let message):
            emit(.failed(Failure(path: stepID, message: message)))
            return .finished(.usageError(message))
        case Flow.abort(let message):
            emit(.failed(Failure(path: stepID, message: "aborted: \(message)")))
            return .finished(.aborted(message))
        case Flow.propagated(let status):
            return .finished(status)
        case let e as RuntimeError:
            let located = e.located(in: runbook.file)
            emit(.failed(Failure(path: stepID, message: located.description)))
            return .finished(.failed(located.description))
        default:
            emit(.failed(Failure(path: stepID, message: "\(error)")))
            return .finished(.failed("\(error)"))
        }
    }

    // MARK: Statements

    /// Where a statement runs: its step, its default host, its variables, and the last
    /// command's result (the evidence for `expect`).
    struct StepContext {
        var stepID: StepPath
        var host: String?
        var frame: Frame
        /// Set inside `foreach … parallel`: output lines are labelled with it.
        var label: String?
        var lastResult = LastResult()
        /// Findings recorded in this context: a parallel iteration counts its own, not its
        /// siblings'.
        var tally = FindingTally()
        /// The item of the innermost `foreach` iteration: a finding's evidence when the
        /// iteration ran no command (a table row, a line).
        var loopItem: Value?
    }

    /// Counts the findings of one part of a step (shared by its nested blocks).
    final class FindingTally: @unchecked Sendable {
        private let lock = Mutex()
        private var value = 0
        var count: Int { lock.withLock { value } }
        func add() { lock.withLock { value += 1 } }
    }

    /// Shared between statements of one step (a class, so nested blocks update it).
    final class LastResult: @unchecked Sendable {
        var result: CommandResult? { didSet { cachedEvidence = nil } }
        /// The evidence of `result`, worked out once however many findings cite it.
        private var cachedEvidence: String?
        var evidence: String? {
            guard let result else { return nil }
            if let cachedEvidence { return cachedEvidence }
            let made = Interpreter.evidence(result)
            cachedEvidence = made
            return made
        }
    }

    func evaluator(_ context: StepContext) -> Evaluator {
        let frame = context.frame
        let places = checked.assignmentPlaces
        return Evaluator(environment: options.processEnvironment, lookup: { frame.lookup($0) }, assignedAt: { places[$0] })
    }

    func execute(_ block: [Stmt], _ context: StepContext) throws {
        for stmt in block {
            if cancellation.isCancelled { throw Flow.abort(interruption) }
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
            emit(.variable(VariableSet(path: context.stepID, name: name, value: v)))
        case .export(let name, let value):
            let v = try eval.evaluate(value)
            context.frame.assign(name, v)
            state.withLock { exports[name] = v }
            emit(.variable(VariableSet(path: context.stepID, name: name, value: v)))
        case .call(let capture, let call):
            try runCall(call, capture: capture, context)
        case .expect(let condition, let message, let severity):
            if try !eval.evaluate(condition).truthy {
                recordFinding(try eval.render(message), severity: severity, context)
            }
        case .require(let condition, let message):
            if try !eval.evaluate(condition).truthy {
                throw Flow.fail(try eval.render(message))
            }
        case .ifElse(let branches, let elseBody):
            for (n, branch) in branches.enumerated() where try eval.evaluate(branch.condition).truthy {
                emit(.branch(BranchTaken(path: context.stepID, description: "\(n == 0 ? "if" : "else if") \(SourceText.of(branch.condition, in: runbook.file)) → true")))
                try execute(branch.body, context)
                return
            }
            if let elseBody {
                emit(.branch(BranchTaken(path: context.stepID, description: "else")))
                try execute(elseBody, context)
            }
        case .foreach(let variable, let list, let parallel, let body):
            let header = "foreach \(variable) in \(SourceText.of(list, in: runbook.file))"
            try runForeach(variable: variable, list: try eval.evaluate(list), header: header, parallel: parallel ?? 1, body: body, context)
        case .retry(let count, let every, let backoff, let until, let elseMessage, let body):
            try runRetry(count: count, every: every, backoff: backoff, until: until, elseMessage: elseMessage, body: body, context)
        case .ask(let id, let question, let choices):
            try runAsk(id: id, question: try eval.render(question), choices: choices, context)
        case .goto(let target):
            emit(.branch(BranchTaken(path: context.stepID, description: "goto \(target)")))
            throw Flow.goto(target)
        case .conclude(let message, let severity):
            throw Flow.conclude(try eval.render(message), severity)
        case .fail(let message):
            throw Flow.fail(try eval.render(message))
        case .print(let message):
            emit(.message(Message(path: context.stepID, text: try eval.render(message))))
        case .confirm(let message):
            try confirm(try eval.render(message), context)
        }
    }

    func recordFinding(_ message: String, severity: FindingSeverity = .failing, _ context: StepContext) {
        let evidence = context.lastResult.evidence ?? context.loopItem?.text ?? ""
        let finding = Finding(path: context.stepID, message: message, evidence: evidence, host: context.host, severity: severity)
        state.withLock { findings.append(finding) }
        context.tally.add()
        emit(.finding(finding))
    }

    /// The last lines a command printed: what an operator needs to see next to a finding.
    /// Read from the end: a capture of a large cluster's pods is megabytes, and every finding
    /// after it would otherwise split all of it.
    static func evidence(_ result: CommandResult) -> String {
        let text = Value.combinedOutput(result)
        // The 20th line break from the end: what follows it is the last 20 lines.
        var cut = text.endIndex, found = 0
        while found < 20 && cut > text.startIndex {
            cut = text.index(before: cut)
            if text[cut].isNewline { found += 1 }
        }
        let tail = found == 20 ? text[text.index(after: cut)...] : text[...]
        let kept = tail.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).joined(separator: "\n")
        guard found == 20 else { return Value.trimTrailingNewlines(kept) }
        let earlier = lineBreaks(in: text[..<cut]) + 1
        return Value.trimTrailingNewlines("… (\(earlier) earlier lines)\n" + kept)
    }

    /// Line breaks in text, as `split(whereSeparator: \.isNewline)` sees them; by bytes when
    /// LF is the only kind there.
    private static func lineBreaks(in text: Substring) -> Int {
        var count = 0, plain = true
        for b in text.utf8 {
            if b == 0x0A { count += 1 } else if (b >= 0x0B && b <= 0x0D) || b == 0xC2 || b == 0xE2 { plain = false; break }
        }
        return plain ? count : text.reduce(0) { $1.isNewline ? $0 + 1 : $0 }
    }

    /// Asks before something destructive. Every answer is recorded, accepted ones too: the
    /// record must show which changes were allowed, and by whom.
    func confirm(_ message: String, _ context: StepContext) throws {
        func record(_ answer: String?, _ source: Decision.Source) {
            emit(.decision(Decision(path: context.stepID, kind: .confirm, prompt: message, answer: answer, source: source)))
        }
        if options.assumeYes {
            record("yes", .assumeYes)
            return
        }
        guard let answer = io.confirm(message) else {
            record(nil, .nobody)
            throw Flow.abort("'\(message)' needs confirmation: run on a terminal, or pass --yes")
        }
        if cancellation.isCancelled {
            record(nil, .nobody)
            throw Flow.abort(interruption)
        }
        record(answer ? "yes" : "no", .operator)
        if !answer { throw Flow.abort("the operator declined: \(message)") }
    }

    func appendFindings(_ more: [Finding], _ context: StepContext) {
        state.withLock { findings.append(contentsOf: more) }
        for _ in more { context.tally.add() }
    }

    func nextCommandID() -> Int {
        state.withLock {
            commandCounter += 1
            return commandCounter
        }
    }

    /// Whether the last command any step of this runbook ran could not reach its host.
    var lastCommandUnreachable: Bool { state.withLock { lastUnreachable } }

    /// ssh's reason when `host` could not be reached earlier and this runbook already saw it.
    func unreachableEarlier(_ host: String) -> String? {
        guard state.withLock({ seenUnreachable.contains(host) }) else { return nil }
        return unreachableHosts.reason(for: host)
    }

    func noteReachability(_ result: CommandResult, on host: String) {
        unreachableHosts.note(result, on: host)
        if result.unreachable {
            state.withLock { _ = seenUnreachable.insert(host) }
        } else if !result.cancelled {
            state.withLock { _ = seenUnreachable.remove(host) }
        }
    }

    func noteCommandEnded(_ result: CommandResult) {
        state.withLock { lastUnreachable = result.unreachable }
    }
}
