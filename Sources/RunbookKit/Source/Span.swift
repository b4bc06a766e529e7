/// A stretch of a runbook's source in UTF-8 bytes: where a token or syntax node starts and how
/// long it is. The parser records spans from tokens, so diagnostics point at what was written
/// instead of computing positions from keyword lengths.
public struct Span: Sendable, Hashable, CustomStringConvertible {
    public var start: Int
    public var length: Int

    public init(start: Int, length: Int) {
        self.start = start
        self.length = max(0, length)
    }

    public init(from start: Int, to end: Int) {
        self.init(start: start, length: end - start)
    }

    public var end: Int { start + length }

    /// From the start of this span to the end of `other`.
    public func through(_ other: Span) -> Span { Span(from: start, to: max(end, other.end)) }

    public var description: String { "\(start)..<\(end)" }
}

extension SourceFile {
    public func location(_ span: Span) -> SourceLocation { location(span.start) }

    /// The source text of a span.
    public func text(_ span: Span) -> String {
        let start = min(max(0, span.start), bytes.count), end = min(span.end, bytes.count)
        return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
    }
}

extension Diagnostic {
    /// A diagnostic that underlines a span. The caret's width is counted in characters, so it
    /// lines up under non-ASCII text too.
    public init(_ severity: Severity = .error, _ message: String, at span: Span, in file: SourceFile) {
        self.init(severity, message, at: file.location(span), length: file.text(span).count)
    }
}
