import ArgumentParser
import Foundation

/// Inventory files: one host per line, `#` comments, optional `[group]` headers.
enum Inventory {
    /// A problem with the inventory itself: said as it is, without the command's usage.
    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    /// The hosts of the file (of one group when `group` is given). Problems are printed and
    /// end the command with exit code 2.
    static func load(path: String, group: String?) throws -> [String] {
        do {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw Problem(description: "cannot read inventory '\(path)'")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw Problem(description: "inventory '\(path)' is not UTF-8 text")
            }
            return try parse(text, path: path, group: group)
        } catch let problem as Problem {
            Output.err("error: \(problem)\n")
            throw ExitCode(Exit.usage)
        }
    }

    static func parse(_ text: String, path: String, group: String?) throws -> [String] {
        var hosts: [String] = []
        var current: String?
        var groups: [String] = []
        // A file saved on Windows starts with a byte-order mark and ends its lines with CRLF;
        // isNewline splits at "\r\n" (one Character in Swift, so splitting at "\n" would not).
        let body = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        for (n, raw) in body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            var line = raw
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            let column = line.distance(from: line.startIndex, to: line.firstIndex { !$0.isWhitespace } ?? line.startIndex) + 1
            if trimmed.hasPrefix("[") {
                guard trimmed.hasSuffix("]"), trimmed.count > 2 else {
                    throw Problem(description: "\(path):\(n + 1):\(column): a group header looks like [name]")
                }
                current = String(trimmed.dropFirst().dropLast())
                if !groups.contains(current!) { groups.append(current!) }
                continue
            }
            if trimmed.contains(where: \.isWhitespace) || trimmed.hasPrefix("-") {
                throw Problem(description: "\(path):\(n + 1):\(column): '\(trimmed)' is not a host name")
            }
            if group == nil || group == current { hosts.append(trimmed) }
        }
        if let group, !groups.contains(group) {
            let known = groups.isEmpty ? "it has no [group] headers" : "its groups: \(groups.joined(separator: ", "))"
            throw Problem(description: "\(path) has no group [\(group)] (\(known))")
        }
        return hosts
    }
}
