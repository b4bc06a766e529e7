// Keeps the first `limit` bytes of a stream for the command's result and counts the rest,
// so that a command printing gigabytes costs the runner no more than `limit` bytes.
//
// The kept bytes are chunks of at most `chunkSize`, not one growing array: an array that
// doubles holds up to twice the output, and three times while it is copied to grow, then
// the result's String is one more copy. With chunks the peak is the output plus the String
// (`kubectl get pods -A` of 100,000 pods, 8.6 MB: measured in docs/PERFORMANCE.md, "Scale").

struct BoundedCapture {
    let limit: Int
    /// Bytes per chunk; the first chunk grows as an array does, so small outputs (most
    /// commands print a few lines) allocate no more than they need.
    static let chunkSize = 1 << 20
    private var chunks: [[UInt8]] = []
    private(set) var keptBytes = 0
    private(set) var totalBytes = 0

    init(limit: Int) {
        self.limit = max(0, limit)
    }

    mutating func append(_ chunk: UnsafeRawBufferPointer) {
        totalBytes += chunk.count
        var rest = chunk.prefix(max(0, limit - keptBytes))
        keptBytes += rest.count
        while !rest.isEmpty {
            if chunks.isEmpty || chunks[chunks.count - 1].count >= BoundedCapture.chunkSize {
                var next: [UInt8] = []
                if !chunks.isEmpty { next.reserveCapacity(BoundedCapture.chunkSize) }
                chunks.append(next)
            }
            let room = BoundedCapture.chunkSize - chunks[chunks.count - 1].count
            chunks[chunks.count - 1].append(contentsOf: rest.prefix(room))
            rest = rest.dropFirst(room)
        }
    }

    /// The kept bytes as text (invalid UTF-8 becomes U+FFFD). When the stream was cut, a
    /// character split by the cut is dropped rather than turned into U+FFFD.
    var text: String {
        var end = keptBytes
        if totalBytes > keptBytes {
            // The last bytes decide the cut; five of them always hold the lead byte of a
            // character that the cut split, so the result is the one of the whole buffer.
            let tail = lastBytes(min(5, keptBytes))
            end -= tail.count - UTF8Boundary.completePrefixLength(tail, count: tail.count)
        }
        guard end > 0 else { return "" }
        return String(unsafeUninitializedCapacity: end) { buffer in
            var at = 0
            for chunk in chunks where at < end {
                let n = min(chunk.count, end - at)
                chunk.withUnsafeBufferPointer { source in
                    _ = UnsafeMutableBufferPointer(rebasing: buffer[at..<(at + n)]).initialize(from: source.prefix(n))
                }
                at += n
            }
            return end
        }
    }

    private func lastBytes(_ n: Int) -> [UInt8] {
        var out: [UInt8] = []
        for chunk in chunks.reversed() where out.count < n {
            out.insert(contentsOf: chunk.suffix(n - out.count), at: 0)
        }
        return out
    }
}
