// The environment a local command starts with: the runner's own, plus the runbook's values.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum ProcessEnvironment {
    /// Calls `body` with a NULL-terminated `envp`: the runner's environment with `overrides`
    /// added; an override wins over an inherited variable of the same name. Names that cannot
    /// be environment names (empty, or containing `=` or NUL) are skipped; a value is cut at a
    /// NUL, as C would. Without overrides the runner's own `environ` is passed as is (no copy:
    /// this is on the path of every command).
    static func withEnvironment<R>(adding overrides: [String: String],
                                   _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        let usable = overrides.filter { isUsableName($0.key) }.sorted { $0.key < $1.key }
        guard let inherited = runnerEnvironment() else {
            return withEntries([], adding: usable, body)
        }
        if usable.isEmpty { return body(UnsafePointer(inherited)) }
        var kept: [UnsafeMutablePointer<CChar>] = []
        var cursor = inherited
        while let entry = cursor.pointee {
            if !usable.contains(where: { entry.hasName($0.key) }) { kept.append(entry) }
            cursor += 1
        }
        return withEntries(kept, adding: usable, body)
    }

    /// `NAME=value` entries as `withEnvironment` would pass them (for tests and diagnostics).
    static func merged(with overrides: [String: String]) -> [String] {
        withEnvironment(adding: overrides) { envp in
            var entries: [String] = []
            var cursor = envp
            while let entry = cursor.pointee {
                entries.append(String(cString: entry))
                cursor += 1
            }
            return entries
        }
    }

    private static func withEntries<R>(_ kept: [UnsafeMutablePointer<CChar>], adding added: [(key: String, value: String)],
                                       _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        let owned = added.map { strdup($0.key + "=" + $0.value.cutAtNUL) }
        defer { owned.forEach { free($0) } }
        var pointers: [UnsafeMutablePointer<CChar>?] = kept
        pointers += owned
        pointers.append(nil)
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
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

private extension UnsafeMutablePointer where Pointee == CChar {
    /// Whether this `NAME=value` C string has exactly the name `name`.
    func hasName(_ name: String) -> Bool {
        name.withCString { candidate in
            let length = strlen(candidate)
            return strncmp(self, candidate, length) == 0 && self[length] == CChar(UInt8(ascii: "="))
        }
    }
}

extension String {
    /// The part before the first NUL: what a C string holding this text would contain.
    var cutAtNUL: String {
        guard let nul = utf8.firstIndex(of: 0) else { return self }
        return String(self[..<nul])
    }
}
