import Foundation

/// A runbook that passed the checker, with the runbooks it calls (also checked). Only this
/// type can be run: nothing unchecked reaches the interpreter.
public final class CheckedRunbook: @unchecked Sendable {
    public let runbook: Runbook
    /// Called runbooks by the path as written in the `run` statement.
    public let callees: [String: CheckedRunbook]
    public let warnings: [Diagnostic]

    init(runbook: Runbook, callees: [String: CheckedRunbook], warnings: [Diagnostic]) {
        self.runbook = runbook
        self.callees = callees
        self.warnings = warnings
    }

    public var path: String { runbook.file.path }
    public var title: String { runbook.title }

    /// Resolves a path written in a `run` statement relative to the calling file.
    static func resolve(_ callPath: String, from file: String) -> String {
        if callPath.hasPrefix("/") { return callPath }
        let dir = (file as NSString).deletingLastPathComponent
        return dir.isEmpty ? callPath : (dir as NSString).appendingPathComponent(callPath)
    }
}

/// Loads, parses and checks a runbook and everything it calls.
public final class RunbookLibrary {
    private var checked: [String: CheckedRunbook] = [:]
    private var failed: [String: [Diagnostic]] = [:]
    private var inProgress: [String] = []

    public init() {}

    /// All diagnostics for the file (errors and warnings), and the checked runbook when there
    /// were no errors.
    public func load(path: String) -> (CheckedRunbook?, [Diagnostic]) {
        let key = absolutePath(path)
        if let done = checked[key] { return (done, done.warnings) }
        if let errors = failed[key] { return (nil, errors) }
        switch RunbookLoader.readSource(path: path) {
        case .failure(let diagnostic):
            failed[key] = [diagnostic]
            return (nil, [diagnostic])
        case .success(let file):
            return check(file: file, key: key)
        }
    }

    /// Checks text that did not come from disk (tests, the REPL); calls resolve from `path`.
    public func load(file: SourceFile) -> (CheckedRunbook?, [Diagnostic]) {
        check(file: file, key: absolutePath(file.path))
    }

    private func check(file: SourceFile, key: String) -> (CheckedRunbook?, [Diagnostic]) {
        let (parsed, parseDiagnostics) = Parser.parse(file)
        guard let runbook = parsed else {
            failed[key] = parseDiagnostics
            return (nil, parseDiagnostics)
        }
        inProgress.append(key)
        defer { inProgress.removeLast() }
        var checker = Checker(runbook: runbook, library: self)
        let diagnostics = parseDiagnostics + checker.check()
        if diagnostics.contains(where: { $0.severity == .error }) {
            failed[key] = diagnostics
            return (nil, diagnostics)
        }
        let result = CheckedRunbook(runbook: runbook, callees: checker.callees, warnings: diagnostics)
        checked[key] = result
        return (result, diagnostics)
    }

    /// The chain of files being checked, when `path` is already among them (a call cycle).
    func cycle(to path: String) -> [String]? {
        let key = absolutePath(path)
        guard let start = inProgress.firstIndex(of: key) else { return nil }
        return Array(inProgress[start...]) + [key]
    }
}
