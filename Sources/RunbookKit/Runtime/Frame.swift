import Foundation

/// Variables in scope. The runbook has one root frame; `foreach` adds a frame for its loop
/// variable. A parallel iteration's frame is isolated: what it assigns stays in it.
final class Frame: @unchecked Sendable {
    private var values: [String: Value] = [:]
    let parent: Frame?
    let isolated: Bool
    /// Parallel iterations read the root while others write their own frames; one lock for
    /// the root keeps that safe.
    private let lock = Mutex()

    init(parent: Frame? = nil, isolated: Bool = false) {
        self.parent = parent
        self.isolated = isolated
    }

    func lookup(_ name: String) -> Value? {
        lock.lock()
        let v = values[name]
        lock.unlock()
        return v ?? parent?.lookup(name)
    }

    /// Defines a name in this very frame (loop variables).
    func define(_ name: String, _ value: Value) {
        lock.lock()
        values[name] = value
        lock.unlock()
    }

    /// Assigns where the name lives; new names go to the nearest isolated frame or the root.
    func assign(_ name: String, _ value: Value) {
        if let parent, !has(name), !isolated {
            parent.assign(name, value)
        } else {
            define(name, value)
        }
    }

    private func has(_ name: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return values[name] != nil
    }

    /// Every visible variable, inner frames winning, for the command environment.
    func flattened() -> [String: Value] {
        var result = parent?.flattened() ?? [:]
        lock.lock()
        for (k, v) in values { result[k] = v }
        lock.unlock()
        return result
    }
}
