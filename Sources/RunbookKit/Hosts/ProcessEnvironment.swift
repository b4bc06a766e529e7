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
        // The overrides as "NAME=value" C strings, made once; an inherited entry has the name
        // of one when its first bytes equal that one's "NAME=" (a single strncmp, no String
        // bridging per entry: this runs for every command).
        let owned = usable.map { strdup($0.key + "=" + $0.value.cutAtNUL) }
        defer { owned.forEach { free($0) } }
        let prefixLengths = usable.map { $0.key.utf8.count + 1 }
        // Optional elements from the start: converting a [Pointer] to a [Pointer?] later is an
        // element-by-element runtime cast (it was most of the cost of starting a command).
        var pointers: [UnsafeMutablePointer<CChar>?] = []
        pointers.reserveCapacity(64 + owned.count)
        var cursor = inherited
        while let entry = cursor.pointee {
            var overridden = false
            for index in owned.indices where strncmp(entry, owned[index]!, prefixLengths[index]) == 0 {
                overridden = true
                break
            }
            if !overridden { pointers.append(entry) }
            cursor += 1
        }
        pointers += owned
        pointers.append(nil)
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
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

    private static func withEntries<R>(_ kept: [UnsafeMutablePointer<CChar>?], adding added: [(key: String, value: String)],
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

extension String {
    /// The part before the first NUL: what a C string holding this text would contain.
    var cutAtNUL: String {
        guard let nul = utf8.firstIndex(of: 0) else { return self }
        return String(self[..<nul])
    }
}
