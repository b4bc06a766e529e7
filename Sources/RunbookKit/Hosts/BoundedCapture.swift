// Keeps the first `limit` bytes of a stream for the command's result and counts the rest,
// so that a command printing gigabytes costs the runner no more than `limit` bytes.

struct BoundedCapture {
    let limit: Int
    private(set) var bytes: [UInt8] = []
    private(set) var totalBytes = 0

    init(limit: Int) {
        self.limit = max(0, limit)
    }

    mutating func append(_ chunk: UnsafeRawBufferPointer) {
        totalBytes += chunk.count
        let room = limit - bytes.count
        if room > 0 { bytes.append(contentsOf: chunk.prefix(room)) }
    }

    /// The kept bytes as text (invalid UTF-8 becomes U+FFFD). When the stream was cut, a
    /// character split by the cut is dropped rather than turned into U+FFFD.
    var text: String {
        guard totalBytes > bytes.count else { return String(decoding: bytes, as: UTF8.self) }
        let cut = UTF8Boundary.completePrefixLength(bytes, count: bytes.count)
        return String(decoding: bytes[..<cut], as: UTF8.self)
    }
}
