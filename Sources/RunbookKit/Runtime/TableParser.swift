/// Splits tabular command output (kubectl get, df, ps) into rows keyed by header.
///
/// Columns are found from the header (`TableColumns`), not by splitting on whitespace: cells
/// may contain spaces (kubectl's `3 (2m ago)`, `Ubuntu 22.04.5 LTS`), may be blank in any
/// column (ENDPOINTS of a Service whose pods are not ready, VOLUME of a pending claim), and
/// may be right-aligned and wider than their header (df's numbers). The last column runs to
/// the end of each line (event messages).
enum TableParser {
    static func parse(_ text: String) -> Value {
        let lines = text.split(whereSeparator: \.isNewline)
            .map { Array($0.replacingTabs()) }
            .filter { !$0.allSatisfy { $0 == " " } }
        guard let header = lines.first else { return .list([]) }
        let rows = Array(lines.dropFirst())
        let columns = TableColumns.find(header: header, rows: rows)
        return .list(rows.map { line in
            .map(zip(columns, cells(of: line, columns)).map { column, cell in (column.name, .string(cell)) })
        })
    }

    /// The cells of one line under the columns, trimmed.
    static func cells(of line: [Character], _ columns: [TableColumns.Column]) -> [String] {
        var starts = [0]
        for i in columns.indices.dropFirst() {
            starts.append(max(starts[i - 1], cellStart(in: line, column: columns[i], after: columns[i - 1])))
        }
        return starts.indices.map { i in
            let start = min(starts[i], line.count)
            let end = i + 1 < starts.count ? min(starts[i + 1], line.count) : line.count
            return String(line[start..<max(start, end)]).trimmingCharacters(in: " ")
        }
    }

    /// Where the cell under `column` starts in a line: where its header starts, unless a word
    /// runs into that position. A word that starts after the previous header ends is a
    /// right-aligned value wider than its header (df), so the cell starts with it; a word that
    /// starts earlier belongs to the previous cell (text not aligned to the header).
    private static func cellStart(in line: [Character], column: TableColumns.Column,
                                  after previous: TableColumns.Column) -> Int {
        let p = column.start
        guard p > 0, p - 1 < line.count, line[p - 1] != " " else { return p }
        var wordStart = p - 1
        while wordStart > 0 && line[wordStart - 1] != " " { wordStart -= 1 }
        if wordStart >= previous.end { return wordStart }
        var wordEnd = p
        while wordEnd < line.count && line[wordEnd] != " " { wordEnd += 1 }
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
