import ArgumentParser
import Foundation

/// Inventory files: one host per line, `#` comments, optional `[group]` headers.
enum Inventory {
    static func load(path: String, group: String?) throws -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError("cannot read inventory '\(path)'")
        }
        return try parse(text, path: path, group: group)
    }

    static func parse(_ text: String, path: String, group: String?) throws -> [String] {
        var hosts: [String] = []
        var current: String?
        var groups: Set<String> = []
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = raw
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            if trimmed.hasPrefix("[") {
                guard trimmed.hasSuffix("]"), trimmed.count > 2 else {
                    throw ValidationError("\(path):\(n + 1):1: a group header looks like [name]")
                }
                current = String(trimmed.dropFirst().dropLast())
                groups.insert(current!)
                continue
            }
            if trimmed.contains(" ") || trimmed.hasPrefix("-") {
                throw ValidationError("\(path):\(n + 1):1: '\(trimmed)' is not a host name")
            }
            if group == nil || group == current { hosts.append(trimmed) }
        }
        if let group, !groups.contains(group) {
            throw ValidationError("\(path): no group [\(group)] (groups: \(groups.sorted().joined(separator: ", ")))")
        }
        return hosts
    }
}
