/// Keeps the head of a long text within a byte budget, cutting on a character boundary.
enum JournalOutputCut {
    /// The first `limit` bytes of `text` (fewer, to end on a whole UTF-8 sequence), and
    /// whether anything was cut.
    static func head(of text: String, limit: Int) -> (text: String, cut: Bool) {
        let utf8 = text.utf8
        if utf8.count <= limit { return (text, false) }
        var end = utf8.index(utf8.startIndex, offsetBy: limit)
        // Step back over continuation bytes (10xxxxxx) to the start of the cut sequence.
        while end > utf8.startIndex, utf8[end] & 0xC0 == 0x80 {
            end = utf8.index(before: end)
        }
        return (String(decoding: utf8[..<end], as: UTF8.self), true)
    }
}
