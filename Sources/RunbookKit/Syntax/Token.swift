/// A lexical token. `offset`/`length` are UTF-8 byte positions in the source.
public struct Token: Sendable {
    public enum Kind: Sendable, Equatable {
        case identifier
        case number
        case duration
        /// A string literal; `text` is the raw content between the quotes (escapes unprocessed).
        case string
        /// Shell text after `$ `; `text` is the script exactly as it will run.
        case command
        /// Punctuation and operators: `==`, `(`, `:` …; `text` holds the symbol.
        case symbol
        case newline
        case indent
        case dedent
        case eof
    }

    public let kind: Kind
    public let text: String
    public let offset: Int
    public let length: Int

    public var span: Span { Span(start: offset, length: length) }

    public func `is`(_ symbol: String) -> Bool { kind == .symbol && text == symbol }
    public func isWord(_ word: String) -> Bool { kind == .identifier && text == word }
}

/// A `#` comment, kept so `runbook fmt` can put it back.
public struct Comment: Sendable {
    public let offset: Int
    /// The comment text including the leading `#`.
    public let text: String
    /// True when the comment stands alone on its line; false when it trails code.
    public let ownLine: Bool
    /// Indentation (spaces) of an own-line comment.
    public let indent: Int
}
