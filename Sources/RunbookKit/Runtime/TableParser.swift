/// Splits tabular command output (kubectl get, df, ps) into rows keyed by header.
///
/// Columns are found from the header (`TableColumns`), not by splitting on whitespace: cells
/// may contain spaces (kubectl's `3 (2m ago)`, `Ubuntu 22.04.5 LTS`), may be blank in any
/// column (ENDPOINTS of a Service whose pods are not ready, VOLUME of a pending claim), and
/// may be right-aligned and wider than their header (df's numbers). The last column runs to
/// the end of each line (event messages).
///
/// Output that is plain ASCII with no tabs or carriage returns (kubectl's, on a large cluster
/// tens of megabytes) is read as bytes, where a byte is a character; anything else as
/// characters. Both read the same columns and cells. On the byte path, when the header names
/// are all different, the rows are kept compact (`TableRows`: offsets into the text).
enum TableParser {
    /// The text a table is read from. A command result gives its stdout as captured, not
    /// `text` (which trims the trailing newline into a copy of a capture that may be
    /// hundreds of megabytes): the compact rows then point into the capture itself, in
    /// memory or in its spilled file.
    static func source(_ value: Value) -> CapturedText {
        OutputText.of(value)
    }

    static func parse(_ text: String) -> Value {
        parse(CapturedText(text))
    }

    static func parse(_ text: CapturedText) -> Value {
        if let fast = parseASCII(text) { return fast }
        let lines = text.string.split(whereSeparator: \.isNewline)
            .map { Array($0.replacingTabs()) }
            .filter { !$0.allSatisfy { $0 == " " } }
        guard let header = lines.first else { return .list([]) }
        let rows = Array(lines.dropFirst())
        let columns = TableColumns.find(header: header, rows: rows)
        return .list(rows.map { line in
            row(columns, cells(of: line, columns, space: " ") { String($0).trimmingCharacters(in: " ") })
        })
    }

    /// One row as a map (a repeated header keeps its first place and its last cell).
    private static func row(_ columns: [TableColumns.Column], _ cells: [String]) -> Value {
        .map(zip(columns, cells).map { column, cell in (column.name, .string(cell)) })
    }

    /// The byte path: nil when the text needs the character path (non-ASCII, tabs, a
    /// newline other than LF, or a header with words one space apart, whose columns the
    /// cells decide).
    private static func parseASCII(_ text: CapturedText) -> Value? {
        let parsed = text.withBytes { bytes -> ByteTable? in
            for b in bytes where b >= 0x80 || (b >= 0x09 && b <= 0x0D && b != 0x0A) { return nil }
            var lines: [Range<Int>] = []
            var start = 0
            for i in 0...bytes.count where i == bytes.count || bytes[i] == 0x0A {
                if bytes[start..<i].contains(where: { $0 != 0x20 }) { lines.append(start..<i) }
                start = i + 1
            }
            guard let headerRange = lines.first else { return .value(.list([])) }
            let header = Array(String(decoding: bytes[headerRange], as: UTF8.self))
            let words = TableColumns.words(in: header)
            for i in words.indices.dropFirst() where words[i].lowerBound - words[i - 1].upperBound == 1 { return nil }
            let columns = TableColumns.find(header: header, rows: [])
            let names = columns.map(\.name)
            let unique = Set(names).count == names.count
            if unique && TableRows.fits(bytes: bytes.count) {
                return .compact(names: names, bounds: compactBounds(bytes, lines.dropFirst(), columns))
            }
            var rows: [Value] = []
            rows.reserveCapacity(lines.count - 1)
            for range in lines.dropFirst() {
                let line = UnsafeBufferPointer(rebasing: bytes[range])
                let cells = cells(of: line, columns, space: 0x20) { cell in
                    var s = cell.startIndex, e = cell.endIndex
                    while s < e && cell[s] == 0x20 { s += 1 }
                    while e > s && cell[e - 1] == 0x20 { e -= 1 }
                    return String(decoding: cell[s..<e], as: UTF8.self)
                }
                rows.append(row(columns, cells))
            }
            return .value(.list(rows))
        }
        switch parsed {
        case nil: return nil
        case .value(let value)?: return value
        case .compact(let names, let bounds)?:
            return .list(TableRows(text: text, names: names, bounds: bounds).values)
        }
    }

    /// What the byte path read: rows built as values, or the offsets of compact rows.
    private enum ByteTable {
        case value(Value)
        case compact(names: [String], bounds: [UInt32])
    }

    /// Per row, per column: the start and end offset (in `bytes`) of the trimmed cell.
    private static func compactBounds(
        _ bytes: UnsafeBufferPointer<UInt8>, _ lines: ArraySlice<Range<Int>>, _ columns: [TableColumns.Column]
    ) -> [UInt32] {
        var bounds: [UInt32] = []
        bounds.reserveCapacity(lines.count * columns.count * 2)
        for range in lines {
            let line = UnsafeBufferPointer(rebasing: bytes[range])
            _ = cells(of: line, columns, space: 0x20) { cell -> String in
                var s = cell.startIndex, e = cell.endIndex
                while s < e && cell[s] == 0x20 { s += 1 }
                while e > s && cell[e - 1] == 0x20 { e -= 1 }
                // Indices of the rebased line start at 0: offsets in `bytes` add its start.
                bounds.append(UInt32(range.lowerBound + s))
                bounds.append(UInt32(range.lowerBound + e))
                return ""
            }
        }
        return bounds
    }

    /// The cells of one line (characters or bytes, one per column position) under the
    /// columns, made into strings by `make`.
    private static func cells<Line: RandomAccessCollection>(
        of line: Line, _ columns: [TableColumns.Column], space: Line.Element,
        make: (Line.SubSequence) -> String
    ) -> [String] where Line.Index == Int, Line.Element: Equatable {
        let count = line.count, base = line.startIndex
        var starts = [0]
        for i in columns.indices.dropFirst() {
            starts.append(max(starts[i - 1], cellStart(in: line, column: columns[i], after: columns[i - 1], space: space)))
        }
        return starts.indices.map { i in
            let start = min(starts[i], count)
            let end = i + 1 < starts.count ? min(starts[i + 1], count) : count
            return make(line[(base + start)..<(base + max(start, end))])
        }
    }

    /// Where the cell under `column` starts in a line: where its header starts, unless a word
    /// runs into that position. A word that starts after the previous header ends is a
    /// right-aligned value wider than its header (df), so the cell starts with it; a word that
    /// starts earlier belongs to the previous cell (text not aligned to the header).
    private static func cellStart<Line: RandomAccessCollection>(
        in line: Line, column: TableColumns.Column, after previous: TableColumns.Column, space: Line.Element
    ) -> Int where Line.Index == Int, Line.Element: Equatable {
        let count = line.count, base = line.startIndex
        let p = column.start
        guard p > 0, p - 1 < count, line[base + p - 1] != space else { return p }
        var wordStart = p - 1
        while wordStart > 0 && line[base + wordStart - 1] != space { wordStart -= 1 }
        if wordStart >= previous.end { return wordStart }
        var wordEnd = p
        while wordEnd < count && line[base + wordEnd] != space { wordEnd += 1 }
        return wordEnd
    }
}

private extension Substring {
    /// A tab separates like a column gap; tab-separated output is rare in the tools this reads.
    func replacingTabs() -> String { reduce(into: "") { $0 += $1 == "\t" ? "   " : String($1) } }
}

private extension String {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return String(s)
    }
}
