/// The source text of a node, for messages such as "if ready.stdout == "True" → true".
enum SourceText {
    static func of(_ expr: Expr, in file: SourceFile) -> String {
        let end = min(expr.offset + expr.length, file.bytes.count)
        guard expr.offset < end else { return "" }
        return String(decoding: file.bytes[expr.offset..<end], as: UTF8.self)
    }
}
