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
        SecretRedactor.registry.add(self.secrets)
    }

    /// Sorted, deduplicated secrets as they are; not registered (the registry's own).
    private init(sortedSecrets: [[UInt8]]) {
        self.secrets = sortedSecrets
    }

    public var isEmpty: Bool { secrets.isEmpty }

    /// The length in bytes of the longest secret (0 when there are none).
    public var longestSecretBytes: Int { secrets.first?.count ?? 0 }

    // MARK: Long lines

    /// Every secret of every redactor made in this process. Output lines are cut into
    /// pieces by the executors (LineSplitter), which do not know the run's secrets, and each
    /// piece is masked on its own: a secret cut in two would match in neither piece and show
    /// in halves. The splitter asks this registry where it may cut instead.
    public static var registered: SecretRedactor { registry.redactor }

    private static let registry = Registry()

    private final class Registry: @unchecked Sendable {
        private let mutex = Mutex()
        private var known = Set<[UInt8]>()
        private var combined = SecretRedactor(sortedSecrets: [])

        func add(_ secrets: [[UInt8]]) {
            guard !secrets.isEmpty else { return }
            mutex.withLock {
                guard !known.isSuperset(of: secrets) else { return }
                known.formUnion(secrets)
                combined = SecretRedactor(sortedSecrets: known.sorted { $0.count > $1.count })
            }
        }

        var redactor: SecretRedactor { mutex.withLock { combined } }
    }

    /// Where to cut `bytes` so that no occurrence of a secret spans the cut: `cut` itself,
    /// or the start of the secret that spans it (the whole secret then goes to the next
    /// piece, where it is masked). Only when a secret, or a chain of overlapping ones, runs
    /// from the very start of `bytes` to past `cut` (longer than a whole piece) is `cut`
    /// kept: there is no place to cut outside it. A secret starts on a character boundary,
    /// so the cut stays on one.
    public func safeCut(in bytes: [UInt8], at cut: Int) -> Int {
        guard let longest = secrets.first?.count, longest > 1, cut > 0, cut < bytes.count else { return cut }
        var position = cut
        while position > 0 {
            // Any occurrence that spans `position` lies inside this window.
            let lower = max(0, position - (longest - 1))
            let upper = min(bytes.count, position + longest - 1)
            let ranges = bytes[lower ..< upper].withUnsafeBufferPointer { matches(in: $0) } ?? []
            guard let spanning = ranges.first(where: { lower + $0.lowerBound < position && lower + $0.upperBound > position }) else {
                return position
            }
            position = lower + spanning.lowerBound
        }
        return cut
    }

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
