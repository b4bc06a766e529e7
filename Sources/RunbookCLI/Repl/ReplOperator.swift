import RunbookKit

/// Questions and confirmations asked through the REPL's own line reader, so they work the
/// same on a terminal and from a script on stdin.
final class ReplOperator: OperatorIO {
    var reader: LineReader?
    private let assumeYes: Bool

    init(assumeYes: Bool) { self.assumeYes = assumeYes }

    func ask(id: String, question: String, choices: [String]) -> String? {
        guard let reader else { return nil }
        while true {
            guard let line = reader.readLine(prompt: "? \(question) [\(choices.joined(separator: "/"))] ") else { return nil }
            let answer = line.trimmingCharacters(in: .whitespaces)
            if let match = choices.first(where: { $0.lowercased() == answer.lowercased() }) { return match }
            Output.out("  please answer one of: \(choices.joined(separator: ", "))\n")
        }
    }

    func confirm(_ message: String) -> Bool? {
        if assumeYes { return true }
        guard let reader, let line = reader.readLine(prompt: "⚠ \(message) [y/N] ") else { return nil }
        return ["y", "yes"].contains(line.trimmingCharacters(in: .whitespaces).lowercased())
    }
}

import Foundation
