// The processes a running binary started, read from /proc: the tests that stop or kill the
// runner find the commands it runs this way, without the runbook having to report them.

import Foundation
#if canImport(Glibc)
import Glibc
#endif

enum ProcessTree {
    struct Entry: Equatable {
        let pid: pid_t
        let parent: pid_t
        let group: pid_t
        let name: String
    }

    /// Every process, from /proc/PID/stat: `pid (comm) state ppid pgrp …` (comm may hold
    /// spaces and parentheses, so fields are counted from the last `)`).
    static func snapshot() -> [Entry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { name -> Entry? in
            guard let pid = pid_t(name), let stat = E2E.read("/proc/\(pid)/stat"),
                  let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, fields[0] != "Z", let parent = pid_t(fields[1]), let group = pid_t(fields[2]) else {
                return nil
            }
            return Entry(pid: pid, parent: parent, group: group, name: String(stat[stat.index(after: open)..<close]))
        }
    }

    /// The running (not zombie) descendants of `ancestor`.
    static func descendants(of ancestor: pid_t) -> [Entry] {
        let all = snapshot()
        var found: [Entry] = []
        var frontier: Set<pid_t> = [ancestor]
        while !frontier.isEmpty {
            let next = all.filter { frontier.contains($0.parent) }
            found += next
            frontier = Set(next.map(\.pid))
        }
        return found
    }

    /// Polls until `count` descendants of `ancestor` named `name` run; returns their pids
    /// (fewer when `seconds` passed first).
    static func waitForDescendants(of ancestor: pid_t, named name: String, count: Int, seconds: Double) -> [pid_t] {
        let deadline = Date().addingTimeInterval(seconds)
        var pids: [pid_t] = []
        repeat {
            pids = descendants(of: ancestor).filter { $0.name == name }.map(\.pid)
            if pids.count >= count { break }
            usleep(20_000)
        } while Date() < deadline
        return pids
    }
}
