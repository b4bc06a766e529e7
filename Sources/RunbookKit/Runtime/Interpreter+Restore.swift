/// Restoring a run's values from its journal (`runbook resume`).
extension Interpreter {
    /// Sets the variables a journal recorded. A command capture comes back as a result with
    /// its stdout and exit code (stderr and timings are not journaled as variables).
    public func restore(variables: [String: String]) {
        for (name, value) in variables where !name.hasSuffix(".exit") {
            if let exit = variables[name + ".exit"], let code = Int32(exit) {
                root.define(name, .result(CommandResult(stdout: value, exitCode: code)))
            } else {
                root.define(name, .string(value))
            }
        }
    }
}
