import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Facts about the terminal and colour, decided once per run.
struct Terminal {
    let stdoutIsTTY: Bool
    let stdinIsTTY: Bool
    let color: Bool

    init(noColor: Bool) {
        stdoutIsTTY = isatty(Output.humanOnStderr ? 2 : 1) == 1
        stdinIsTTY = isatty(0) == 1
        let env = ProcessInfo.processInfo.environment
        color = stdoutIsTTY && !noColor && env["NO_COLOR"].map { $0.isEmpty } != false && env["TERM"] != "dumb"
    }

    func paint(_ text: String, _ code: String) -> String {
        color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
    func bold(_ s: String) -> String { paint(s, "1") }
    func dim(_ s: String) -> String { paint(s, "2") }
    func red(_ s: String) -> String { paint(s, "31") }
    func green(_ s: String) -> String { paint(s, "32") }
    func yellow(_ s: String) -> String { paint(s, "33") }
    func cyan(_ s: String) -> String { paint(s, "36") }
}

/// Writes to stdout/stderr without Foundation's buffering, so lines appear as they happen.
enum Output {
    /// Set by `run --format json`: what people read goes to stderr, stdout keeps the result.
    nonisolated(unsafe) static var humanOnStderr = false

    static func out(_ text: String) {
        write(humanOnStderr ? 2 : 1, text)
    }

    /// The machine-readable result: always stdout.
    static func result(_ text: String) {
        write(1, text)
    }

    static func err(_ text: String) {
        write(2, text)
    }

    private static func write(_ fd: Int32, _ text: String) {
        var text = text
        text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return   // a closed pipe: nothing useful left to do with the text
                }
                offset += n
            }
        }
    }
}
