/// Warnings for mistakes that parse and check but do something else than was meant: braces
/// in shell text, `$name` in a runbook string, a modifier written after the command.
extension Checker {
    /// `{pod}` in shell text reaches the shell as it is: runbook values are environment
    /// variables there. Shell (`${pod}`) and kubectl jsonpath (`{.items[0]}`, `{range …}`,
    /// `{"\n"}`) braces are not names, so they are left alone.
    mutating func checkCommandText(_ command: Command, scope: [String]) {
        let script = Array(command.script.utf8)
        let offsets = Checker.sourceOffsets(of: command, in: file)
        let usesRange = command.script.contains("{range")
        var i = 0
        while i < script.count {
            defer { i += 1 }
            guard script[i] == UInt8(ascii: "{"), i == 0 || script[i - 1] != UInt8(ascii: "$") else { continue }
            var j = i + 1
            while j < script.count, Checker.isNameByte(script[j], first: j == i + 1) { j += 1 }
            guard j > i + 1, j < script.count, script[j] == UInt8(ascii: "}") else { continue }
            let name = String(decoding: script[(i + 1)..<j], as: UTF8.self)
            guard isKnownName(name, scope: scope), !(usesRange && name == "end"), let at = offsets(i) else { continue }
            warning("'{\(name)}' reaches the shell as the text {\(name)}: in a command, runbook values are environment variables; write \"$\(name)\"",
                    at: Span(start: at, length: j - i + 1))
        }
        checkTrailingModifier(command, scope: scope, offsets: offsets)
    }

    /// `$ uptime on node`: the modifier became shell text. Only the last words of a one-line
    /// command are looked at, and `on` only with a name the runbook knows.
    private mutating func checkTrailingModifier(_ command: Command, scope: [String], offsets: (Int) -> Int?) {
        let script = command.script
        guard !script.contains("\n") else { return }
        var trimmed = Substring(script)
        while trimmed.last == " " { trimmed.removeLast() }
        let words = trimmed.split(separator: " ", omittingEmptySubsequences: true)
        guard words.count >= 2 else { return }
        var modifier: Substring?
        let last = words[words.count - 1], before = words[words.count - 2]
        if before == "on", Checker.isName(last), isKnownName(String(last), scope: scope) {
            modifier = script[before.startIndex..<last.endIndex]
        } else if before == "timeout", Checker.isDuration(last) {
            modifier = script[before.startIndex..<last.endIndex]
        } else if last == "confirm" {
            modifier = last
        }
        guard let modifier else { return }
        let commandPart = script[..<modifier.startIndex].trimmingTrailingSpaces()
        guard !commandPart.isEmpty else { return }
        let start = script.utf8.distance(from: script.startIndex, to: modifier.startIndex)
        guard let at = offsets(start) else { return }
        warning("'\(modifier)' after the command is shell text, not a modifier: write it before the '$': \(modifier) $ \(commandPart)",
                at: Span(start: at, length: modifier.utf8.count))
    }

    /// `$pod` in a message is printed as it is: runbook strings interpolate `{pod}`.
    mutating func checkDollarNames(_ template: Template, scope: [String]) {
        let raw = Array(template.raw.utf8)
        // The raw text starts after the opening quote; a bare `confirm` has no quotes.
        guard !raw.isEmpty, template.span.length >= raw.count + 2 else { return }
        let base = template.span.start + 1
        var depth = 0
        var i = 0
        while i < raw.count {
            let b = raw[i]
            if b == UInt8(ascii: "\\") { i += 2; continue }
            if b == UInt8(ascii: "{") { depth += 1 } else if b == UInt8(ascii: "}") { depth = max(0, depth - 1) }
            guard depth == 0, b == UInt8(ascii: "$"), i + 1 < raw.count else { i += 1; continue }
            let braced = raw[i + 1] == UInt8(ascii: "{")
            var j = braced ? i + 2 : i + 1
            let nameStart = j
            while j < raw.count, Checker.isNameByte(raw[j], first: j == nameStart) { j += 1 }
            let name = String(decoding: raw[nameStart..<j], as: UTF8.self)
            if braced { guard j < raw.count, raw[j] == UInt8(ascii: "}") else { i = j; continue }; j += 1 }
            if j > nameStart, isKnownName(name, scope: scope) {
                warning("'\(String(decoding: raw[i..<j], as: UTF8.self))' is printed as it is: runbook strings show a value with {\(name)}",
                        at: Span(start: base + i, length: j - i))
            }
            i = max(j, i + 1)
        }
    }

    func isKnownName(_ name: String, scope: [String]) -> Bool {
        definedNames.contains(name) || scope.contains(name)
    }

    static func isNameByte(_ b: UInt8, first: Bool) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || b == UInt8(ascii: "_") || (!first && b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
    }

    static func isName<S: StringProtocol>(_ word: S) -> Bool {
        let bytes = Array(word.utf8)
        return !bytes.isEmpty && bytes.enumerated().allSatisfy { isNameByte($1, first: $0 == 0) }
    }

    static func isDuration<S: StringProtocol>(_ word: S) -> Bool {
        let digits = word.prefix { $0.isNumber || $0 == "." }
        return !digits.isEmpty && ["ms", "s", "m", "h"].contains(String(word.dropFirst(digits.count)))
    }

    /// Maps a byte offset in a command's script to its offset in the file. The script is the
    /// source text line by line (a block script without its common indentation), so each of
    /// its lines is found in the file after the previous one.
    static func sourceOffsets(of command: Command, in file: SourceFile) -> (Int) -> Int? {
        let bytes = file.bytes
        var lineStarts: [(script: Int, source: Int?)] = []
        var cursor = command.span.start
        var scriptOffset = 0
        for line in command.script.split(separator: "\n", omittingEmptySubsequences: false) {
            let needle = Array(line.utf8)
            var found: Int?
            if !needle.isEmpty {
                var p = cursor
                while p + needle.count <= bytes.count {
                    if bytes[p] == needle[0], Array(bytes[p..<(p + needle.count)]) == needle { found = p; break }
                    p += 1
                }
            }
            lineStarts.append((scriptOffset, found))
            if let found { cursor = found + needle.count }
            scriptOffset += needle.count + 1
        }
        return { offset in
            guard let line = lineStarts.last(where: { $0.script <= offset }), let source = line.source else { return nil }
            return source + (offset - line.script)
        }
    }
}

private extension Substring {
    func trimmingTrailingSpaces() -> Substring {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}

extension Stmt {
    /// The runbook strings the statement shows the operator: messages, conclusions, questions.
    var messages: [Template] {
        switch kind {
        case .command(_, let command): return [command.confirm].compactMap { $0 }
        case .expect(_, let message, _), .require(_, let message): return [message]
        case .retry(_, _, _, _, let elseMessage, _): return [elseMessage].compactMap { $0 }
        case .ask(_, let question, _): return [question]
        case .conclude(let t, _), .fail(let t), .print(let t), .confirm(let t): return [t]
        case .assign, .export, .call, .ifElse, .foreach, .goto: return []
        }
    }
}
