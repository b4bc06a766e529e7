/// An error while running: a type mismatch, a missing value, a bad regex. It carries the
/// source position so the operator sees `file:line:col`.
public struct RuntimeError: Error, Sendable {
    public let message: String
    public let offset: Int?
    public let length: Int

    public init(_ message: String, at offset: Int? = nil, length: Int = 1) {
        self.message = message
        self.offset = offset
        self.length = length
    }

    /// An error that underlines a span of the runbook (an expression, a name).
    public init(_ message: String, at span: Span?) {
        self.init(message, at: span?.start, length: max(1, span?.length ?? 1))
    }

    public func located(in file: SourceFile) -> Diagnostic {
        Diagnostic(.error, message, at: offset.map { file.location($0) }, length: length)
    }
}
