/// Where the columns of tabular output are, read from its header line.
///
/// Every header word starts a column, except that words one space apart usually name one
/// column: kubectl pads every column to its widest cell plus three spaces, so `NOMINATED NODE`,
/// `READINESS GATES` or `LAST SEEN` can only be one header. Tools that put a single space
/// between columns (df, ps) right-align their numbers, and the data shows it: a word of the
/// header is then a column of its own when its cells end where it ends without starting where
/// it starts (`Used Avail Use%`). A word one space from the next stays part of it when a cell
/// runs across the space between them.
struct TableColumns {
    /// A column's header as written and where that text is in the header line.
    struct Column: Equatable {
        let name: String
        let start: Int
        let end: Int
    }

    /// What the cells say about a single space between two header words.
    private enum Evidence { case oneColumn, twoColumns, unclear }

    static func find(header: [Character], rows: [[Character]]) -> [Column] {
        let words = TableColumns.words(in: header)
        guard !words.isEmpty else { return [] }
        let rowWords = rows.map { ($0, TableColumns.words(in: $0)) }
        let singleGaps = (0..<words.count - 1).filter { words[$0 + 1].lowerBound - words[$0].upperBound == 1 }
        let evidence = Dictionary(uniqueKeysWithValues: singleGaps.map { i in
            (i, TableColumns.evidence(left: words[i], right: words[i + 1], rows: rowWords))
        })
        // In a table whose columns are one space apart, a single space the cells say nothing
        // about separates columns too, except inside the last header (df's `Mounted on`).
        let spacedOut = evidence.values.contains(.twoColumns)
        var columns: [Column] = []
        var first = 0
        for i in 0..<words.count {
            let isLast = i == words.count - 1
            let breaksHere: Bool
            switch evidence[i] {
            case nil, .twoColumns?: breaksHere = true
            case .oneColumn?: breaksHere = false
            case .unclear?: breaksHere = spacedOut && i + 1 < words.count - 1
            }
            if isLast || breaksHere {
                let start = words[first].lowerBound, end = words[i].upperBound
                columns.append(Column(name: String(header[start..<end]), start: start, end: end))
                first = i + 1
            }
        }
        return columns
    }

    /// Runs of non-blank characters in a line.
    static func words(in line: [Character]) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var i = 0
        while i < line.count {
            if line[i] == " " { i += 1; continue }
            let start = i
            while i < line.count && line[i] != " " { i += 1 }
            result.append(start..<i)
        }
        return result
    }

    private static func evidence(left: Range<Int>, right: Range<Int>,
                                 rows: [(line: [Character], words: [Range<Int>])]) -> Evidence {
        let gap = left.upperBound
        var twoColumns = false
        for (line, words) in rows {
            // A word across the gap is one cell: nothing else can outweigh that.
            if words.contains(where: { $0.contains(gap) }) { return .oneColumn }
            let underLeft = words.first { $0.upperBound == left.upperBound }
            let underRight = words.first { $0.upperBound == right.upperBound && $0.lowerBound > gap }
            // Right-aligned cells end with their header but start elsewhere.
            if let w = underLeft, w.lowerBound != left.lowerBound { twoColumns = true }
            if let w = underRight, w.lowerBound != right.lowerBound { twoColumns = true }
            // Two numbers exactly as wide as their headers: right-aligned, just full.
            if underLeft == left, underRight == right, isNumber(line[left]), isNumber(line[right]) { twoColumns = true }
        }
        return twoColumns ? .twoColumns : .unclear
    }

    /// `42`, `3.5`, `17%`, `80G`, `1.5Ki`: what df and ps print in their number columns.
    private static func isNumber(_ cell: ArraySlice<Character>) -> Bool {
        var rest = cell[...]
        while let c = rest.last, "%KMGTPEkiB".contains(c) { rest = rest.dropLast() }
        guard let first = rest.first, first.isASCII, first.isNumber else { return false }
        return rest.allSatisfy { ($0.isASCII && $0.isNumber) || $0 == "." }
    }
}
