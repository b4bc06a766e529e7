/// What Tab does with the candidates for the word before the cursor; pure, so it can be
/// tested without a terminal.
public struct TabCompletion: Equatable, Sendable {
    /// Unicode scalars to delete before the cursor (non-zero only when the candidates do not
    /// extend the typed word and a single candidate replaces it).
    public var deleteCount: Int
    /// Text to insert at the cursor.
    public var insert: String
    /// Candidates to list under the prompt line (empty when there is nothing to show).
    public var listing: [String]

    public static let none = TabCompletion(deleteCount: 0, insert: "", listing: [])

    /// The word being completed: everything after the last space or tab before the cursor.
    public static func currentWord(in lineBeforeCursor: String) -> Substring {
        let line = lineBeforeCursor[...]
        if let space = line.lastIndex(where: { $0 == " " || $0 == "\t" }) {
            return line[line.index(after: space)...]
        }
        return line
    }

    /// One candidate: insert the rest of it and a space. Several: insert their longest common
    /// prefix and list them. None: nothing.
    public static func plan(lineBeforeCursor: String, candidates rawCandidates: [String]) -> TabCompletion {
        var seen = Set<String>()
        let candidates = rawCandidates.filter { !$0.isEmpty && seen.insert($0).inserted }
        let word = String(currentWord(in: lineBeforeCursor))
        switch candidates.count {
        case 0:
            return .none
        case 1:
            let only = candidates[0]
            if only.hasPrefix(word) {
                return TabCompletion(deleteCount: 0, insert: String(only.dropFirst(word.count)) + " ", listing: [])
            }
            return TabCompletion(deleteCount: word.unicodeScalars.count, insert: only + " ", listing: [])
        default:
            let prefix = longestCommonPrefix(candidates)
            let insert = prefix.hasPrefix(word) ? String(prefix.dropFirst(word.count)) : ""
            return TabCompletion(deleteCount: 0, insert: insert, listing: candidates.sorted())
        }
    }

    public static func longestCommonPrefix(_ words: [String]) -> String {
        guard var prefix = words.first.map({ Array($0) }) else { return "" }
        for word in words.dropFirst() {
            let characters = Array(word)
            var length = 0
            while length < prefix.count, length < characters.count, prefix[length] == characters[length] {
                length += 1
            }
            prefix.removeSubrange(length...)
        }
        return String(prefix)
    }

    /// Lays candidates out in columns, filled down then across, for a terminal `width` wide.
    public static func columns(_ words: [String], width: Int) -> String {
        guard !words.isEmpty else { return "" }
        let cell = (words.map { displayWidth($0) }.max() ?? 0) + 2
        let perRow = max(1, width / cell)
        let rows = (words.count + perRow - 1) / perRow
        var out = ""
        for row in 0..<rows {
            var line = ""
            var column = row
            while column < words.count {
                let word = words[column]
                line += word
                if column + rows < words.count {
                    line += String(repeating: " ", count: cell - displayWidth(word))
                }
                column += rows
            }
            out += line + "\n"
        }
        return out
    }

    /// Terminal columns taken by `text`: East Asian wide characters count two.
    static func displayWidth(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { width, scalar in
            let v = scalar.value
            let wide = (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v)
                || (0xAC00...0xD7A3).contains(v) || (0xF900...0xFAFF).contains(v)
                || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
                || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1FAFF).contains(v)
                || (0x20000...0x3FFFD).contains(v)
            return width + (wide ? 2 : 1)
        }
    }
}
