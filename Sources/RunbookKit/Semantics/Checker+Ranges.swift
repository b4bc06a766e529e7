/// Literal numbers used where the runner needs a machine integer (a list index, field()'s
/// n): one that does not fit is reported by `check`, with its position, instead of failing
/// only when the step runs.
extension Checker {
    mutating func checkWholeNumberLiteral(_ expr: Expr, what: String) {
        guard let n = Checker.literalNumber(expr), n.isFinite, WholeNumber.int(n) == nil else { return }
        error("\(what) \(Value.format(n)) is out of range: it must be \(WholeNumber.rangeDescription)",
              at: expr.span)
    }

    /// The value of a number literal, negated or not; nil for anything else.
    static func literalNumber(_ expr: Expr) -> Double? {
        switch expr.kind {
        case .number(let n): return n
        case .unary("-", let operand): return literalNumber(operand).map { -$0 }
        default: return nil
        }
    }
}
