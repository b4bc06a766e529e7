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

    public func located(in file: SourceFile) -> Diagnostic {
        Diagnostic(.error, message, at: offset.map { file.location($0) }, length: length)
    }
}
