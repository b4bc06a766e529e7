extension Scenario {
    /// Run options with the scenario's parameters, answers and target added; values already
    /// in `options` (given on the command line) win.
    public func applying(to options: RunOptions) -> RunOptions {
        var result = options
        result.skipRetryWaits = true
        for param in params where result.parameters[param.name] == nil {
            result.parameters[param.name] = param.value
        }
        for answer in answers where result.answers[answer.name] == nil {
            result.answers[answer.name] = answer.value
        }
        if result.defaultHost == nil, let target { result.defaultHost = target }
        return result
    }
}
