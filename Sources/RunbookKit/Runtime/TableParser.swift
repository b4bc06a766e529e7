/// Splits tabular command output (kubectl get, df, ps) into rows keyed by header.
///
/// Cells may contain spaces and may be right-aligned (df), so columns are not found by
/// splitting on whitespace. A column boundary is a run of character positions that is blank
/// in every line. A segment whose header is empty (spaces inside a last-column message) or
/// whose cells are all empty (the "on" of df's "Mounted on") joins the segment before it.
enum TableParser {
    static func parse(_ text: String) -> Value {
        let lines = text.split(whereSeparator: \.isNewline)
            .map { Array($0.replacingTabs()) }
            .filter { !$0.allSatisfy { $0 == " " } }
        guard let header = lines.first else { return .list([]) }
        let width = lines.map(\.count).max() ?? 0
        var blank = [Bool](repeating: true, count: width)
        for line in lines {
            for (i, c) in line.enumerated() where c != " " { blank[i] = false }
        }
        // Segments: maximal runs of non-blank positions.
        var segments: [(start: Int, end: Int)] = []
        var i = 0
        while i < width {
            if blank[i] { i += 1; continue }
            let start = i
            while i < width && !blank[i] { i += 1 }
            segments.append((start, i))
        }
        func cell(_ line: [Character], _ s: Int, _ e: Int) -> String {
            guard s < line.count else { return "" }
            return String(line[s..<min(e, line.count)]).trimmingCharacters(in: " ")
        }
        var columns: [(start: Int, end: Int)] = []
        for seg in segments {
            let headerText = cell(header, seg.start, seg.end)
            let dataEmpty = lines.dropFirst().allSatisfy { cell($0, seg.start, seg.end).isEmpty }
            if let last = columns.last, headerText.isEmpty || (dataEmpty && lines.count > 1) {
                columns[columns.count - 1] = (last.start, seg.end)
            } else {
                columns.append(seg)
            }
        }
        // The last column runs to the end of each line (free text such as event messages).
        let names = columns.enumerated().map { (n, col) in
            cell(header, col.start, n == columns.count - 1 ? width : col.end)
        }
        var rows: [Value] = []
        for line in lines.dropFirst() {
            var pairs: [(String, Value)] = []
            for (n, col) in columns.enumerated() {
                let end = n == columns.count - 1 ? max(line.count, col.end) : col.end
                pairs.append((names[n], .string(cell(line, col.start, end))))
            }
            rows.append(.map(pairs))
        }
        return .list(rows)
    }
}

private extension Substring {
    /// Tabs become single spaces; tab-separated output is rare in the tools this reads.
    func replacingTabs() -> String { String(map { $0 == "\t" ? " " : $0 }) }
}

private extension String {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return String(s)
    }
}
