import Foundation
// The test bed's nodes: which ones exist, whether they are Ready, and where "a pod on node X"
// runs its commands. `runbook serve --test-bed NODE=WHERE,…`:
//
//   local          this machine, as it is (tests without root)
//   netns:NAME     the lab host living in network namespace NAME (lab/lab.sh): commands
//                  enter the mount, UTS and network namespaces of that host's sshd, so they
//                  see its disks, hostname, sysctls, routes and iptables rules, faults included
//   notready       a node whose kubelet stopped posting status: its pods never run
//
// An exec'd command loses its `chroot /host` prefix (the lab host is not a container with the
// node's root at /host); the rest runs as given.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct TestBedNode: Equatable, Sendable {
    public enum Place: Equatable, Sendable {
        case local
        case networkNamespace(String)
        case notReady
    }

    public var name: String
    public var place: Place

    public var ready: Bool { place != .notReady }

    /// Parses `NODE=WHERE,NODE=WHERE,…`; the error names the item and what was expected.
    public static func parse(_ text: String) throws -> [TestBedNode] {
        var nodes: [TestBedNode] = []
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
                throw TestBedError("test bed item '\(item)' is not NODE=WHERE (WHERE: local, netns:NAME or notready)")
            }
            let name = String(item[..<eq]), spec = String(item[item.index(after: eq)...])
            guard isNodeName(name) else {
                throw TestBedError("test bed: '\(name)' is not a node name (lowercase letters, digits, '-' and '.')")
            }
            guard !nodes.contains(where: { $0.name == name }) else { throw TestBedError("test bed: node '\(name)' is given twice") }
            let place: Place
            switch spec {
            case "local": place = .local
            case "notready": place = .notReady
            default:
                guard spec.hasPrefix("netns:"), spec.count > 6, !spec.contains("/") else {
                    throw TestBedError("test bed: node '\(name)': '\(spec)' is not local, netns:NAME or notready")
                }
                place = .networkNamespace(String(spec.dropFirst(6)))
            }
            nodes.append(TestBedNode(name: name, place: place))
        }
        guard !nodes.isEmpty else { throw TestBedError("the test bed names no node (NODE=WHERE,…)") }
        return nodes
    }

    static func isNodeName(_ name: String) -> Bool {
        guard let first = name.utf8.first, let last = name.utf8.last, name.utf8.count <= 253 else { return false }
        func alnum(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) }
        return alnum(first) && alnum(last) && name.utf8.allSatisfy { alnum($0) || $0 == 0x2d || $0 == 0x2e }
    }

    /// The command line that runs `command` (as kubectl sent it) on this node.
    public func arguments(for command: [String]) throws -> [String] {
        var words = command
        if words.count >= 2 && words[0] == "chroot" && words[1] == "/host" { words.removeFirst(2) }
        guard !words.isEmpty else { throw TestBedError("exec names no command") }
        switch place {
        case .local: return words
        case .notReady: throw TestBedError("node \(name) is not ready")
        case .networkNamespace(let namespace):
            guard let pid = Self.process(inNetworkNamespace: namespace) else {
                throw TestBedError("no process runs in network namespace \(namespace) (is the lab up?)")
            }
            return ["nsenter", "-t", String(pid), "-m", "-u", "-n", "--"] + words
        }
    }

    /// The oldest process whose network namespace is /run/netns/NAME (the lab host's sshd).
    /// Oldest by start time, not lowest pid: once pids wrap, a command of an earlier exec that
    /// runs in the namespace for a moment can have the lowest pid, and be gone by the time
    /// nsenter opens its namespaces ("nsenter: cannot open /proc/PID/ns/uts", seen with 64
    /// nodes at once).
    static func process(inNetworkNamespace name: String) -> pid_t? {
        var target = stat()
        guard stat("/run/netns/\(name)", &target) == 0 else { return nil }
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
        var found: (pid: pid_t, started: UInt64)?
        for entry in entries {
            guard let pid = pid_t(entry) else { continue }
            var info = stat()
            guard stat("/proc/\(pid)/ns/net", &info) == 0 && info.st_ino == target.st_ino && info.st_dev == target.st_dev,
                  let started = startTicks(pid) else { continue }
            if found == nil || started < found!.started || (started == found!.started && pid < found!.pid) {
                found = (pid, started)
            }
        }
        return found?.pid
    }

    /// Field 22 of /proc/PID/stat: when the process started, in clock ticks after boot.
    static func startTicks(_ pid: pid_t) -> UInt64? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? UInt64(fields[19]) : nil
    }
}

public struct TestBedError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
