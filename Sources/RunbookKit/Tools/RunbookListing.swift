import Foundation

/// `runbook list`: the runbooks in a directory with their titles, parameters and purpose.
public enum RunbookListing {
    public struct Entry: Sendable, Equatable {
        public var path: String
        public var title: String
        /// `pod (required), namespace=default, token (secret, required)`.
        public var parameters: String
        /// The first description line.
        public var description: String
    }

    /// Every `*.runbook` under `directory` (hidden directories skipped), sorted by path.
    public static func entries(in directory: String) -> [Entry] {
        let base = URL(fileURLWithPath: directory)
        let enumerator = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil,
                                                        options: [.skipsHiddenFiles])
        var paths: [String] = []
        while let url = enumerator?.nextObject() as? URL {
            guard url.pathExtension == "runbook" else { continue }
            let relative = String(url.standardizedFileURL.path.dropFirst(base.standardizedFileURL.path.count))
                .drop { $0 == "/" }
            paths.append((directory as NSString).appendingPathComponent(String(relative)))
        }
        return paths.sorted().map { entry(path: $0) }
    }

    /// One file's row; a file that does not parse says so in the title column.
    public static func entry(path: String) -> Entry {
        let file: SourceFile
        switch RunbookLoader.readSource(path: path) {
        case .failure(let diagnostic):
            return Entry(path: path, title: "(cannot be read: \(diagnostic.message))", parameters: "", description: "")
        case .success(let source):
            file = source
        }
        let parsed = (try? LargeStack.run { () -> Entry? in
            guard let runbook = Parser.parse(file).runbook else { return nil }
            return Entry(path: path, title: runbook.title,
                         parameters: runbook.params.map(describe).joined(separator: ", "),
                         description: runbook.description.first ?? "")
        }) ?? nil
        return parsed ?? Entry(path: path, title: "(has errors: run 'runbook check \(path)')", parameters: "", description: "")
    }

    static func describe(_ param: Param) -> String {
        var notes: [String] = []
        if param.secret { notes.append("secret") }
        if param.isRequired { notes.append("required") }
        // A secret's default is not shown: listings end up in tickets and chat.
        let value = param.secret ? "" : param.defaultValue.map { "=" + displayValue($0) } ?? ""
        return param.name + value + (notes.isEmpty ? "" : " (\(notes.joined(separator: ", ")))")
    }

    /// A constant as an operator would type it on the command line (strings unquoted).
    static func displayValue(_ expr: Expr) -> String {
        if case .string(let template) = expr.kind, let text = template.plainText, !text.isEmpty { return text }
        return ExprPrinter(file: nil).print(expr)
    }

    /// The entries as an aligned table with a header line; cells longer than `maxWidth` are
    /// cut (nil: never).
    public static func table(_ entries: [Entry], maxWidth: Int? = 48) -> String {
        let header = ["FILE", "TITLE", "PARAMETERS", "DESCRIPTION"]
        let rows = [header] + entries.map { [$0.path, $0.title, $0.parameters, $0.description].map { cut($0, maxWidth ?? Int.max) } }
        let widths = (0..<header.count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }.joined(separator: "\n") + "\n"
    }

    private static func cut(_ text: String, _ width: Int) -> String {
        let oneLine = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return oneLine.count <= width ? oneLine : String(oneLine.prefix(width - 1)) + "…"
    }
}

private extension String {
    func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
