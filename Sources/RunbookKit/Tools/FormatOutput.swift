/// The lines `runbook fmt` produces. Each line of code names the source lines it comes
/// from, so their comments are printed with it, and blank lines the author left between
/// statements are kept (at most one).
struct FormatOutput {
    enum Blank {
        /// No blank line before (the first statement of a block, `else`, choices, header lines).
        case never
        /// Always one blank line before (steps).
        case always
        /// A blank line if the source had one.
        case preserve
    }

    private let file: SourceFile
    private var comments: CommentPlacement
    private var lines: [String] = []

    init(file: SourceFile, comments: CommentPlacement) {
        self.file = file
        self.comments = comments
    }

    var text: String { lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n" }

    /// A line of code at `indent`, with the comments of `sourceLines` around it. `text` may
    /// hold newlines (a command continued with `\`); only its first line is indented.
    mutating func emit(_ text: String, indent: Int, sourceLines: [Int], blank: Blank) {
        let pad = String(repeating: " ", count: indent)
        let leading = sourceLines.flatMap { comments.takeLeading($0) }.sorted { $0.offset < $1.offset }
        var first = true
        for comment in leading {
            blankLine(first ? blank : .preserve, before: file.line(of: comment.offset))
            first = false
            lines.append(pad + FormatOutput.trimmed(comment.text))
        }
        blankLine(first ? blank : .preserve, before: sourceLines.min() ?? 0)
        let trailing = sourceLines.compactMap { comments.takeTrailing($0) }
        let suffix = trailing.map { "  " + FormatOutput.trimmed($0.text) }.joined()
        lines.append(pad + text + suffix)
    }

    /// Lines of a `$ |` script: indented under the command line, empty lines left empty.
    mutating func script(_ script: [String], indent: Int) {
        let pad = String(repeating: " ", count: indent)
        for line in script {
            lines.append(line.isEmpty ? "" : pad + line)
        }
    }

    /// Comments after the last line of code, and any whose line was never printed.
    mutating func finish(lastIndent: Int) {
        var rest = comments.takeRemaining()
        rest += comments.atEnd
        for comment in rest.sorted(by: { $0.offset < $1.offset }) {
            blankLine(.preserve, before: file.line(of: comment.offset))
            let indent = comment.indent > 0 ? lastIndent : 0
            lines.append(String(repeating: " ", count: indent) + FormatOutput.trimmed(comment.text))
        }
    }

    private mutating func blankLine(_ blank: Blank, before sourceLine: Int) {
        guard let last = lines.last, !last.isEmpty else { return }
        switch blank {
        case .never: return
        case .always: lines.append("")
        case .preserve:
            if sourceLine > 1, file.lineText(sourceLine - 1).allSatisfy({ $0 == " " || $0 == "\t" }) { lines.append("") }
        }
    }

    private static func trimmed(_ s: String) -> String {
        var s = Substring(s)
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        return String(s)
    }
}
