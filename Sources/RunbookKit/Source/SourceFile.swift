/// A runbook's text with a line table, so byte offsets turn into line:column cheaply.
public final class SourceFile: @unchecked Sendable {
    public let path: String
    public let text: String
    /// The text as UTF-8 bytes; tokens refer to offsets into this array.
    public let bytes: [UInt8]
    /// Byte offset where each line starts (line 1 is index 0).
    public let lineStarts: [Int]

    public init(path: String, text: String) {
        self.path = path
        self.text = text
        self.bytes = Array(text.utf8)
        var starts = [0]
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") {
            starts.append(i + 1)
        }
        self.lineStarts = starts
    }

    /// 1-based line number of a byte offset (binary search in the line table).
    public func line(of offset: Int) -> Int {
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return lo + 1
    }

    /// 1-based column counted in characters, not bytes, so carets line up under non-ASCII text.
    public func column(of offset: Int) -> Int {
        let start = lineStarts[line(of: offset) - 1]
        let end = min(max(offset, start), bytes.count)
        return String(decoding: bytes[start..<end], as: UTF8.self).count + 1
    }

    /// The text of a 1-based line without its newline.
    public func lineText(_ line: Int) -> String {
        guard line >= 1, line <= lineStarts.count else { return "" }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
        if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
    }

    public func location(_ offset: Int) -> SourceLocation {
        SourceLocation(file: self, offset: offset)
    }
}

/// A position in a runbook file.
public struct SourceLocation: Sendable, CustomStringConvertible {
    public let file: SourceFile
    public let offset: Int

    public var line: Int { file.line(of: offset) }
    public var column: Int { file.column(of: offset) }
    public var description: String { "\(file.path):\(line):\(column)" }
}
