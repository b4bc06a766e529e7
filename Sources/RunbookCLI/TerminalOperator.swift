import Foundation
import RunbookKit
#if canImport(Glibc)
import Glibc
#endif

/// Asks the operator on the controlling terminal (/dev/tty), so questions work even when
/// stdout is piped. Without a terminal it answers nothing, and the run explains what to pass.
final class TerminalOperator: OperatorIO {
    private let interactive: Bool

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
        return Swift.readLine(strippingNewline: true)
    }
}
