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
    static func code(_ text: String) -> String {
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

    /// Plain text: characters that would start Markdown syntax mid-line are escaped; line
    /// breaks become spaces. Pipes are left to `cell`, for text that goes into a table.
    static func inline(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\n", "\r\n", "\r": out += " "
            case "*", "_", "`", "[", "]", "<", ">", "\\": out += "\\" + String(character)
            default: out.append(character)
            }
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
