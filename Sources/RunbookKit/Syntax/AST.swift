/// The parsed form of a runbook. Nodes keep the spans they came from (`Span`, in UTF-8 bytes),
/// and separately the spans of the parts a diagnostic underlines (a step's id, a `goto`
/// target, a call's path …), so the checker and the interpreter can point at the source.
/// A node's `offset` is its span's start, for code that only needs the line.

public struct Runbook: Sendable {
    public var file: SourceFile
    public var title: String
    /// The title as written, quotes included.
    public var titleSpan: Span
    public var description: [String]
    public var params: [Param]
    public var shell: String?
    public var timeout: Double?
    public var sshOptions: [String]
    public var steps: [Step]
    public var comments: [Comment]
    /// `library "…"` instead of `runbook "…"`: parameters, `env` and `prelude` for others to `use`.
    public var isLibrary = false
    /// `use "lib/x.runbook"` lines, in order.
    public var uses: [Use] = []
    /// `env NAME = EXPR` lines of this file (not of the libraries it uses).
    public var environment: [EnvSetting] = []
    /// `prelude |` blocks of this file.
    public var preludes: [Prelude] = []

    public func step(_ id: String) -> Step? { steps.first { $0.id == id } }
}

/// `use "path"`: a library whose parameters, `env` and `prelude` this file takes.
public struct Use: Sendable, Equatable {
    public var path: String
    /// From `use` to the path.
    public var span: Span
    /// The path as written, quotes included.
    public var pathSpan: Span
}

/// `env NAME = EXPR`: every command gets NAME in its environment, with the value of EXPR.
public struct EnvSetting: Sendable, Equatable {
    public var name: String
    public var value: Expr
    public var span: Span
    public var nameSpan: Span
}

/// `prelude |` and an indented block of shell text, put in front of every command's script.
public struct Prelude: Sendable, Equatable {
    public var script: String
    public var span: Span
}

public struct Param: Sendable, Equatable {
    public var name: String
    public var defaultValue: Expr?
    public var help: String?
    public var secret: Bool
    /// The whole line, from `secret` or `param` to the help text.
    public var span: Span
    public var nameSpan: Span
    public var isRequired: Bool { defaultValue == nil }
    public var offset: Int { span.start }
}

public struct Step: Sendable {
    public var id: String
    public var title: String
    public var host: Expr?
    public var body: [Stmt]
    /// The step's line, from `step` to its title or host.
    public var span: Span
    public var idSpan: Span
    public var offset: Int { span.start }
}

/// Text with `{expr}` holes, as written in the runbook's own strings.
public struct Template: Sendable, Equatable {
    public enum Part: Sendable, Equatable {
        case text(String)
        case expr(Expr)
    }
    public var parts: [Part]
    /// The literal as written (between the quotes), for printing and formatting.
    public var raw: String
    /// The literal, quotes included (for a bare `confirm` modifier: the word `confirm`).
    public var span: Span
    /// Each `{…}` hole, braces included, in the order of the `.expr` parts.
    public var holeSpans: [Span] = []
    public var offset: Int { span.start }

    public static func == (a: Template, b: Template) -> Bool { a.parts == b.parts }

    /// The text when the template has no holes.
    public var plainText: String? {
        if parts.isEmpty { return "" }
        if parts.count == 1, case .text(let t) = parts[0] { return t }
        return nil
    }
}

public struct Command: Sendable, Equatable {
    public var script: String
    public var host: Expr?
    public var timeout: Double?
    /// Present when the command needs the operator's confirmation; the text may be empty.
    public var confirm: Template?
    public var quiet: Bool
    public var allowFail: Bool
    /// `allow-unreachable`: run even on a host that was unreachable earlier in the run, and
    /// let the runbook handle an unreachable result instead of ending the step.
    public var allowUnreachable: Bool
    /// From the first modifier (or `$`) to the end of the shell text.
    public var span: Span
    /// The duration after `timeout`, and `confirm` with its question, when written.
    public var timeoutSpan: Span?
    public var confirmSpan: Span?
    public var offset: Int { span.start }

    public init(script: String, host: Expr?, timeout: Double?, confirm: Template?, quiet: Bool, allowFail: Bool,
                allowUnreachable: Bool = false, span: Span, timeoutSpan: Span? = nil, confirmSpan: Span? = nil) {
        self.script = script
        self.host = host
        self.timeout = timeout
        self.confirm = confirm
        self.quiet = quiet
        self.allowFail = allowFail
        self.allowUnreachable = allowUnreachable
        self.span = span
        self.timeoutSpan = timeoutSpan
        self.confirmSpan = confirmSpan
    }

    /// A command that has no place in a file (typed at the REPL); errors point at `offset`.
    /// The older form of the initializer above, kept for the interpreter's ad-hoc commands.
    public init(script: String, host: Expr?, timeout: Double?, confirm: Template?, quiet: Bool, allowFail: Bool,
                allowUnreachable: Bool = false, offset: Int) {
        self.init(script: script, host: host, timeout: timeout, confirm: confirm, quiet: quiet, allowFail: allowFail,
                  allowUnreachable: allowUnreachable, span: Span(start: offset, length: 0))
    }

