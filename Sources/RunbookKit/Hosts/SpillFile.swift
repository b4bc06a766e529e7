#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a command's output goes once it outgrows the memory it may use: a temporary file
/// that has no name. It is created mode 0600 in the spill directory and unlinked at once,
/// before the first byte is written, so it is never visible to another user, and nothing is
/// left behind whatever ends the run (Ctrl-C, SIGTERM, kill -9): the kernel frees the
/// blocks when the last descriptor or mapping goes.
///
/// Thread contract: a `SpillFile` is owned by the one `BoundedCapture` that writes it (one
/// reader thread per stream), then turned into an immutable `SpilledText` by `map()`.
struct SpillFile {
    private let descriptor: Int32
    private(set) var size = 0

    /// A new nameless file in `directory`, or the reason there is none.
    static func create(in directory: String) -> Result<SpillFile, SpillError> {
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<16 {
            let path = base + "runbook-output-" + String(generator.next() as UInt64, radix: 36)
            // O_EXCL: a name someone else made (a planted link) is never opened, only retried;
            // close-on-exec from the start: a child spawned meanwhile by another thread must
            // not inherit the descriptor.
            let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if fd < 0 {
                if errno == EEXIST || errno == EINTR { continue }
                return .failure(SpillError("cannot create a temporary file in \(directory): \(SystemCalls.errorDescription(errno))"))
            }
            // Mode 0600 from the start (a umask only takes bits away); then the name goes.
            _ = unlink(path)
            return .success(SpillFile(descriptor: fd))
        }
        return .failure(SpillError("cannot create a temporary file in \(directory): every name tried was taken"))
    }

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Appends all of `bytes`, or says why it could not (a full disk, a file size limit);
    /// after a failure `size` and `readBack()` leave out what this call wrote.
    mutating func append(_ bytes: UnsafeRawBufferPointer) -> SpillError? {
        var offset = 0
        while offset < bytes.count {
            let n = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if n <= 0 {
                if n < 0 && errno == EINTR { continue }
                let reason = n < 0 ? SystemCalls.errorDescription(errno) : "nothing written"
                return SpillError("cannot write the temporary file: \(reason)")
            }
            offset += n
        }
        size += bytes.count
        return nil
    }

    /// The bytes written so far, read back (to go on in memory after a write failed).
    func readBack() -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: size)
        var offset = 0
        bytes.withUnsafeMutableBytes { buffer in
            while offset < size {
                let n = pread(descriptor, buffer.baseAddress! + offset, size - offset, off_t(offset))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { break }
                offset += n
            }
        }
        return Array(bytes.prefix(offset))
    }

    /// The file mapped read-only, of which the first `count` bytes count. The mapping keeps
    /// the file alive on its own: the descriptor may be closed right after.
    func map(count: Int) -> Result<SpilledText, SpillError> {
        guard size > 0 else { return .success(SpilledText(base: nil, mappedLength: 0, count: 0)) }
        let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0)
        guard let base, base != MAP_FAILED else {
            return .failure(SpillError("cannot map the temporary file: \(SystemCalls.errorDescription(errno))"))
        }
        return .success(SpilledText(base: UnsafeRawPointer(base), mappedLength: size, count: count))
    }

    /// Closes the descriptor: the blocks are freed then, or with the last mapping.
    func closeFile() {
        close(descriptor)
    }
}

/// Why output could not be kept in a temporary file.
struct SpillError: Error, Sendable, Equatable {
    let message: String
    init(_ message: String) { self.message = message }
}

/// Output kept in a nameless temporary file, mapped read-only. The pages are the file's, not
/// the heap's: the kernel reads them in as they are used and may drop them again under
/// memory pressure, so a 500 MB output does not need 500 MB of the runner's own memory.
///
/// Thread contract: immutable; the mapping lives until the last reference goes.
final class SpilledText: @unchecked Sendable {
    private let base: UnsafeRawPointer?
    private let mappedLength: Int
    /// The bytes that count: fewer than are mapped when a cut split the last character.
    let count: Int

    /// `count` may be less than `mappedLength`: the bytes that count end before a character
    /// that a cut split.
    init(base: UnsafeRawPointer?, mappedLength: Int, count: Int) {
        self.base = base
        self.mappedLength = mappedLength
        self.count = min(count, mappedLength)
    }

    deinit {
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), mappedLength) }
    }

    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        guard let base else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        return try body(UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: count))
    }
}
