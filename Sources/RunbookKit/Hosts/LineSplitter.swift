// Turns a byte stream into lines for live display. Memory stays bounded: a "line" that grows
// past `maximumLineBytes` without a newline is delivered in pieces of at most that size, cut
// where no secret is (each piece is masked on its own, so a secret cut in two would show).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct LineSplitter {
    static let defaultMaximumLineBytes = 64 * 1024

    let maximumLineBytes: Int
    /// The secrets not to cut through; nil: those of every redactor in the process.
    private let secrets: SecretRedactor?
    private var pending: [UInt8] = []

    init(maximumLineBytes: Int = LineSplitter.defaultMaximumLineBytes, secrets: SecretRedactor? = nil) {
        self.maximumLineBytes = max(4, maximumLineBytes)
        self.secrets = secrets
    }

    /// Feeds bytes; calls `emit` for every complete line (without its newline), and for
    /// pieces of at most `maximumLineBytes` of a longer line. Invalid UTF-8 becomes U+FFFD.
    mutating func append(_ bytes: UnsafeRawBufferPointer, emit: (String) -> Void) {
        guard var start = bytes.baseAddress, !bytes.isEmpty else { return }
        let end = start + bytes.count
        while start < end {
            guard let found = memchr(start, 0x0a, end - start) else {
                pending.append(contentsOf: UnsafeRawBufferPointer(start: start, count: end - start))
                emitPieces(emit)
                return
            }
            let newline = UnsafeRawPointer(found)
            let line = UnsafeRawBufferPointer(start: start, count: newline - start)
            if pending.isEmpty && line.count <= maximumLineBytes {
                emit(String(decoding: line, as: UTF8.self))  // the common case: no copy
            } else {
                pending.append(contentsOf: line)
                emitPieces(emit)
                emit(String(decoding: pending, as: UTF8.self))
                pending.removeAll(keepingCapacity: pending.capacity <= 4 * maximumLineBytes)
            }
            start = newline + 1
        }
    }

    /// Delivers a last line that had no newline.
    mutating func finish(emit: (String) -> Void) {
        if !pending.isEmpty {
            emit(String(decoding: pending, as: UTF8.self))
            pending.removeAll()
        }
    }

    /// Emits pieces while more than a piece is pending, so at most `maximumLineBytes` stay
    /// behind (and a line of exactly that size is not split).
    private mutating func emitPieces(_ emit: (String) -> Void) {
        while pending.count > maximumLineBytes {
            let boundary = UTF8Boundary.completePrefixLength(pending, count: maximumLineBytes)
            let cut = (secrets ?? SecretRedactor.registered).safeCut(in: pending, at: boundary)
            emit(String(decoding: pending[..<cut], as: UTF8.self))
            pending.removeFirst(cut)
        }
    }
}

enum UTF8Boundary {
    /// Where a cut at `index` goes so that it does not split a character: `index`, or back
    /// over continuation bytes (10xxxxxx) to the start of the sequence it falls in.
    static func characterStart<Bytes: RandomAccessCollection>(_ bytes: Bytes, at index: Int) -> Int
    where Bytes.Element == UInt8, Bytes.Index == Int {
        var end = index
        while end > bytes.startIndex, end < bytes.endIndex, bytes[end] & 0xC0 == 0x80 { end -= 1 }
        return end
    }

    /// How many of the first `count` bytes to take so that the cut does not split a UTF-8
    /// sequence: `count`, or less when the bytes end in an incomplete sequence. Invalid
    /// bytes are left alone (they decode to U+FFFD wherever the cut is).
    static func completePrefixLength(_ bytes: [UInt8], count: Int) -> Int {
        let count = min(count, bytes.count)
        var lead = count - 1
        while lead >= 0 && lead > count - 4 && bytes[lead] & 0xC0 == 0x80 { lead -= 1 }
        guard lead >= 0 else { return count }
        let expected: Int
        switch bytes[lead] {
        case 0xC0...0xDF: expected = 2
        case 0xE0...0xEF: expected = 3
        case 0xF0...0xF7: expected = 4
        default: return count
        }
        return count - lead < expected ? (lead > 0 ? lead : count) : count
    }
}
