/// The parsed form of a runbook. Every node keeps the byte offset it came from, so the checker
/// and the interpreter can point at the source.

public struct Runbook: Sendable {
    public var file: SourceFile
    public var title: String
    public var titleOffset: Int
    public var description: [String]
    public var params: [Param]
    public var shell: String?
    public var timeout: Double?
    public var sshOptions: [String]
    public var steps: [Step]
    public var comments: [Comment]

    public func step(_ id: String) -> Step? { steps.first { $0.id == id } }
}

public struct Param: Sendable, Equatable {
    public var name: String
    public var defaultValue: Expr?
    public var help: String?
    public var secret: Bool
    public var offset: Int
    public var isRequired: Bool { defaultValue == nil }
}

public struct Step: Sendable {
    public var id: String
    public var title: String
    public var host: Expr?
    public var body: [Stmt]
    public var offset: Int
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
    public var offset: Int

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
    public var offset: Int

    public static func == (a: Command, b: Command) -> Bool {
        a.script == b.script && a.host == b.host && a.timeout == b.timeout && a.confirm == b.confirm
            && a.quiet == b.quiet && a.allowFail == b.allowFail
    }
}

public struct Call: Sendable, Equatable {
    public var path: String
    public var host: Expr?
    public var arguments: [(name: String, value: Expr, offset: Int)]
    public var offset: Int

    public static func == (a: Call, b: Call) -> Bool {
        a.path == b.path && a.host == b.host && a.arguments.count == b.arguments.count
            && zip(a.arguments, b.arguments).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}

public struct Choice: Sendable, Equatable {
    public var label: String
    public var body: [Stmt]
    public var offset: Int

    public static func == (a: Choice, b: Choice) -> Bool { a.label == b.label && a.body == b.body }
}

public struct Stmt: Sendable, Equatable {
    public indirect enum Kind: Sendable, Equatable {
        case command(capture: String?, Command)
        case assign(name: String, value: Expr)
        case call(capture: String?, Call)
        case expect(Expr, message: Template)
        case require(Expr, message: Template)
        case ifElse(branches: [Branch], elseBody: [Stmt]?)
        case foreach(variable: String, list: Expr, parallel: Int?, body: [Stmt])
        case retry(count: Int, every: Double?, backoff: Bool, until: Expr, elseMessage: Template?, body: [Stmt])
        case ask(id: String, question: Template, choices: [Choice])
        case goto(String)
        case conclude(Template)
        case fail(Template)
        case print(Template)
        case confirm(Template)
    }
    public var kind: Kind
    public var offset: Int
    /// Offset of the name after `goto`, the capture name, etc. when it differs from `offset`.
    public var nameOffset: Int?

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
}

public struct Expr: Sendable, Equatable {
    public var kind: ExprKind
    public var offset: Int
    public var length: Int

    /// Equality ignores positions: `fmt` compares meaning before and after formatting.
    public static func == (a: Expr, b: Expr) -> Bool { a.kind == b.kind }
}
