/// One output stream of a command as it was kept: a string in memory, or — past the memory
/// bound for captured output — a nameless temporary file mapped read-only (`SpilledText`).
///
/// Either way the text is whole up to the hard capture limit. What reads output as data
/// (`table()`, `json()`, `lines()`, `grep()`, `column()`, `contains`) reads the bytes in place
/// through `withBytes`; `string` makes one string of it all, which a spilled output pays for
/// in memory, so it is for the uses that need a string (interpolation, `matches`).
///
/// Thread contract: immutable, shared freely.
public struct CapturedText: Sendable, Equatable {
    enum Storage: Sendable {
        case memory(String)
        case file(SpilledText)
    }

    let storage: Storage

    public init(_ text: String) {
        storage = .memory(text)
    }

    init(spilled: SpilledText) {
        storage = .file(spilled)
    }

    /// Whether the text lives in a temporary file rather than in memory.
    public var isSpilled: Bool {
        if case .file = storage { return true }
        return false
    }

    public var byteCount: Int {
        switch storage {
        case .memory(let text): return text.utf8.count
        case .file(let file): return file.count
        }
    }

    /// The whole text as one string (invalid UTF-8 becomes U+FFFD).
    public var string: String {
        switch storage {
        case .memory(let text): return text
        case .file(let file): return file.withBytes { String(decoding: $0, as: UTF8.self) }
        }
    }

    /// The UTF-8 bytes, in place: no copy of either kind of storage.
    public func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        switch storage {
        case .memory(let text):
            var text = text
            return try text.withUTF8(body)
        case .file(let file):
            return try file.withBytes(body)
        }
    }

    /// At most the first `limit` bytes, ending on a whole character; whether anything was left out.
    public func head(limit: Int) -> (text: String, cut: Bool) {
        guard byteCount > limit else { return (string, false) }
        return (withBytes { JournalOutputCut.head(of: $0, limit: limit) }, true)
    }

    /// The text as a journal or a screen may show it: secrets masked, at most `limit` bytes.
    /// A spilled output is read only as far as that needs, with the cut moved back so that
    /// it never splits a secret (a secret cut in two would be masked in neither half).
    public func masked(by redactor: SecretRedactor, limit: Int) -> (text: String, cut: Bool) {
        guard case .file = storage, byteCount > limit else {
            return JournalOutputCut.head(of: redactor.redact(string), limit: limit)
        }
        let window = withBytes { Array($0.prefix(limit + redactor.longestSecretBytes)) }
        let end = UTF8Boundary.characterStart(window, at: redactor.safeCut(in: window, at: min(limit, window.count)))
        let kept = redactor.redact(String(decoding: window[..<end], as: UTF8.self))
        return (JournalOutputCut.head(of: kept, limit: limit).text, true)
    }

    public static func == (lhs: CapturedText, rhs: CapturedText) -> Bool {
        if case .memory(let a) = lhs.storage, case .memory(let b) = rhs.storage { return a == b }
        guard lhs.byteCount == rhs.byteCount else { return false }
        return lhs.withBytes { a in rhs.withBytes { b in a.elementsEqual(b) } }
    }
}
