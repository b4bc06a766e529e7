/// Escaping for text placed into Markdown that must survive being pasted into a ticket.
enum ReportMarkdownText {
    /// Text for a table cell: no line breaks, pipes escaped.
    static func cell(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "\n", "\r\n", "\r": out += " "
            case "|": out += "\\|"
            default: out.append(character)
            }
        }
        return out
    }

    /// Inline code that may itself contain backticks: the fence is one backtick longer than
    /// the longest run inside, padded with spaces when the text starts or ends with one.
    /// Line breaks become spaces (a code span cannot hold one) and control characters are
    /// dropped; an empty text is shown as *empty*, not as an empty span.
    static func code(_ text: String) -> String {
        let text = VisibleText.forReport(text.replacingOccurrences(of: "\r\n", with: " ")
            .replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " "))
        if text.isEmpty { return "*empty*" }
        let fence = String(repeating: "`", count: longestBacktickRun(text) + 1)
        let pad = text.hasPrefix("`") || text.hasSuffix("`") ? " " : ""
        return fence + pad + text + pad + fence
    }

    /// A fenced block for output excerpts; the fence outgrows any backtick run inside.
    static func block(_ lines: [String], language: String = "text") -> String {
        let body = lines.joined(separator: "\n")
        let fence = String(repeating: "`", count: max(3, longestBacktickRun(body) + 1))
        return fence + language + "\n" + body + "\n" + fence + "\n"
    }

    /// Plain text: characters that would start Markdown or HTML are escaped, wherever they
    /// stand (a host name cannot become a tag, a conclusion starting with "# " cannot become
    /// a heading); line breaks become spaces; control characters are dropped. Pipes are left
    /// to `cell`, for text that goes into a table.
    static func inline(_ text: String) -> String {
        var out = ""
        let oneLine = text.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ")
            .replacingOccurrences(of: "\r", with: " ")
        for character in VisibleText.forReport(oneLine) {
            switch character {
            case "\n", "\r\n", "\r": out += " "
            case "*", "_", "`", "[", "]", "<", ">", "\\", "#", "~", "!": out += "\\" + String(character)
            case "&": out += "&amp;"
            default: out.append(character)
            }
        }
        // A line that starts with these is a list item or a rule in Markdown.
        if let first = out.first, "-+=".contains(first) { out = "\\" + out }
        if let dot = out.firstIndex(where: { !$0.isNumber }), dot != out.startIndex, ".)".contains(out[dot]) {
            out.insert("\\", at: dot)
        }
        return out
    }

    /// The first line of a (possibly multi-line) command, with a marker when more follow.
    static func firstLine(_ text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        guard let first = lines.first else { return text }
        return lines.count > 1 ? first + " …" : String(first)
    }

    private static func longestBacktickRun(_ text: String) -> Int {
        var longest = 0
        var current = 0
        for character in text {
            if character == "`" {
                current += 1
                longest = max(longest, current)
            } else {
                current = 0
            }
        }
        return longest
    }
}
