import Foundation

/// One situation a runbook is tested against: the answers its commands give, the operator's
/// answers, and what the run must end with. Read from a `.scenario` file (docs/TESTING.md).
public struct Scenario: Sendable {
    public var file: SourceFile
    public var title: String
    /// The runbook's path as written, and resolved relative to the scenario file.
    public var runbookPath: String
    /// The path as written in the scenario, quotes included.
    public var runbookSpan: Span
    public var target: String?
    public var params: [Setting]
    public var answers: [Setting]
    public var commandAnswers: [CommandAnswer]
    public var expectations: [Expectation]
    /// `cluster "../../clusters/NAME"`: kubectl commands no `when` answers run for real against
    /// this fixture cluster, served by the project's API server.
    public var cluster: ClusterReference?
    /// `known-wrong "reason"`: the expectations state the right diagnosis, which the runbook does
    /// not give yet. The scenario passes while at least one expectation fails (reported as
    /// WRONG), and fails once they all hold, so the marker is removed when the runbook is fixed.
    public var knownWrong: KnownWrong?

    public var path: String { file.path }
    public var runbookOffset: Int { runbookSpan.start }

    /// The runbook file, relative to the scenario's directory unless absolute.
    public var resolvedRunbookPath: String { CheckedRunbook.resolve(runbookPath, from: file.path) }

    /// The cluster directory as written (`span` covers the quoted path) and resolved relative
    /// to the scenario file.
    public struct ClusterReference: Sendable {
        public var path: String
        public var span: Span
        public var resolvedPath: String
    }

    public struct KnownWrong: Sendable {
        public var reason: String
        public var offset: Int
    }

    /// `param name = value` or `answer id = choice`.
    public struct Setting: Sendable {
        public var name: String
        public var value: String
        public var nameSpan: Span
        public var offset: Int { nameSpan.start }
    }
}

/// Text that an actual value must equal, or a regular expression it must contain a match of.
public enum TextMatch: Sendable, CustomStringConvertible {
    case exact(String)
    case regex(String)

    public func matches(_ text: String) -> Bool {
        switch self {
        case .exact(let expected): return text == expected
        case .regex(let pattern):
            guard let regex = try? RegexCache.shared.regex(pattern) else { return false }
            // Bounded like the runbook's own matching: a pattern that backtracks for ever
            // counts as not matching (the expectation fails) instead of hanging the test.
            return (try? BoundedMatch.firstMatch(regex, in: text)) != nil
        }
    }

    public var description: String {
        switch self {
        case .exact(let s): return ScenarioText.quoted(s)
        case .regex(let p): return "~ \(ScenarioText.quoted(p))"
        }
    }
}

/// A `when` block: which command it answers and what the command "does".
public struct CommandAnswer: Sendable {
    public enum Pattern: Sendable {
        /// The command text as written in the runbook (compared line by line, see `matches`).
        case exact(String)
        case regex(String)
    }

    public var pattern: Pattern
    /// Only commands run on this host; "localhost" stands for commands run on this machine.
    public var host: String?
    public var stdout = ""
    public var stderr = ""
    public var exitCode: Int32 = 0
    public var timedOut = false
    public var unreachable = false
    /// Answers every matching command, however many times it runs.
    public var repeats = false
    /// Where the `when` line is, for "unused answer at file:line".
    public var offset: Int

    public init(pattern: Pattern, offset: Int) {
        self.pattern = pattern
        self.offset = offset
    }

    public func matches(script: String, host requestHost: String?) -> Bool {
        if let host, host != CommandAnswer.hostName(requestHost) { return false }
        switch pattern {
        case .exact(let text): return CommandAnswer.normalized(text) == CommandAnswer.normalized(script)
        case .regex(let pattern): return TextMatch.regex(pattern).matches(script)
        }
    }

    /// How a request's host is named in `on "…"`: local commands are "localhost".
    static func hostName(_ host: String?) -> String {
        guard let host, !host.isEmpty, host != "local" else { return "localhost" }
        return host
    }

    /// Lines without their indentation and trailing spaces: the runbook and the scenario
    /// indent continuation lines and `$ |` scripts differently.
    static func normalized(_ script: String) -> [Substring] {
        script.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            var s = line[...]
            while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
            while let c = s.last, c == " " || c == "\t" || c == "\r" { s.removeLast() }
            return s
        }
    }

    /// The `when` line as a short description: `$ text` or `~ "regex"`.
    public var summary: String {
        let head: String
        switch pattern {
        case .exact(let text): head = "$ " + (text.split(separator: "\n").first.map(String.init) ?? text)
        case .regex(let p): head = "~ " + ScenarioText.quoted(p)
        }
        return head + (host.map { " on \(ScenarioText.quoted($0))" } ?? "")
    }
}

/// One `expect` line.
public struct Expectation: Sendable {
    public enum Kind: Sendable {
        case conclusion(TextMatch)
        case failure(TextMatch)
        /// concluded, completed, failed or aborted.
        case status(String)
        case steps([String])
        case findingCount(Int)
        case finding(TextMatch)
        case confirmation(TextMatch)
        /// ok, problem or unknown: what the run found out.
        case severity(Severity)
        /// The exit code `runbook run` would give.
        case exitCode(Int32)
    }

    public var kind: Kind
    public var offset: Int

    public static let statuses = ["concluded", "completed", "failed", "aborted"]
}

/// Quoting for messages about scenarios.
enum ScenarioText {
    static func quoted(_ s: String) -> String {
        var out = "\""
        for c in s {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.append(c)
            }
        }
        return out + "\""
    }
}
