/// The source text of a node, for messages such as "if ready.stdout == "True" → true".
enum SourceText {
    static func of(_ expr: Expr, in file: SourceFile) -> String { file.text(expr.span) }
}
