import Foundation

/// Where a runbook to load comes from: a file, or text already in memory (tests, the REPL's
/// session runbook) whose `run` calls resolve from its path.
public enum RunbookSource: Sendable {
    case path(String)
    case file(SourceFile)
}

/// The one way to get a runbook that can run. `load` reads the file, parses it, loads and
/// checks every runbook it calls, then checks it. Results are kept by absolute path, so a
/// runbook that many others (or many scenarios) use is read and checked once.
public final class RunbookLibrary {
    private var results: [String: Result<CheckedRunbook, DiagnosticList>] = [:]
    /// The files being loaded, caller first: a call to one of them is a cycle.
    private var inProgress: [String] = []

    public init() {}

    /// The checked runbook, with its warnings; or every diagnostic of the file (errors and
    /// warnings) in source order. A file that cannot be read gives one diagnostic without a
    /// place. A callee's own errors are not repeated: the call that names it is the error.
    public func load(_ source: RunbookSource) -> Result<CheckedRunbook, DiagnosticList> {
        switch source {
        case .path(let path):
            let key = absolutePath(path)
            if let done = results[key] { return done }
            switch RunbookLoader.readSource(path: path) {
            case .failure(let diagnostic): return remember(key, .failure(DiagnosticList([diagnostic])))
            case .success(let file): return remember(key, check(file, key: key))
            }
        case .file(let file):
            let key = absolutePath(file.path)
            return remember(key, check(file, key: key))
        }
    }

    /// The older form of `load(.path(…))`, kept for callers that take a pair: the checked
    /// runbook when there were no errors, and all diagnostics.
    public func load(path: String) -> (CheckedRunbook?, [Diagnostic]) { RunbookLibrary.pair(load(.path(path))) }

    /// The older form of `load(.file(…))`, kept for callers that take a pair.
    public func load(file: SourceFile) -> (CheckedRunbook?, [Diagnostic]) { RunbookLibrary.pair(load(.file(file))) }

    private static func pair(_ result: Result<CheckedRunbook, DiagnosticList>) -> (CheckedRunbook?, [Diagnostic]) {
        switch result {
        case .success(let checked): return (checked, checked.warnings)
        case .failure(let list): return (nil, list.diagnostics)
        }
    }

    private func remember(_ key: String, _ result: Result<CheckedRunbook, DiagnosticList>) -> Result<CheckedRunbook, DiagnosticList> {
        results[key] = result
        return result
    }

    private func check(_ file: SourceFile, key: String) -> Result<CheckedRunbook, DiagnosticList> {
        let (parsed, parseDiagnostics) = Parser.parse(file)
        guard let runbook = parsed else { return .failure(DiagnosticList(parseDiagnostics.sortedBySource())) }
        inProgress.append(key)
        let callees = resolveCallees(of: runbook)
        inProgress.removeLast()
        var checker = Checker(runbook: runbook, callees: callees)
        let diagnostics = (parseDiagnostics + checker.check()).sortedBySource()
        if diagnostics.contains(where: { $0.severity == .error }) { return .failure(DiagnosticList(diagnostics)) }
        return .success(CheckedRunbook(runbook: runbook, callees: checker.checkedCallees, warnings: diagnostics))
    }

    /// Every runbook that `runbook` calls, by the path as written, loaded before the
    /// runbook itself is checked.
    private func resolveCallees(of runbook: Runbook) -> [String: Callee] {
        var callees: [String: Callee] = [:]
        runbook.forEachStatement { stmt in
            guard case .call(_, let call) = stmt.kind, callees[call.path] == nil else { return }
            let path = CheckedRunbook.resolve(call.path, from: runbook.file.path)
            let key = absolutePath(path)
            if let start = inProgress.firstIndex(of: key) {
                callees[call.path] = .cycle(Array(inProgress[start...]) + [key])
                return
            }
            switch load(.path(path)) {
            case .success(let checked): callees[call.path] = .checked(checked)
            case .failure(let list): callees[call.path] = .failed(path: path, list.diagnostics)
            }
        }
        return callees
    }
}

/// A runbook that another one calls, as loaded before the caller is checked.
enum Callee {
    case checked(CheckedRunbook)
    /// Its path resolved from the caller, and its diagnostics.
    case failed(path: String, [Diagnostic])
    /// The chain of files from the first in the cycle back to it.
    case cycle([String])
}
