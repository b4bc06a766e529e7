/// A problem found in a runbook, pinned to a place in its source.
public struct Diagnostic: Error, Sendable, CustomStringConvertible {
    public enum Severity: String, Sendable { case error, warning, note }

    public let severity: Severity
    public let message: String
    public let location: SourceLocation?
    /// Width of the caret underline, in characters (at least 1).
    public let length: Int

    public init(_ severity: Severity = .error, _ message: String, at location: SourceLocation?, length: Int = 1) {
        self.severity = severity
        self.message = message
        self.location = location
        self.length = max(1, length)
    }

    public var description: String {
        if let location { return "\(location): \(severity.rawValue): \(message)" }
        return "\(severity.rawValue): \(message)"
    }
}

/// Several diagnostics at once: the parser and checker report everything they find.
public struct DiagnosticList: Error, Sendable {
    public let diagnostics: [Diagnostic]
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
    public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
}

extension Array where Element == Diagnostic {
    /// In source order, those without a place first; diagnostics at the same place keep
    /// their order.
    public func sortedBySource() -> [Diagnostic] {
        enumerated().sorted {
            ($0.element.location?.offset ?? -1, $0.offset) < ($1.element.location?.offset ?? -1, $1.offset)
        }.map(\.element)
    }
}
