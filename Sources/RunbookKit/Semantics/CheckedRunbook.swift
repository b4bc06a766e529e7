import Foundation

/// A runbook that passed the checker, with the runbooks it calls (also checked). Only this
/// type can be run: nothing unchecked reaches the interpreter.
public final class CheckedRunbook: @unchecked Sendable {
    public let runbook: Runbook
    /// Called runbooks by the path as written in the `run` statement.
    public let callees: [String: CheckedRunbook]
    public let warnings: [Diagnostic]
    /// Where each name is set, as "LINE:COL, LINE:COL", for the error when it has no value.
    let assignmentPlaces: [String: String]

    /// `env` settings of the libraries it uses, then its own: every command gets them.
    public let environment: [EnvSetting]
    /// The shell text of every `prelude` (libraries' first), put in front of each command.
    public let preludes: [String]
    /// The libraries it uses (directly or through another library), by absolute path.
    public let libraries: [String]

    init(runbook: Runbook, callees: [String: CheckedRunbook], warnings: [Diagnostic], imports: Imports = Imports()) {
        self.runbook = runbook
        self.environment = imports.environment
        self.preludes = imports.preludes.map(\.script)
        self.libraries = imports.libraries
        self.callees = callees
        self.warnings = warnings
        self.assignmentPlaces = DefiniteAssignment.assignmentSites(runbook).mapValues { spans in
            spans.map { span -> String in
                let location = runbook.file.location(span)
                return "\(location.line):\(location.column)"
            }.joined(separator: ", ")
        }
    }

    public var path: String { runbook.file.path }
    public var title: String { runbook.title }

    /// Names the runbook exports to a caller (`export NAME = …`).
    public var exportedNames: Set<String> {
        var names: Set<String> = []
        runbook.forEachStatement { stmt in
            if case .export(let name, _) = stmt.kind { names.insert(name) }
        }
        return names
    }

    /// The preludes joined, to go in front of a command's script; empty without one.
    public var preludeText: String { preludes.isEmpty ? "" : preludes.joined(separator: "\n") + "\n" }

    /// Resolves a path written in a `run` statement relative to the calling file.
    static func resolve(_ callPath: String, from file: String) -> String {
        if callPath.hasPrefix("/") { return callPath }
        let dir = (file as NSString).deletingLastPathComponent
        return dir.isEmpty ? callPath : (dir as NSString).appendingPathComponent(callPath)
    }
}
