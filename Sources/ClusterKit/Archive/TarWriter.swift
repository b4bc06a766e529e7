import RunbookKit

/// Writes a .tar.gz entry by entry: POSIX ustar headers (plain files only, mode 0644, owner 0,
/// one fixed time), compressed as they are added. Every call is safe from any thread: the
/// collector's workers add files as their requests complete, and entries never interleave.
public final class TarGzWriter: @unchecked Sendable {
    private let gzip: GzipFileWriter
    private let path: String
    private let mutex = Mutex()
    private let modificationTime: Int
    private var names = Set<String>()
    /// Bytes of file content added so far (before compression).
    private var contentBytes = 0

    public init(path: String, modificationTime: Int) throws {
        self.path = path
        self.modificationTime = modificationTime
        gzip = try GzipFileWriter(path: path)
    }

    /// Content bytes added so far.
    public var uncompressedBytes: Int { mutex.withLock { contentBytes } }
    public var compressedBytes: Int { mutex.withLock { gzip.compressedBytes } }

    /// Adds a file under `name` (a relative path with `/` separators). A name given twice is
    /// a bug of the caller, refused rather than written as an archive a reader would refuse.
    public func add(_ name: String, _ bytes: [UInt8]) throws {
        let header = try TarHeader.make(name: name, size: bytes.count, modificationTime: modificationTime,
                                        archive: path)
        try mutex.withLock {
            guard names.insert(name).inserted else {
                throw ArchiveError.unsafeEntry(path: path, entry: name, reason: "added twice")
            }
            try gzip.write(header)
            try gzip.write(bytes)
            let padding = (512 - bytes.count % 512) % 512
            if padding > 0 { try gzip.write([UInt8](repeating: 0, count: padding)) }
            contentBytes += bytes.count
        }
    }

    /// Writes the two zero blocks that end a tar archive and closes the gzip stream.
    public func finish() throws {
        try mutex.withLock {
            try gzip.write([UInt8](repeating: 0, count: 1024))
            try gzip.finish()
        }
    }
}

/// The 512-byte ustar header block.
enum TarHeader {
    static let blockSize = 512

    static func make(name: String, size: Int, modificationTime: Int, archive: String) throws -> [UInt8] {
        let (prefix, base) = try split(name, archive: archive)
        var block = [UInt8](repeating: 0, count: blockSize)
        put(base, at: 0, width: 100, into: &block)
        put(octal(0o644, width: 8), at: 100, width: 8, into: &block)
        put(octal(0, width: 8), at: 108, width: 8, into: &block)
        put(octal(0, width: 8), at: 116, width: 8, into: &block)
        put(octal(size, width: 12), at: 124, width: 12, into: &block)
        put(octal(modificationTime, width: 12), at: 136, width: 12, into: &block)
        block[156] = UInt8(ascii: "0")
        put(Array("ustar".utf8) + [0], at: 257, width: 6, into: &block)
        put(Array("00".utf8), at: 263, width: 2, into: &block)
        put(prefix, at: 345, width: 155, into: &block)
        // The checksum is computed with its own field as eight spaces.
        for i in 148 ..< 156 { block[i] = UInt8(ascii: " ") }
        let sum = block.reduce(0) { $0 + Int($1) }
        put(octal(sum, width: 7) + [0], at: 148, width: 8, into: &block)
        return block
    }

    /// ustar keeps a long name as a prefix (up to 155 bytes) and a name (up to 100) cut at a `/`.
    private static func split(_ name: String, archive: String) throws -> (prefix: [UInt8], name: [UInt8]) {
        let bytes = Array(name.utf8)
        if bytes.count <= 100 { return ([], bytes) }
        for cut in stride(from: min(bytes.count - 1, 155), through: 1, by: -1) where bytes[cut] == UInt8(ascii: "/") {
            let base = Array(bytes[(cut + 1)...])
            if base.count <= 100 && !base.isEmpty { return (Array(bytes[..<cut]), base) }
        }
        throw ArchiveError.unsafeEntry(path: archive, entry: name, reason: "the path is too long for a tar header (256 bytes at most)")
    }

    /// `value` in octal, zero-padded to `width - 1` digits and NUL-terminated.
    static func octal(_ value: Int, width: Int) -> [UInt8] {
        let digits = String(value, radix: 8)
        let padded = String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits
        return Array(padded.utf8) + [0]
    }

    private static func put(_ bytes: [UInt8], at offset: Int, width: Int, into block: inout [UInt8]) {
        for (i, byte) in bytes.prefix(width).enumerated() { block[offset + i] = byte }
    }
}
