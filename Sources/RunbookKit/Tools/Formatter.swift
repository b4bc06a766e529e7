/// `runbook fmt`: one canonical layout for runbooks. The result is checked before anyone
/// writes it: it must parse, mean the same (same AST, positions aside) and keep every comment.
public enum RunbookFormatter {
    public enum Failure: Error, CustomStringConvertible {
        /// The input does not parse; nothing to format.
        case syntax([Diagnostic])
        /// A bug in the formatter, caught by the safety net; the file must not be written.
        case internalError(String)

        public var description: String {
            switch self {
            case .syntax(let diagnostics): return diagnostics.map(\.description).joined(separator: "\n")
            case .internalError(let message): return message
            }
        }
    }

    /// The formatted text of a runbook, or a failure.
    public static func format(_ file: SourceFile) throws -> String {
        try LargeStack.run { try formatOnThisStack(file) }
    }

    private static func formatOnThisStack(_ file: SourceFile) throws -> String {
        let (parsed, diagnostics) = Parser.parse(file)
        guard let runbook = parsed else {
            throw Failure.syntax(diagnostics.filter { $0.severity == .error })
        }
        var layout = FormatLayout(runbook: runbook, tokens: SourceTokens(file: file))
        let text = layout.text()
        try verify(original: runbook, formatted: text)
        return text
    }

    /// The safety net: parse the output again and compare it with the original.
    static func verify(original: Runbook, formatted text: String) throws {
        let path = original.file.path
        let (again, diagnostics) = Parser.parse(SourceFile(path: path, text: text))
        guard let again else {
            let first = diagnostics.first { $0.severity == .error }.map { ": \($0.message) at line \($0.location?.line ?? 0)" } ?? ""
            throw Failure.internalError("internal error: the formatted \(path) would not parse\(first); the file was left unchanged")
        }
        if let difference = RunbookMeaning.difference(original, again) {
            throw Failure.internalError("internal error: formatting \(path) would change \(difference); the file was left unchanged")
        }
        if RunbookMeaning.comments(original) != RunbookMeaning.comments(again) {
            throw Failure.internalError("internal error: formatting \(path) would lose or change a comment; the file was left unchanged")
        }
    }
}
