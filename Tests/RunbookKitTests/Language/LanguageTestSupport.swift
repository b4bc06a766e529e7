// Helpers for the language tests: parsing and checking text, evaluating one expression, and an
// in-memory executor/operator/observer for the interpreter's pure language semantics. (Real
// commands are exercised by the end-to-end tests, which spawn the built binary.)

import Foundation
import XCTest
@testable import RunbookKit

enum Lang {
    /// A file in a scratch path; calls in it resolve relative to that path.
    static func file(_ text: String, path: String = "/tmp/runbook-language-tests/test.runbook") -> SourceFile {
        SourceFile(path: path, text: text)
    }

    /// A fresh scratch directory for runbooks that call other files.
    static func scratchDirectory(_ label: String) throws -> String {
        let directory = NSTemporaryDirectory() + "runbook-language-\(label)-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    static func tokens(_ text: String) -> Lexer.Output {
        var lexer = Lexer(file: file(text))
        return lexer.tokenize()
    }

    /// Token kinds and texts in a compact form: `id:step`, `str:Title`, `NL`, `IN`, `DE`, `EOF`.
    static func tokenSummary(_ text: String) -> [String] {
        tokens(text).tokens.map { t in
            switch t.kind {
            case .identifier: return "id:\(t.text)"
            case .number: return "num:\(t.text)"
            case .duration: return "dur:\(t.text)"
            case .string: return "str:\(t.text)"
            case .command: return "cmd:\(t.text)"
            case .symbol: return "sym:\(t.text)"
            case .newline: return "NL"
            case .indent: return "IN"
            case .dedent: return "DE"
            case .eof: return "EOF"
            }
        }
    }

    static func parse(_ text: String) -> (runbook: Runbook?, diagnostics: [Diagnostic]) {
        Parser.parse(file(text))
    }

    /// Parses text that must have no errors.
    static func parsed(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> Runbook? {
        let (runbook, diagnostics) = parse(text)
        XCTAssertEqual(diagnostics.map(\.description), [], file: file, line: line)
        XCTAssertNotNil(runbook, file: file, line: line)
        return runbook
    }

    /// Parses and checks (with a fresh library): the checked runbook, or nil; and every
    /// diagnostic, in source order.
    static func check(_ text: String, path: String = "/tmp/runbook-language-tests/test.runbook") -> (CheckedRunbook?, [Diagnostic]) {
        switch RunbookLibrary().load(.file(file(text, path: path))) {
        case .success(let checked): return (checked, checked.warnings)
        case .failure(let list): return (nil, list.diagnostics)
        }
    }

    /// "line:col: message" for each error, the form most checker tests compare.
    static func errors(_ text: String, path: String = "/tmp/runbook-language-tests/test.runbook") -> [String] {
        check(text, path: path).1.filter { $0.severity == .error }.map { d in
            d.location.map { "\($0.line):\($0.column): \(d.message)" } ?? d.message
        }
    }

    /// A runbook of one step whose only statement is `x = <expr>`, and that expression.
    static func expression(_ source: String, file: StaticString = #filePath, line: UInt = #line) -> Expr? {
        let text = "runbook \"t\"\nstep s \"S\"\n  x = \(source)\n"
        let (runbook, diagnostics) = parse(text)
        guard let runbook, diagnostics.isEmpty else {
            XCTFail("cannot parse \(source): \(diagnostics.map(\.description))", file: file, line: line)
            return nil
        }
        guard case .assign(_, let expr) = runbook.steps[0].body[0].kind else {
            XCTFail("not an assignment: \(source)", file: file, line: line)
            return nil
        }
        return expr
    }

    /// Evaluates one expression with the given variables.
    static func eval(_ source: String, _ variables: [String: Value] = [:],
                     file: StaticString = #filePath, line: UInt = #line) throws -> Value {
        guard let expr = expression(source, file: file, line: line) else { throw RuntimeError("unparsable") }
        return try Evaluator(environment: ["PATH": "/usr/bin:/bin"]) { variables[$0] }.evaluate(expr)
    }

    /// The text form of an evaluated expression (what interpolation shows), or "ERROR: message".
    static func show(_ source: String, _ variables: [String: Value] = [:],
                     file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            return try eval(source, variables, file: file, line: line).displayText
        } catch let error as RuntimeError {
            return "ERROR: \(error.message)"
        } catch {
            return "ERROR: \(error)"
        }
    }

