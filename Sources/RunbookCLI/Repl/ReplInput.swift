/// One line typed at the REPL prompt, parsed into what the operator asked for.
enum ReplInput: Equatable {
    case list
    case show(String?)
    case next
    case runStep(String?)      // nil: retry the step that ran last
    case skip
    case goto(String)
    case back
    case adHoc(host: String?, script: String)
    case set(name: String, expression: String)
    case vars(String?)
    case answer(id: String, choice: String)
    case note(String)
    case mark(outcome: String, remark: String)
    case journal
    case help
    case quit
    case empty
    case unknown(String)

    /// Command names with their one-letter aliases, for help and Tab completion.
    static let commands: [(names: [String], usage: String, summary: String)] = [
        (["list", "l"], "list", "the steps and their state"),
        (["show", "s"], "show [STEP]", "a step's source (default: the current step)"),
        (["next", "n"], "next", "run the current step and move on"),
        (["run", "r"], "run [STEP]", "run or retry a step (default: the last step run)"),
        (["skip", "k"], "skip", "skip the current step"),
        (["goto", "g"], "goto STEP", "make STEP the current step"),
        (["back", "b"], "back", "return to the step before"),
        (["$"], "$ COMMAND  |  on HOST $ COMMAND", "run an ad-hoc command (recorded; result in `last`)"),
        (["set"], "set NAME = VALUE", "set a variable (any expression)"),
        (["vars", "v"], "vars [NAME]", "show variables"),
        (["answer", "a"], "answer QUESTION CHOICE", "answer a question before it is asked"),
        (["note"], "note TEXT", "write a note into the journal"),
        (["mark", "m"], "mark ok|failed|unknown [REMARK]", "record the current step's outcome"),
        (["journal", "j"], "journal", "what has been recorded so far"),
        (["help", "h", "?"], "help", "this list"),
        (["quit", "q", "exit"], "quit", "leave with a summary (Ctrl-D does the same)"),
    ]

    static func parse(_ raw: String) -> ReplInput {
        let line = raw.trimmingCharacters(in: .whitespaces)
        if line.isEmpty { return .empty }
        if line.hasPrefix("$") {
            return .adHoc(host: nil, script: String(line.dropFirst()).trimmingCharacters(in: .whitespaces))
        }
        let (word, rest) = split(line)
        switch word {
        case "list", "l": return .list
        case "show", "s": return .show(rest.isEmpty ? nil : rest)
        case "next", "n": return .next
        case "run", "r", "retry": return .runStep(rest.isEmpty ? nil : rest)
        case "skip", "k": return .skip
        case "goto", "g": return rest.isEmpty ? .unknown("goto needs a step id") : .goto(rest)
        case "back", "b": return .back
        case "on":
            let (host, script) = split(rest)
            guard !host.isEmpty, script.hasPrefix("$") else { return .unknown("usage: on HOST $ COMMAND") }
            return .adHoc(host: host, script: String(script.dropFirst()).trimmingCharacters(in: .whitespaces))
        case "set":
            guard let eq = rest.firstIndex(of: "=") else { return .unknown("usage: set NAME = VALUE") }
            let name = rest[..<eq].trimmingCharacters(in: .whitespaces)
            let value = rest[rest.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, !value.isEmpty else { return .unknown("usage: set NAME = VALUE") }
            return .set(name: name, expression: value)
        case "vars", "v": return .vars(rest.isEmpty ? nil : rest)
        case "answer", "a":
            let (id, choice) = split(rest)
            guard !id.isEmpty, !choice.isEmpty else { return .unknown("usage: answer QUESTION CHOICE") }
            return .answer(id: id, choice: choice)
        case "note": return rest.isEmpty ? .unknown("usage: note TEXT") : .note(rest)
        case "mark", "m":
            let (outcome, remark) = split(rest)
            guard ["ok", "failed", "unknown"].contains(outcome) else { return .unknown("usage: mark ok|failed|unknown [REMARK]") }
            return .mark(outcome: outcome, remark: remark)
        case "journal", "j": return .journal
        case "help", "h", "?": return .help
        case "quit", "q", "exit": return .quit
        default: return .unknown("unknown command '\(word)' (type help)")
        }
    }

    private static func split(_ s: String) -> (String, String) {
        guard let space = s.firstIndex(of: " ") else { return (s, "") }
        return (String(s[..<space]), s[space...].trimmingCharacters(in: .whitespaces))
    }
}

import Foundation
