import Foundation
import RunbookKit

/// Unpacks a .tar.gz written by `TarGzWriter` (or any plain ustar archive) into a directory,
/// refusing whatever could write outside it or surprise a reader: absolute paths, `..`,
/// links of either kind, devices, FIFOs, pax and GNU extension headers, an entry given twice,
/// more than `limits` allow. The first refusal stops the unpacking with an `ArchiveError`.
public struct TarGzReader {
    public struct Limits: Sendable {
        /// Bytes the gzip stream may unpack to (the tar headers and padding included).
        public var totalBytes: Int
        public var entries: Int

        public init(totalBytes: Int = 8 << 30, entries: Int = 1_000_000) {
            self.totalBytes = totalBytes
            self.entries = entries
        }
    }

    public let path: String
    public let limits: Limits

    public init(path: String, limits: Limits = Limits()) {
        self.path = path
        self.limits = limits
    }

    /// Writes every entry under `directory` (which must exist): directories 0700, files 0600.
    /// Returns the relative paths of the files written.
    @discardableResult
    public func unpack(into directory: String) throws -> [String] {
        let bytes = try GzipReader.inflate(path: path, limit: limits.totalBytes)
        var offset = 0
        var written: [String] = []
        var made = Set<String>()
        while offset + TarHeader.blockSize <= bytes.count {
            let header = bytes[offset ..< offset + TarHeader.blockSize]
            if header.allSatisfy({ $0 == 0 }) { return written }
            let entry = try parse(header)
            offset += TarHeader.blockSize
            guard offset + entry.size <= bytes.count else {
                throw ArchiveError.corrupt(path: path, reason: "'\(entry.name)' is cut short")
            }
            guard written.count < limits.entries else {
                throw ArchiveError.corrupt(path: path, reason: "more than \(limits.entries) entries")
            }
            switch entry.type {
            case .directory:
                try makeDirectories(entry.name, in: directory, made: &made)
            case .file:
                let parent = (entry.name as NSString).deletingLastPathComponent
                if !parent.isEmpty { try makeDirectories(parent, in: directory, made: &made) }
                try write(bytes[offset ..< offset + entry.size], to: directory + "/" + entry.name, entry: entry.name)
                written.append(entry.name)
            }
            offset += (entry.size + TarHeader.blockSize - 1) / TarHeader.blockSize * TarHeader.blockSize
        }
        throw ArchiveError.corrupt(path: path, reason: "the tar archive has no end marker (a cut file?)")
    }

    private enum EntryType { case file, directory }

    private struct Entry {
        let name: String
        let size: Int
        let type: EntryType
    }

    private func parse(_ header: ArraySlice<UInt8>) throws -> Entry {
        let block = Array(header)
        let rawName = field(block, 0, 100)
        let prefix = field(block, 345, 155)
        let name = prefix.isEmpty ? rawName : prefix + "/" + rawName
        guard let stored = octal(block, 148, 8) else {
            throw ArchiveError.corrupt(path: path, reason: "header of '\(name)' has no readable checksum")
        }
        var sum = 0
        for (i, byte) in block.enumerated() { sum += (148 ..< 156).contains(i) ? 32 : Int(byte) }
        guard sum == stored else {
            throw ArchiveError.corrupt(path: path, reason: "header checksum of '\(name)' does not match")
        }
        let type: EntryType
        switch block[156] {
        case 0, UInt8(ascii: "0"), UInt8(ascii: "7"): type = .file
        case UInt8(ascii: "5"): type = .directory
        case UInt8(ascii: "1"): throw ArchiveError.unsafeEntry(path: path, entry: name, reason: "a hard link")
        case UInt8(ascii: "2"): throw ArchiveError.unsafeEntry(path: path, entry: name, reason: "a symbolic link")
        case UInt8(ascii: "3"), UInt8(ascii: "4"):
            throw ArchiveError.unsafeEntry(path: path, entry: name, reason: "a device file")
        case UInt8(ascii: "6"): throw ArchiveError.unsafeEntry(path: path, entry: name, reason: "a FIFO")
        case let flag:
            throw ArchiveError.unsafeEntry(path: path, entry: name,
                                           reason: "an extension header (type '\(Character(Unicode.Scalar(flag)))')")
        }
        guard let size = octal(block, 124, 12) else {
            throw ArchiveError.corrupt(path: path, reason: "header of '\(name)' has no readable size")
        }
        return Entry(name: try safeName(name), size: size, type: type)
    }