    static func result(_ stdout: String, stderr: String = "", exit: Int32 = 0, duration: Double = 0.25,
                       timedOut: Bool = false) -> Value {
        .result(CommandResult(stdout: stdout, stderr: stderr, exitCode: exit, timedOut: timedOut, duration: duration))
    }
}

/// Answers commands from a script table (first matching substring wins; "" matches every
/// command), records every request.
final class LangFakeExecutor: CommandExecutor, @unchecked Sendable {
    private let lock = NSLock()
    private var responders: [(String, (CommandRequest) -> CommandResult)] = []
    private(set) var requests: [CommandRequest] = []

    func on(_ scriptContains: String, _ respond: @escaping (CommandRequest) -> CommandResult) {
        responders.append((scriptContains, respond))
    }

    func on(_ scriptContains: String, stdout: String, exit: Int32 = 0) {
        on(scriptContains) { _ in CommandResult(stdout: stdout, exitCode: exit, duration: 0.01) }
    }

    func run(_ request: CommandRequest, onLine: @escaping @Sendable (RunbookKit.OutputStream, String) -> Void) -> CommandResult {
        lock.lock()
        requests.append(request)
        let responder = responders.first { $0.0.isEmpty || request.script.contains($0.0) }?.1
        lock.unlock()
        let result = responder?(request) ?? CommandResult(stdout: "", exitCode: 0, duration: 0.01)
        for line in result.stdout.split(separator: "\n") { onLine(.stdout, String(line)) }
        return result
    }

    var scripts: [String] {
        lock.lock(); defer { lock.unlock() }
        return requests.map(\.script)
    }
}

final class LangOperator: OperatorIO {
    var answers: [String: String] = [:]
    var confirmation: Bool?
    private(set) var asked: [String] = []
    private(set) var confirmations: [String] = []

    func ask(id: String, question: String, choices: [String]) -> String? {
        asked.append(id)
        return answers[id]
    }

    func confirm(_ message: String) -> Bool? {
        confirmations.append(message)
        return confirmation
    }
}

final class LangObserver: RunObserver {
    private(set) var events: [RunEvent] = []
    func handle(_ event: RunEvent) { events.append(event) }

    var messages: [String] {
        events.compactMap { if case .message(let m) = $0 { return m.text } else { return nil } }
    }
    var branches: [String] {
        events.compactMap { if case .branch(let b) = $0, b.loop == nil { return b.description } else { return nil } }
    }
    var startedSteps: [String] {
        events.compactMap { if case .stepStarted(let s) = $0 { return s.path.stepDescription } else { return nil } }
    }
    var findings: [String] {
        events.compactMap { if case .finding(let f) = $0 { return f.message } else { return nil } }
    }
    var decisions: [Decision] {
        events.compactMap { if case .decision(let d) = $0 { return d } else { return nil } }
    }
}

/// Runs checked text with the fakes; fails the test when the text does not check.
struct LangRun {
    let outcome: RunOutcome
    let observer: LangObserver
    let executor: LangFakeExecutor
    let io: LangOperator
    let interpreter: Interpreter

    static func run(_ text: String, parameters: [String: String] = [:], answers: [String: String] = [:],
                    options: RunOptions = RunOptions(), executor: LangFakeExecutor = LangFakeExecutor(),
                    io: LangOperator = LangOperator(), path: String = "/tmp/runbook-language-tests/test.runbook",
                    file: StaticString = #filePath, line: UInt = #line) throws -> LangRun {
        let (checked, diagnostics) = Lang.check(text, path: path)
        guard let checked else {
            XCTFail("does not check: \(diagnostics.map(\.description))", file: file, line: line)
            throw RuntimeError("does not check")
        }
        var options = options
        options.parameters.merge(parameters) { _, new in new }
        options.answers.merge(answers) { _, new in new }
        let observer = LangObserver()
        // Through the run session, as every client runs a runbook.
        let session = try RunSession(.init(
            checked: checked, options: options, mode: .scenario,
            identity: RunIdentity(user: "test", host: "test", pid: 0, toolVersion: "test"),
            executor: executor, operatorIO: io, cancellation: Cancellation(), observers: [observer]))
        session.start()
        let outcome = session.runAll().targets[0].outcome
        return LangRun(outcome: outcome, observer: observer, executor: executor, io: io,
                       interpreter: session.targets[0].interpreter)
    }
}
