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
    /// Libraries (`use`) by absolute path, loaded once.
    private var libraries: [String: Result<Imports, UseProblem>] = [:]

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
        let (imports, useDiagnostics) = resolveUses(of: runbook)
        let callees = resolveCallees(of: runbook)
        inProgress.removeLast()
        var merged = runbook
        merged.params += imports.params
        var checker = Checker(runbook: merged, callees: callees)
        let diagnostics = (parseDiagnostics + useDiagnostics + checker.check()).sortedBySource()
        if diagnostics.contains(where: { $0.severity == .error }) { return .failure(DiagnosticList(diagnostics)) }
        return .success(CheckedRunbook(runbook: merged, callees: checker.checkedCallees, warnings: diagnostics,
                                       imports: imports.adding(runbook)))
    }

    /// The libraries a file uses, loaded and checked, merged in `use` order (a library's own
    /// `use`s before it): the parameters the file does not declare itself, every `env` and
    /// every `prelude`. A problem is an error at the `use` that brought it.
    private func resolveUses(of runbook: Runbook) -> (Imports, [Diagnostic]) {
        var imports = Imports()
        var diagnostics: [Diagnostic] = []
        func error(_ message: String, _ use: Use) {
            diagnostics.append(Diagnostic(.error, message, at: use.pathSpan, in: runbook.file))
        }
        for use in runbook.uses {
            let path = CheckedRunbook.resolve(use.path, from: runbook.file.path)
            let key = absolutePath(path)
            if let start = inProgress.firstIndex(of: key) {
                let names = (Array(inProgress[start...]) + [key]).map { ($0 as NSString).lastPathComponent }
                error("use cycle: \(names.joined(separator: " → "))", use)
                continue
            }
            let library: Imports
            switch loadLibrary(use.path, path: path, key: key) {
            case .failure(let problem): error(problem.message, use); continue
            case .success(let loaded): library = loaded
            }
            if imports.libraries.contains(key) { continue }
            imports.libraries.append(key)
            for param in library.params {
                let mine = runbook.params.first { $0.name == param.name } ?? imports.params.first { $0.name == param.name }
                guard let mine else { imports.params.append(param); continue }
                if mine.defaultValue != param.defaultValue || mine.secret != param.secret {
                    error("parameter '\(param.name)' is declared here and in '\(use.path)' differently (default or secret): declare it once", use)
                }
            }
            // A library two others use comes once.
            imports.environment += library.environment.filter { setting in
                !imports.environment.contains { $0.name == setting.name && $0.value == setting.value }
            }
            imports.preludes += library.preludes.filter { prelude in !imports.preludes.contains { $0.script == prelude.script } }
        }
        return (imports, diagnostics)
    }

    private struct UseProblem: Error { var message: String }

    /// A library's parameters, `env` and `prelude` with those of the libraries it uses.
    private func loadLibrary(_ written: String, path: String, key: String) -> Result<Imports, UseProblem> {
        if let done = libraries[key] { return done }
        let file: SourceFile
        switch RunbookLoader.readSource(path: path) {
        case .failure(let diagnostic):
            return rememberLibrary(key, .failure(UseProblem(message: "cannot use '\(written)': \(diagnostic.message)")))
        case .success(let read): file = read
        }
        let (parsed, parseDiagnostics) = Parser.parse(file)
        let hasErrors = "'\(written)' has errors (run 'runbook check \(path)')"
        guard let library = parsed else { return rememberLibrary(key, .failure(UseProblem(message: hasErrors))) }
        guard library.isLibrary else {
            return rememberLibrary(key, .failure(UseProblem(
                message: "'\(written)' is a runbook, not a library: a library starts with library \"…\" and has no steps")))
        }
        inProgress.append(key)
        let (imports, useDiagnostics) = resolveUses(of: library)
        inProgress.removeLast()
        if let cycle = useDiagnostics.first(where: { $0.message.hasPrefix("use cycle") }) {
            return rememberLibrary(key, .failure(UseProblem(message: cycle.message)))
        }
        var merged = library
        merged.params += imports.params
        var checker = Checker(runbook: merged, callees: [:])
        let diagnostics = parseDiagnostics + useDiagnostics + checker.check()
        if diagnostics.contains(where: { $0.severity == .error }) {
            return rememberLibrary(key, .failure(UseProblem(message: hasErrors)))
        }
        return rememberLibrary(key, .success(imports.adding(merged)))
    }

    private func rememberLibrary(_ key: String, _ result: Result<Imports, UseProblem>) -> Result<Imports, UseProblem> {
        libraries[key] = result
        return result
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

/// What `use` brings into a file, in order: parameters it does not declare itself, and every
/// `env` and `prelude` of the libraries (each library once).
struct Imports {
    var params: [Param] = []
    var environment: [EnvSetting] = []
    var preludes: [Prelude] = []
    /// The libraries' absolute paths, each once.
    var libraries: [String] = []

    /// These, then `file`'s own parameters, `env` and `prelude` (what a user of `file` gets).
    func adding(_ file: Runbook) -> Imports {
        var all = self
        all.params = file.params
        all.environment += file.environment
        all.preludes += file.preludes
        return all
    }
}
