/// Commands typed by the operator (the REPL's `$ …`), recorded like any other command.
extension Interpreter {
    /// The step id ad-hoc commands are journaled under.
    public static let adHocStepID = "(ad-hoc)"

    /// Runs shell text with the runbook's values in its environment. The result is kept in
    /// the variable `last`, so a failing command is information, not an error.
    public func runAdHoc(_ script: String, host: String?) -> Result<CommandResult, RuntimeError> {
        let command = Command(script: script, host: nil, timeout: nil, confirm: nil, quiet: false,
                              allowFail: true, allowUnreachable: true, offset: 0)
        var context = StepContext(stepID: path(Interpreter.adHocStepID), host: host ?? options.defaultHost,
                                  frame: root, label: nil)
        context.lastResult = LastResult()
        do {
            try runCommand(command, capture: "last", context)
        } catch Flow.abort(let message) {
            return .failure(RuntimeError(message))
        } catch let error as RuntimeError {
            return .failure(error)
        } catch {
            return .failure(RuntimeError("\(error)"))
        }
        guard case .result(let r)? = value(of: "last") else { return .failure(RuntimeError("no result")) }
        return .success(r)
    }

    /// Evaluates an expression typed by the operator (`set x = …`, `print …`).
    public func evaluate(expression text: String) -> Result<Value, Diagnostic> {
        let file = SourceFile(path: "<input>", text: text)
        var parser = Parser(file: file, tokens: Lexer.expressionTokens(file: file, from: 0, to: file.bytes.count).tokens)
        do {
            let expr = try parser.parseExpression()
            if let problem = parser.diagnostics.first { return .failure(problem) }
            guard parser.current.kind == .eof else {
                return .failure(Diagnostic(.error, "unexpected text after the value", at: file.location(parser.current.offset)))
            }
            let frame = root
            return .success(try Evaluator(environment: options.processEnvironment) { frame.lookup($0) }.evaluate(expr))
        } catch Flow.abort(let message) {
            return .failure(Diagnostic(.error, message, at: nil))
        } catch let error as RuntimeError {
            return .failure(error.located(in: file))
        } catch {
            return .failure(parser.diagnostics.first ?? Diagnostic(.error, "not a value", at: nil))
        }
    }
}
