/// A runbook's tokens, for what the AST does not keep: the line a keyword such as `else` is
/// on, a duration as it was written, whether a command was a `$ |` block.
struct SourceTokens {
    let file: SourceFile
    /// Tokens with text (no NEWLINE, INDENT, DEDENT or EOF), in source order.
    let tokens: [Token]
    /// Indexes into `tokens` of the first token on each line.
    let lineInitial: [Int]

    init(file: SourceFile) {
        self.file = file
        var lexer = Lexer(file: file)
        let all = lexer.tokenize().tokens
        tokens = all.filter { ![.newline, .indent, .dedent, .eof].contains($0.kind) }
        var initial: [Int] = []
        var previousLine = 0
        for (i, token) in tokens.enumerated() {
            let line = file.line(of: token.offset)
            if line != previousLine { initial.append(i) }
            // A command may run over several lines (`\`, `$ |`); what follows starts a new line.
            previousLine = file.line(of: token.offset + max(0, token.length - 1))
            if token.kind == .command { previousLine = Int.max }
        }
        lineInitial = initial
    }

    func line(_ offset: Int) -> Int { file.line(of: offset) }

    /// Index of the first token at or after `offset`.
    func index(atOrAfter offset: Int) -> Int {
        var lo = 0, hi = tokens.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if tokens[mid].offset < offset { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// The first token after `offset`, if any.
    func token(after offset: Int) -> Token? {
        let i = index(atOrAfter: offset + 1)
        return i < tokens.count ? tokens[i] : nil
    }

    /// Line-initial tokens in `[from, to)`.
    func lineStarts(from: Int, to: Int) -> [Token] {
        // lineInitial is in offset order: find the first at or after `from`, then walk.
        var lo = 0, hi = lineInitial.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if tokens[lineInitial[mid]].offset < from { lo = mid + 1 } else { hi = mid }
        }
        var result: [Token] = []
        while lo < lineInitial.count, tokens[lineInitial[lo]].offset < to {
            result.append(tokens[lineInitial[lo]])
            lo += 1
        }
        return result
    }

    /// The duration after the word `keyword` in `[from, to)` as written (`30s`); a bare
    /// number of seconds becomes `Ns`.
    func duration(after keyword: String, from: Int, to: Int) -> String? {
        var i = index(atOrAfter: from)
        while i + 1 < tokens.count, tokens[i].offset < to {
            if tokens[i].isWord(keyword) {
                let value = tokens[i + 1]
                if value.kind == .duration { return value.text }
                if value.kind == .number { return value.text + "s" }
            }
            i += 1
        }
        return nil
    }

    /// Whether the command starting at or after `offset` was written as a `$ |` block.
    func isBlockCommand(at offset: Int) -> Bool {
        guard let command = tokens[index(atOrAfter: offset)...].first(where: { $0.kind == .command }) else { return false }
        let lineText = file.lineText(line(command.offset))
        let start = file.column(of: command.offset)   // 1-based column of `$`
        let afterDollar = lineText.dropFirst(start)
        return afterDollar.trimmingCharacters(in: .whitespaces) == "|"
    }
}

import Foundation