    /// The name with a leading `./` and a trailing `/` removed, or a refusal.
    private func safeName(_ name: String) throws -> String {
        var trimmed = Substring(name)
        while trimmed.hasPrefix("./") { trimmed = trimmed.dropFirst(2) }
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        if name.hasPrefix("/") { throw ArchiveError.unsafeEntry(path: path, entry: name, reason: "an absolute path") }
        if trimmed.isEmpty { throw ArchiveError.unsafeEntry(path: path, entry: name, reason: "an empty path") }
        for component in trimmed.split(separator: "/", omittingEmptySubsequences: false) {
            if component == ".." { throw ArchiveError.unsafeEntry(path: path, entry: name, reason: "a path with '..'") }
            if component.isEmpty || component == "." {
                throw ArchiveError.unsafeEntry(path: path, entry: name, reason: "an empty or '.' path component")
            }
            if component.utf8.contains(0) || component.contains("\\") {
                throw ArchiveError.unsafeEntry(path: path, entry: name, reason: "a NUL or backslash in the path")
            }
        }
        return String(trimmed)
    }

    private func makeDirectories(_ relative: String, in root: String, made: inout Set<String>) throws {
        var current = ""
        for component in relative.split(separator: "/") {
            current += current.isEmpty ? String(component) : "/" + component
            if made.contains(current) { continue }
            let full = root + "/" + current
            if mkdir(full, 0o700) != 0 {
                let code = errno
                var info = stat()
                // An existing directory is fine only when it is a real directory (lstat: never a link).
                guard code == EEXIST, lstat(full, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
                    throw ArchiveError.unsafeEntry(path: path, entry: current,
                                                   reason: "cannot make the directory: \(String(cString: strerror(code)))")
                }
            }
            made.insert(current)
        }
    }

    private func write(_ content: ArraySlice<UInt8>, to file: String, entry: String) throws {
        let descriptor = open(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let reason = errno == EEXIST ? "given twice" : "cannot create it: \(String(cString: strerror(errno)))"
            throw ArchiveError.unsafeEntry(path: path, entry: entry, reason: reason)
        }
        defer { close(descriptor) }
        try content.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Foundation.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else {
                    throw ArchiveError.cannotWrite(path: file, reason: String(cString: strerror(errno)))
                }
                offset += n
            }
        }
    }

    private func field(_ block: [UInt8], _ offset: Int, _ width: Int) -> String {
        let slice = block[offset ..< offset + width]
        let end = slice.firstIndex(of: 0) ?? slice.endIndex
        return String(decoding: slice[offset ..< end], as: UTF8.self)
    }

    /// An octal number field (spaces and NULs around it ignored); nil for anything else,
    /// including the base-256 form of very large sizes.
    private func octal(_ block: [UInt8], _ offset: Int, _ width: Int) -> Int? {
        let text = field(block, offset, width).trimmingCharacters(in: CharacterSet(charactersIn: " \0"))
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 55 }), text.count <= 12 else { return nil }
        return Int(text, radix: 8)
    }
}

/// A snapshot unpacked into a private temporary directory (0700), removed by `remove()`.
public final class UnpackedArchive: @unchecked Sendable {
    public let directory: String
    private let mutex = Mutex()
    private var removed = false

    /// Unpacks `path` into a new directory under `temporaryRoot` (default: $TMPDIR or /tmp).
    public init(path: String, temporaryRoot: String? = nil, limits: TarGzReader.Limits = .init()) throws {
        directory = try PrivateDirectory.make(prefix: "runbook-snapshot", in: temporaryRoot)
        do {
            try TarGzReader(path: path, limits: limits).unpack(into: directory)
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    /// Removes the directory and everything in it; safe to call more than once.
    public func remove() {
        let first = mutex.withLock { () -> Bool in
            defer { removed = true }
            return !removed
        }
        if first { try? FileManager.default.removeItem(atPath: directory) }
    }

    deinit { remove() }
}
