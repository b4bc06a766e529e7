/// Splits one line of a scenario file into tokens. Scenario files are line-oriented: a
/// keyword, its values, an optional `# comment`; `$ …` and `| …` take the rest of the line.
struct ScenarioToken {
    enum Kind { case word, string, symbol, command, text }

    let kind: Kind
    /// Unescaped content for strings; the raw rest of the line for `$` and `|`.
    let text: String
    let offset: Int
    let length: Int

    var span: Span { Span(start: offset, length: length) }

    func isWord(_ w: String) -> Bool { kind == .word && text == w }
    func isSymbol(_ s: String) -> Bool { kind == .symbol && text == s }
}

/// A non-blank, non-comment line with its tokens.
struct ScenarioLine {
    /// 0-based index into the file's line table.
    let index: Int
    let indent: Int
    /// Byte offset of the first character after the indentation.
    let start: Int
    let tokens: [ScenarioToken]
}

struct ScenarioLexer {
    let file: SourceFile
    private var bytes: [UInt8] { file.bytes }

    init(file: SourceFile) { self.file = file }

    func lineEnd(_ index: Int) -> Int {
        var end = index + 1 < file.lineStarts.count ? file.lineStarts[index + 1] - 1 : file.bytes.count
        if end > file.lineStarts[index], file.bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return end
    }

    func text(_ from: Int, _ to: Int) -> String {
        String(decoding: file.bytes[from..<to], as: UTF8.self)
    }

    /// The line's tokens, or nil for a blank or comment-only line.
    func line(_ index: Int) throws -> ScenarioLine? {
        let start = file.lineStarts[index]
        let end = lineEnd(index)
        var p = start
        while p < end, bytes[p] == UInt8(ascii: " ") || bytes[p] == UInt8(ascii: "\t") {
            if bytes[p] == UInt8(ascii: "\t") { throw error("tab in indentation: indent with spaces", at: p) }
            p += 1
        }
        if p >= end || bytes[p] == UInt8(ascii: "#") { return nil }
        return ScenarioLine(index: index, indent: p - start, start: p, tokens: try tokens(from: p, to: end))
    }

    func error(_ message: String, at offset: Int, length: Int = 1) -> Diagnostic {
        Diagnostic(.error, message, at: file.location(offset), length: length)
    }

    private func tokens(from start: Int, to end: Int) throws -> [ScenarioToken] {
        var result: [ScenarioToken] = []
        var p = start
        while p < end {
            let b = bytes[p]
            if b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") { p += 1; continue }
            if b == UInt8(ascii: "#") { break }
            if b == UInt8(ascii: "|") && p == start {
                // A text line: `| text` (one space after the bar is not part of the text).
                var q = p + 1
                if q < end, bytes[q] == UInt8(ascii: " ") { q += 1 }
                result.append(ScenarioToken(kind: .text, text: text(q, end), offset: p, length: end - p))
                break
            }
            if b == UInt8(ascii: "$"), p + 1 >= end || bytes[p + 1] == UInt8(ascii: " ") {
                let q = min(p + 2, end)
                result.append(ScenarioToken(kind: .command, text: text(q, end), offset: p, length: end - p))
                break
            }
            if b == UInt8(ascii: "\"") {
                let (value, next) = try string(from: p, to: end)
                result.append(ScenarioToken(kind: .string, text: value, offset: p, length: next - p))
                p = next
                continue
            }
            if b == UInt8(ascii: "=") || b == UInt8(ascii: "~") || b == UInt8(ascii: ",") {
                result.append(ScenarioToken(kind: .symbol, text: text(p, p + 1), offset: p, length: 1))
                p += 1
                continue
            }
            var q = p
            while q < end, !ScenarioLexer.wordEnds.contains(bytes[q]) { q += 1 }
            result.append(ScenarioToken(kind: .word, text: text(p, q), offset: p, length: q - p))
            p = q
        }
        return result
    }

    private static let wordEnds: Set<UInt8> = Set(" \t\"=,".utf8)

    /// A double-quoted string. `\"`, `\\`, `\n` and `\t` are escapes; any other backslash is
    /// kept, so a regular expression can be written as `"\d+"`.
    private func string(from start: Int, to end: Int) throws -> (String, Int) {
        var out: [UInt8] = []
        var p = start + 1
        while p < end {
            let c = bytes[p]
            if c == UInt8(ascii: "\"") { return (String(decoding: out, as: UTF8.self), p + 1) }
            if c == UInt8(ascii: "\\"), p + 1 < end {
                switch bytes[p + 1] {
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
                default: out += [c, bytes[p + 1]]
                }
                p += 2
                continue
            }
            out.append(c)
            p += 1
        }
        throw error("unterminated string: add a closing \"", at: start, length: end - start)
    }
}
