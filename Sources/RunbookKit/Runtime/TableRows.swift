/// The rows of one table read from plain ASCII output, kept compact: the captured text once,
/// the header once, and per cell two byte offsets into the text. A row is a `Value.row` (this
/// storage and the row's index, no allocation of its own); a cell becomes a `String` only when
/// it is read.
///
/// On `kubectl get pods -A` of 100,000 pods (8.8 MB) rows as maps (a dictionary and up to six
/// string buffers per row) were most of the runner's 81 MiB peak; here the offsets are 4.8 MB
/// and the text is the capture's own storage, not a copy: 32.5 MiB peak, of which 15.8 MiB
/// is the runner's base (docs/PERFORMANCE.md, "Scale").
///
/// Thread contract: immutable after `init`, so shared freely between threads (a `foreach …
/// parallel` hands rows of one table to several).
public final class TableRows: Sendable {
    /// The captured text the offsets point into: a string (native UTF-8, so byte offsets are
    /// stable) or a spilled file's mapping.
    let text: CapturedText
    /// The column names in header order, all different (a table with a repeated header is
    /// built as maps instead).
    public let names: [String]
    /// Per row, per column: start and end byte offset of the trimmed cell.
    private let bounds: [UInt32]
    public let count: Int

    /// `bounds` holds `names.count * 2` offsets per row; offsets must fit in 32 bits (the
    /// caller keeps texts of 4 GiB and more on the map path).
    init(text: CapturedText, names: [String], bounds: [UInt32]) {
        self.text = text
        self.names = names
        self.bounds = bounds
        self.count = names.isEmpty ? 0 : bounds.count / (names.count * 2)
    }

    /// Whether offsets into a text of this many bytes fit the compact form.
    static func fits(bytes: Int) -> Bool { bytes < Int(UInt32.max) }

    /// The cell of `row` under column `column`, made a string now.
    func cell(_ row: Int, _ column: Int) -> String {
        let k = (row * names.count + column) * 2
        let start = Int(bounds[k]), end = Int(bounds[k + 1])
        switch text.storage {
        case .memory(let string):
            // O(1) index arithmetic: the text is native UTF-8, and every offset is on an ASCII byte.
            let utf8 = string.utf8
            return String(string[utf8.index(utf8.startIndex, offsetBy: start)..<utf8.index(utf8.startIndex, offsetBy: end)])
        case .file(let file):
            return file.withBytes { String(decoding: UnsafeBufferPointer(rebasing: $0[start..<end]), as: UTF8.self) }
        }
    }

    /// The cell of `row` under the column named `name`, or nil when there is no such column.
    func cell(_ row: Int, named name: String) -> String? {
        guard let column = names.firstIndex(of: name) else { return nil }
        return cell(row, column)
    }

    /// The row as an ordinary map (for equality, the journal, JSON and redaction).
    func map(_ row: Int) -> Value {
        var dict = [String: Value](minimumCapacity: names.count)
        for (column, name) in names.enumerated() { dict[name] = .string(cell(row, column)) }
        return .map(names, dict)
    }

    /// Every row, each a `Value.row` into this storage.
    var values: [Value] { (0..<count).map { .row(self, $0) } }
}

extension Value {
    /// A table row as the map it stands for; any other value as it is.
    public var materialized: Value {
        if case .row(let rows, let i) = self { return rows.map(i) }
        return self
    }

    /// The keys of a map or a table row, in order; nil for anything else.
    public var mapKeys: [String]? {
        switch self {
        case .map(let keys, _): return keys
        case .row(let rows, _): return rows.names
        default: return nil
        }
    }

    /// The entry of a map or a table row under `key` (a row's cell is read now); nil when the
    /// value is neither or has no such key.
    public func entry(_ key: String) -> Value? {
        switch self {
        case .map(_, let dict): return dict[key]
        case .row(let rows, let i): return rows.cell(i, named: key).map(Value.string)
        default: return nil
        }
    }
}
