import CEditLine

/// Reads plain lines from stdin when it is not a terminal: no editing, no history, and no
/// decoration. The prompt is printed only when `showsPrompt` is set (off by default, so piped
/// output stays clean).
public final class PlainLineReader: LineReader {
    public var showsPrompt: Bool

    public init(showsPrompt: Bool = false) {
        self.showsPrompt = showsPrompt
    }

    public func readLine(prompt: String) -> String? {
        if showsPrompt && !prompt.isEmpty {
            rb_stdout_write(prompt)
        }
        // Swift's readLine strips "\n" and "\r\n" and repairs invalid UTF-8.
        return Swift.readLine(strippingNewline: true)
    }

    public func addHistory(_ line: String) {}
}
