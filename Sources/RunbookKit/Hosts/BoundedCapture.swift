// Keeps the first `limit` bytes of a stream for the command's result and counts the rest,
// so that a command printing gigabytes costs the runner no more than `limit` bytes.
//
// The kept bytes are chunks of at most `chunkSize`, not one growing array: an array that
// doubles holds up to twice the output, and three times while it is copied to grow, then
// the result's String is one more copy. With chunks the peak is the output plus the String
// (`kubectl get pods -A` of 100,000 pods, 8.6 MB: measured in docs/PERFORMANCE.md, "Scale").
//
// With a `SpillPolicy`, output past `memoryLimit` goes on into a nameless temporary file
// (`SpillFile`) and the result maps that file instead of holding a String: the runner's own
// memory then stays near `memoryLimit` however much of the `limit` the command prints. If
// the file cannot be created or written (a full disk), the output goes on in memory, whole,
// and `spillFailure` says why.

/// When a stream's kept output moves from memory to a temporary file.
public struct SpillPolicy: Sendable, Equatable {
    /// Bytes kept in memory; past this the whole output moves to the file.
    public var memoryLimit: Int
    /// Where the nameless file is created (the runner's TMPDIR, or /tmp).
    public var directory: String

    public init(memoryLimit: Int, directory: String) {
        self.memoryLimit = memoryLimit
        self.directory = directory
    }
}

struct BoundedCapture {
    let limit: Int
    let spill: SpillPolicy?
    /// Bytes per chunk; the first chunk grows as an array does, so small outputs (most
    /// commands print a few lines) allocate no more than they need.
    static let chunkSize = 1 << 20
    private var chunks: [[UInt8]] = []
    private var file: SpillFile?
    private(set) var keptBytes = 0
    /// The last few kept bytes, to find a character that the cut split.
    private var lastKept: [UInt8] = []
    private(set) var totalBytes = 0
    /// Why the output stayed in memory although it passed the spill policy's bound.
    private(set) var spillFailure: SpillError?

    init(limit: Int, spill: SpillPolicy? = nil) {
        self.limit = max(0, limit)
        self.spill = spill
    }

    mutating func append(_ chunk: UnsafeRawBufferPointer) {
        totalBytes += chunk.count
        let kept = UnsafeRawBufferPointer(rebasing: chunk.prefix(max(0, limit - keptBytes)))
        keptBytes += kept.count
        lastKept = Array((lastKept + kept.suffix(5)).suffix(5))
        if file != nil {
            guard let error = file!.append(kept) else { return }
            returnToMemory(error)
        }
        keepInMemory(kept)
        if let spill, spillFailure == nil, keptBytes > spill.memoryLimit { moveToFile(spill) }
    }

    private mutating func keepInMemory(_ bytes: UnsafeRawBufferPointer) {
        var rest = bytes[...]
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

    /// Writes what memory holds to a new file, which takes every later byte.
    private mutating func moveToFile(_ spill: SpillPolicy) {
        var created: SpillFile
        switch SpillFile.create(in: spill.directory) {
        case .failure(let error):
            spillFailure = error
            return
        case .success(let new): created = new
        }
        for chunk in chunks {
            if let error = chunk.withUnsafeBytes({ created.append($0) }) {
                created.closeFile()
                spillFailure = error
                return
            }
        }
        chunks = []
        file = created
    }

    /// A write to the file failed: what it holds comes back into memory, where the rest goes.
    private mutating func returnToMemory(_ error: SpillError) {
        guard let failed = file.take() else { return }
        chunks = [failed.readBack()]
        failed.closeFile()
        spillFailure = error
    }

    /// The kept output, ready for the result. A spilled one is mapped from its file; when
    /// that fails it is read back into memory (and `spillFailure` says why).
    mutating func finish() -> CapturedText {
        guard let done = file.take() else { return CapturedText(text) }
        defer { done.closeFile() }
        switch done.map(count: keptBytes - splitCharacterBytes) {
        case .success(let spilled):
            return CapturedText(spilled: spilled)
        case .failure(let error):
            chunks = [done.readBack()]
            spillFailure = error
            return CapturedText(text)
        }
    }

    /// Why either stream stayed in memory past its bound, for the result.
    static func failure(_ stdout: BoundedCapture, _ stderr: BoundedCapture) -> String? {
        (stdout.spillFailure ?? stderr.spillFailure)?.message
    }

    /// The kept bytes as text (invalid UTF-8 becomes U+FFFD). When the stream was cut, a
    /// character split by the cut is dropped rather than turned into U+FFFD.
    private var text: String {
        let end = keptBytes - splitCharacterBytes
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

    /// The bytes at the end of a cut stream that start a character the cut split. The last
    /// five kept bytes always hold the lead byte of such a character.
    private var splitCharacterBytes: Int {
        guard totalBytes > keptBytes else { return 0 }
        return lastKept.count - UTF8Boundary.completePrefixLength(lastKept, count: lastKept.count)
    }
}
