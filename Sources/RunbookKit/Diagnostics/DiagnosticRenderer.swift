/// Renders diagnostics the way compilers do: `file:line:col: error: message`, the source line,
/// and a caret under the offending text.
public struct DiagnosticRenderer {
    public var color: Bool

    public init(color: Bool) { self.color = color }

    public func render(_ diagnostic: Diagnostic) -> String {
        let (on, off) = colorCodes(diagnostic.severity)
        guard let location = diagnostic.location else {
            return "\(on)\(diagnostic.severity.rawValue):\(off) \(diagnostic.message)\n"
        }
        let lineText = location.file.lineText(location.line)
        // Tabs in the source line would misplace the caret; show them as single spaces.
        var shown = lineText.map { $0 == "\t" ? " " : $0 }
        var col = location.column
        // A very long line is shown as a window around the column, not whole.
        let window = 120
        if shown.count > window {
            let start = max(0, min(col - 1 - window / 2, shown.count - window))
            shown = (start > 0 ? ["…"] : []) + Array(shown[start..<min(shown.count, start + window)]) + (start + window < shown.count ? ["…"] : [])
            col = col - start + (start > 0 ? 1 : 0)
        }
        let width = min(diagnostic.length, max(1, shown.count - col + 1))
        let caret = String(repeating: " ", count: max(0, col - 1)) + "^" + String(repeating: "~", count: max(0, width - 1))
        let bold = color ? "\u{1B}[1m" : ""
        let reset = color ? "\u{1B}[0m" : ""
        return "\(bold)\(location):\(reset) \(on)\(diagnostic.severity.rawValue):\(off) \(bold)\(diagnostic.message)\(reset)\n"
            + "  \(String(shown))\n  \(on)\(caret)\(off)\n"
    }

    private func colorCodes(_ severity: Diagnostic.Severity) -> (String, String) {
        guard color else { return ("", "") }
        switch severity {
        case .error: return ("\u{1B}[1;31m", "\u{1B}[0m")
        case .warning: return ("\u{1B}[1;33m", "\u{1B}[0m")
        case .note: return ("\u{1B}[1;36m", "\u{1B}[0m")
        }
    }
}
