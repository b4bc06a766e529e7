// The environment a local command starts with: the runner's own, plus the runbook's values.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum ProcessEnvironment {
    /// `NAME=value` entries: the runner's environment with `overrides` added; an override wins
    /// over an inherited variable of the same name. Names that cannot be environment names
    /// (empty, or containing `=` or NUL) are skipped; a value is cut at a NUL, as C would.
    static func merged(with overrides: [String: String]) -> [String] {
        let usable = overrides.filter { isUsableName($0.key) }
        var entries: [String] = []
        entries.reserveCapacity(usable.count + 64)
        if var cursor = runnerEnvironment() {
            while let entry = cursor.pointee {
                let text = String(cString: entry)
                if usable.isEmpty || usable[String(name(of: text))] == nil { entries.append(text) }
                cursor += 1
            }
        }
        for (name, value) in usable.sorted(by: { $0.key < $1.key }) {
            entries.append(name + "=" + value.cutAtNUL)
        }
        return entries
    }

    /// The runner's environment, unchanged.
    static func inherited() -> [String] { merged(with: [:]) }

    private static func name(of entry: String) -> Substring {
        entry.utf8.firstIndex(of: UInt8(ascii: "=")).map { entry[..<$0] } ?? entry[...]
    }

    private static func isUsableName(_ name: String) -> Bool {
        !name.isEmpty && !name.utf8.contains(UInt8(ascii: "=")) && !name.utf8.contains(0)
    }

    private static func runnerEnvironment() -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
        #if os(Linux)
        return environ
        #else
        return _NSGetEnviron().pointee
        #endif
    }
}

extension String {
    /// The part before the first NUL: what a C string holding this text would contain.
    var cutAtNUL: String {
        guard let nul = utf8.firstIndex(of: 0) else { return self }
        return String(self[..<nul])
    }
}
