/// A runbook string for display: escapes decoded, `{…}` holes shown as written.
enum TemplateText {
    static func display(_ template: Template, in file: SourceFile) -> String {
        template.parts.map { part -> String in
            switch part {
            case .text(let text): return text
            case .expr(let expr): return "{" + ExprPrinter(file: file).print(expr) + "}"
            }
        }.joined()
    }
}
