import CZlib
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A gzip stream written to a file as it grows: the archive never sits in memory whole.
/// Not thread-safe: the tar writer that owns it serializes its callers.
final class GzipFileWriter {
    private var stream = z_stream()
    private let descriptor: Int32
    private let path: String
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)
    private var finished = false
    /// Compressed bytes written so far.
    private(set) var compressedBytes = 0

    /// Level 1: a snapshot is mostly JSON, which level 1 already shrinks about 8×; level 6
    /// gains some 25% more for about three times the time, and the time is the operator's
    /// during an incident.
    init(path: String, level: Int32 = 1) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw ArchiveError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        // windowBits 15 + 16: a gzip header and trailer instead of zlib's.
        let status = deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                                   ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            close(descriptor)
            throw ArchiveError.cannotWrite(path: path, reason: "zlib refused to start (\(status))")
        }
    }

    deinit {
        if !finished { deflateEnd(&stream) }
        close(descriptor)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        stream.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: UInt8.self))
        stream.avail_in = UInt32(bytes.count)
        try pump(flush: Z_NO_FLUSH)
    }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Ends the gzip stream and the file.
    func finish() throws {
        guard !finished else { return }
        stream.next_in = nil
        stream.avail_in = 0
        try pump(flush: Z_FINISH)
        deflateEnd(&stream)
        finished = true
        guard fsync(descriptor) == 0 || errno == EINVAL else {
            throw ArchiveError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
        }
    }

    private func pump(flush: Int32) throws {
        let capacity = buffer.count
        try buffer.withUnsafeMutableBufferPointer { out in
            repeat {
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(capacity)
                let status = deflate(&stream, flush)
                guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                    throw ArchiveError.cannotWrite(path: path, reason: "zlib failed (\(status))")
                }
                let produced = capacity - Int(stream.avail_out)
                var offset = 0
                while offset < produced {
                    let n = writeDescriptor(descriptor, out.baseAddress! + offset, produced - offset)
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else {
                        throw ArchiveError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
                    }
                    offset += n
                }
                compressedBytes += produced
                if flush == Z_FINISH && status == Z_STREAM_END { return }
            } while stream.avail_out == 0 || (flush == Z_FINISH)
        }
    }
}

/// The system's write(2), by a name a method called `write` does not hide.
private func writeDescriptor(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}

/// Reading a whole gzip file back, with a ceiling on what it may unpack to (a small file can
/// claim gigabytes).
enum GzipReader {
    static func inflate(path: String, limit: Int) throws -> [UInt8] {
        let compressed = try readFile(path)
        guard compressed.count >= 18, compressed[0] == 0x1f, compressed[1] == 0x8b else {
            throw ArchiveError.notGzip(path: path)
        }
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ArchiveError.corrupt(path: path, reason: "zlib refused to start")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        output.reserveCapacity(min(limit, compressed.count * 8))
        var chunk = [UInt8](repeating: 0, count: 1 << 18)
        let chunkSize = chunk.count
        try compressed.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = UInt32(input.count)
            while true {
                let status: Int32 = chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = UInt32(chunkSize)
                    return CZlib.inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunkSize - Int(stream.avail_out)
                guard output.count + produced <= limit else { throw ArchiveError.tooLarge(path: path, limit: limit) }
                output.append(contentsOf: chunk[0 ..< produced])
                if status == Z_STREAM_END { break }
                guard status == Z_OK else {
                    let reason = status == Z_BUF_ERROR ? "the gzip stream ends early (a cut download?)" : "gzip data error (\(status))"
                    throw ArchiveError.corrupt(path: path, reason: reason)
                }
            }
        }
        return output
    }

    static func readFile(_ path: String) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ArchiveError.cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = read(descriptor, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw ArchiveError.cannotOpen(path: path, reason: String(cString: strerror(errno))) }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0 ..< n])
        }
        return bytes
    }
}
