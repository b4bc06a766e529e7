#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Replaces every occurrence of each secret value with `SecretRedactor.mask`. Used by the
/// journal and by the terminal renderer so a secret never reaches a screen or a file.
///
/// Matching is on UTF-8 bytes (a secret's first byte is never a continuation byte, so a match
/// always starts on a character boundary). Overlapping occurrences of different secrets are
/// merged and masked as one, so no fragment of either leaks.
public struct SecretRedactor: Sendable {
    public static let mask = "********"

    /// Non-empty secrets, longest first, without duplicates.
    private let secrets: [[UInt8]]

    /// A secret that spans several lines (a key, a kubeconfig) is also matched line by line:
    /// the terminal shows command output and messages one line at a time, so the whole value
    /// never appears in one piece there, while each of its lines would. Every line that is
    /// not blank is masked wherever it appears (over-masking a short line is the safe side).
    public init(secrets: [String]) {
        var values: [String] = []
        for secret in secrets where !secret.isEmpty {
            values.append(secret)
            guard secret.contains(where: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) else { continue }
            for line in secret.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
                if line.contains(where: { !$0.isWhitespace }) { values.append(String(line)) }
            }
        }
        var seen = Set<String>()
        self.secrets = values
            .filter { seen.insert($0).inserted }
            .sorted { $0.utf8.count > $1.utf8.count }
            .map { Array($0.utf8) }
    }

    public var isEmpty: Bool { secrets.isEmpty }

    public func redact(_ text: String) -> String {
        if secrets.isEmpty || text.isEmpty { return text }
        var text = text
        return text.withUTF8 { bytes in
            guard let ranges = matches(in: bytes) else { return nil }
            return String(decoding: replace(ranges, in: bytes), as: UTF8.self)
        } ?? text
    }

    /// Byte ranges covered by some secret, sorted and merged; nil when there are none.
    private func matches(in haystack: UnsafeBufferPointer<UInt8>) -> [Range<Int>]? {
        guard let base = haystack.baseAddress else { return nil }
        var ranges: [Range<Int>] = []
        for secret in secrets where secret.count <= haystack.count {
            secret.withUnsafeBufferPointer { needle in
                let length = needle.count
                var offset = 0
                // memchr finds candidates for the first byte, memcmp confirms the rest.
                while offset + length <= haystack.count,
                      let hit = memchr(base + offset, Int32(needle[0]), haystack.count - offset - length + 1) {
                    let start = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
                    if memcmp(hit, needle.baseAddress!, length) == 0 {
                        ranges.append(start ..< start + length)
                        offset = start + length
                    } else {
                        offset = start + 1
                    }
                }
            }
        }
        if ranges.isEmpty { return nil }
        ranges.sort { $0.lowerBound < $1.lowerBound }
        var merged: [Range<Int>] = [ranges[0]]
        for range in ranges.dropFirst() {
            let last = merged[merged.count - 1]
            if range.lowerBound <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound ..< max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        return merged
    }

    private func replace(_ ranges: [Range<Int>], in bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var position = 0
        for range in ranges {
            out.append(contentsOf: bytes[position ..< range.lowerBound])
            out.append(contentsOf: Self.mask.utf8)
            position = range.upperBound
        }
        out.append(contentsOf: bytes[position...])
        return out
    }
}
