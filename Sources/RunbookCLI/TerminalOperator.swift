import Foundation
import RunbookKit
#if canImport(Glibc)
import Glibc
#endif

/// Asks the operator on the terminal that is stdin. Without a terminal it answers nothing,
/// and the run explains what to pass. Ctrl-C at a prompt answers nothing at once (and the
/// run stops as for Ctrl-C anywhere else).
final class TerminalOperator: OperatorIO {
    private let interactive: Bool
    private let input = InterruptibleLineReader()

    init(interactive: Bool = isatty(0) == 1) {
        self.interactive = interactive
    }

    func ask(id: String, question: String, choices: [String]) -> String? {
        guard interactive else { return nil }
        while true {
            guard let line = prompt("? \(question) [\(choices.joined(separator: "/"))] ") else { return nil }
            let answer = line.trimmingCharacters(in: .whitespaces)
            if let match = choices.first(where: { $0.lowercased() == answer.lowercased() })
                ?? uniquePrefixMatch(answer, choices) {
                return match
            }
            Output.out("  please answer one of: \(choices.joined(separator: ", "))\n")
        }
    }

    func confirm(_ message: String) -> Bool? {
        guard interactive else { return nil }
        guard let line = prompt("⚠ \(message) [y/N] ") else { return false }
        return ["y", "yes"].contains(line.trimmingCharacters(in: .whitespaces).lowercased())
    }

    private func uniquePrefixMatch(_ answer: String, _ choices: [String]) -> String? {
        guard !answer.isEmpty else { return nil }
        let matches = choices.filter { $0.lowercased().hasPrefix(answer.lowercased()) }
        return matches.count == 1 ? matches[0] : nil
    }

    private func prompt(_ text: String) -> String? {
        Output.out(text)
        switch input.readLine() {
        case .text(let line): return line
        case .endOfInput: return nil
        case .interrupted:
            Output.out("\n")   // the terminal echoed ^C; what follows starts on a line of its own
            return nil
        }
    }
}