    public static func == (a: Command, b: Command) -> Bool {
        a.script == b.script && a.host == b.host && a.timeout == b.timeout && a.confirm == b.confirm
            && a.quiet == b.quiet && a.allowFail == b.allowFail && a.allowUnreachable == b.allowUnreachable
    }
}

public struct Call: Sendable, Equatable {
    /// `name=value` after the path.
    public struct Argument: Sendable {
        public var name: String
        public var value: Expr
        public var nameSpan: Span
    }

    public var path: String
    public var host: Expr?
    public var arguments: [Argument]
    /// From `run` to the last argument.
    public var span: Span
    /// The path as written, quotes included.
    public var pathSpan: Span
    public var offset: Int { span.start }

    public static func == (a: Call, b: Call) -> Bool {
        a.path == b.path && a.host == b.host && a.arguments.count == b.arguments.count
            && zip(a.arguments, b.arguments).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}

public struct Choice: Sendable, Equatable {
    public var label: String
    public var body: [Stmt]
    public var labelSpan: Span
    public var offset: Int { labelSpan.start }

    public static func == (a: Choice, b: Choice) -> Bool { a.label == b.label && a.body == b.body }
}

public struct Stmt: Sendable, Equatable {
    public indirect enum Kind: Sendable, Equatable {
        case command(capture: String?, Command)
        case assign(name: String, value: Expr)
        /// `export NAME = EXPR`: an assignment that a caller reads from the capture of its
        /// `run` (`r = run "x.runbook"` … `r.NAME`).
        case export(name: String, value: Expr)
        case call(capture: String?, Call)
        case expect(Expr, message: Template, severity: FindingSeverity)
        case require(Expr, message: Template)
        case ifElse(branches: [Branch], elseBody: [Stmt]?)
        case foreach(variable: String, list: Expr, parallel: Int?, body: [Stmt])
        case retry(count: Int, every: Double?, backoff: Bool, until: Expr, elseMessage: Template?, body: [Stmt])
        case ask(id: String, question: Template, choices: [Choice])
        case goto(String)
        /// `conclude "…"` (unstated), `conclude ok "…"`, `conclude unknown "…"`, `diagnose "…"` (problem).
        case conclude(Template, severity: ConclusionSeverity)
        case fail(Template)
        case print(Template)
        case confirm(Template)
    }
    public var kind: Kind
    /// From the statement's first token to its last, nested blocks included.
    public var span: Span
    /// The name the statement declares or points at: the step after `goto`, the name an
    /// assignment or capture sets, a loop's variable, a question's id when it is written.
    public var nameSpan: Span?
    public var offset: Int { span.start }

    public static func == (a: Stmt, b: Stmt) -> Bool { a.kind == b.kind }
}

public struct Branch: Sendable, Equatable {
    public var condition: Expr
    public var body: [Stmt]
}

public indirect enum ExprKind: Sendable, Equatable {
    case string(Template)
    case number(Double)
    case duration(Double, text: String)
    case bool(Bool)
    case null
    case name(String)
    case list([Expr])
    case member(Expr, String)
    case index(Expr, Expr)
    case call(String, [Expr])
    case unary(String, Expr)
    case binary(String, Expr, Expr)
    /// `if COND then A else B`: A when COND is true, otherwise B; only the one taken is evaluated.
    case conditional(Expr, Expr, Expr)
}

public struct Expr: Sendable, Equatable {
    public var kind: ExprKind
    /// The expression as written; a parenthesised one includes its parentheses.
    public var span: Span
    /// The name a diagnostic about the expression underlines: a value's name, a function's
    /// name, the field after `.`.
    public var nameSpan: Span?

    public init(kind: ExprKind, span: Span, nameSpan: Span? = nil) {
        self.kind = kind
        self.span = span
        self.nameSpan = nameSpan
    }

    public var offset: Int { span.start }
    public var length: Int { span.length }

    /// Equality ignores positions: `fmt` compares meaning before and after formatting.
    public static func == (a: Expr, b: Expr) -> Bool { a.kind == b.kind }
}

extension ConclusionSeverity {
    /// How the statement is written: `conclude`, `conclude ok`, `conclude unknown`, `diagnose`.
    public var statement: String {
        switch self {
        case .unstated: return "conclude"
        case .ok: return "conclude ok"
        case .unknown: return "conclude unknown"
        case .problem: return "diagnose"
        }
    }

    /// What an operator reads before the conclusion.
    public var label: String {
        switch self {
        case .unstated: return "Conclusion"
        case .ok: return "Healthy"
        case .unknown: return "Could not tell"
        case .problem: return "Diagnosis"
        }
    }
}
