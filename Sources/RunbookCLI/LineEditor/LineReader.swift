#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the operator's input one line at a time. The REPL talks only to this protocol, so it
/// works the same with the libedit editor on a terminal and with plain lines from a pipe.
public protocol LineReader: AnyObject {
    /// Shows `prompt` and returns the entered line without its newline; nil at end of input
    /// (Ctrl-D on an empty line, or the end of a pipe).
    func readLine(prompt: String) -> String?
    /// Remembers a line for recall with Up (and, for the editor, in the history file).
    /// `readLine` does not do this by itself, so callers can keep answers such as secrets out
    /// of the history and add a multi-line entry once it is complete.
    func addHistory(_ line: String)
}

/// Tab completion: receives the line up to the cursor, returns the candidates for the word
/// being typed (the text after the last space), each a whole word.
public typealias LineCompleter = (String) -> [String]

/// The editor when stdin is a terminal, plain lines otherwise (pipes, scripts, tests).
/// - Parameter historyFile: nil for the per-user default (`HistoryFile.defaultPath()`),
///   "" to keep history in memory only.
public func makeLineReader(historyFile: String? = nil, completer: LineCompleter? = nil) -> LineReader {
    if isatty(STDIN_FILENO) == 1,
       let editor = EditLineReader(historyFile: historyFile ?? HistoryFile.defaultPath(),
                                   completer: completer) {
        return editor
    }
    return PlainLineReader()
}
