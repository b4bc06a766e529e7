/// Keeps the head of a long text within a byte budget, cutting on a character boundary.
enum JournalOutputCut {
    /// The first `limit` bytes of `text` (fewer, to end on a whole UTF-8 sequence), and
    /// whether anything was cut.
    static func head(of text: String, limit: Int) -> (text: String, cut: Bool) {
        if text.utf8.count <= limit { return (text, false) }
        var text = text
        return (text.withUTF8 { head(of: $0, limit: limit) }, true)
    }

    /// The first `limit` bytes (fewer, to end on a whole UTF-8 sequence) as text.
    static func head(of bytes: UnsafeBufferPointer<UInt8>, limit: Int) -> String {
        let end = UTF8Boundary.characterStart(bytes, at: min(limit, bytes.count))
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[..<end]), as: UTF8.self)
    }
}
