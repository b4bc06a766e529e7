/// Restoring a run's values from its journal (`runbook resume`).
extension Interpreter {
    /// Sets values as they were journaled, with their types (a command capture comes back as
    /// a command result). Values the journal masked or cut are not among them: the caller
    /// leaves those out and says so.
    public func restore(variables: [String: Value]) {
        for (name, value) in variables { root.define(name, value) }
    }
}
