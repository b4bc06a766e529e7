/// Where each comment goes when a runbook is re-laid out. A comment on its own line belongs
/// to the next line of code (it is printed before it, at its indentation); a comment after
/// code stays at the end of that line; comments after the last code end the file.
struct CommentPlacement {
    private var leading: [Int: [Comment]] = [:]
    private var trailing: [Int: Comment] = [:]
    private(set) var atEnd: [Comment] = []

    init(comments: [Comment], tokens: SourceTokens) {
        for comment in comments {
            if !comment.ownLine {
                trailing[tokens.line(comment.offset)] = comment
            } else if let next = tokens.token(after: comment.offset) {
                leading[tokens.line(next.offset), default: []].append(comment)
            } else {
                atEnd.append(comment)
            }
        }
    }

    /// The comments before a line of code, removed so each is printed once.
    mutating func takeLeading(_ line: Int) -> [Comment] {
        leading.removeValue(forKey: line) ?? []
    }

    mutating func takeTrailing(_ line: Int) -> Comment? {
        trailing.removeValue(forKey: line)
    }

    /// Comments not printed yet (nothing claimed their line): printed at the end rather than lost.
    mutating func takeRemaining() -> [Comment] {
        let rest = (leading.values.flatMap { $0 } + trailing.values).sorted { $0.offset < $1.offset }
        leading = [:]
        trailing = [:]
        return rest
    }
}
