import Foundation

/// Answers commands from a scenario's `when` blocks instead of running them. Each command gets
/// the first matching block not used yet, or a matching `repeat` block. A command no block
/// answers exits 127 and is recorded as a miss — except, in a scenario with a `cluster`, a
/// local `kubectl …` command, which runs for real against the fixture cluster (`LiveKubectl`).
/// Nothing else real ever runs.
public final class ScenarioExecutor: CommandsAsWritten, @unchecked Sendable {
    /// A command the scenario had no answer for.
    public struct Miss: Sendable, Equatable {
        public var script: String
        public var host: String?

        public var description: String {
            "no scenario answer for: \(script)\(host.map { " (on \($0))" } ?? "")"
        }
    }

    /// A command that ran, and the `when` block (by index) that answered it.
    public struct Answered: Sendable {
        public var script: String
        public var host: String?
        public var answerIndex: Int?
        /// Ran for real against the scenario's cluster.
        public var live = false
    }

    public let answers: [CommandAnswer]
    private let live: LiveKubectl?
    private let lock = Mutex()
    private var used: [Bool]
    private var log: [Answered] = []

    public init(answers: [CommandAnswer], live: LiveKubectl? = nil) {
        self.answers = answers
        self.live = live
        self.used = Array(repeating: false, count: answers.count)
    }

    public convenience init(scenario: Scenario, live: LiveKubectl? = nil) {
        self.init(answers: scenario.commandAnswers, live: live)
    }

    public func run(_ request: CommandRequest,
                    onLine: @escaping @Sendable (OutputStream, String) -> Void) -> CommandResult {
        run(request, prelude: "", onLine: onLine)
    }

    /// Matches the command as written (the preludes are not part of what a scenario matches);
    /// a command run against the cluster gets its preludes back.
    public func run(_ request: CommandRequest, prelude: String,
                    onLine: @escaping @Sendable (OutputStream, String) -> Void) -> CommandResult {
        let host = request.isLocal ? nil : request.host
        let useLive = live.map { _ in LiveKubectl.qualifies(request, prelude: prelude) } ?? false
        let index = claim(script: request.script, host: host, orLive: useLive)
        if index == nil, useLive, let live {
            return live.run(request, prelude: prelude, onLine: onLine)
        }
        guard let index else {
            let message = "runbook test: no scenario answer for: \(request.script)"
            onLine(.stderr, message)
            return CommandResult(stderr: message + "\n", exitCode: 127)
        }
        let answer = answers[index]
        for (stream, text) in [(OutputStream.stdout, answer.stdout), (.stderr, answer.stderr)] {
            for line in ScenarioExecutor.lines(of: text) { onLine(stream, line) }
        }
        return CommandResult(stdout: answer.stdout, stderr: answer.stderr, exitCode: answer.exitCode,
                             timedOut: answer.timedOut, unreachable: answer.unreachable)
    }

    private func claim(script: String, host: String?, orLive: Bool) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        let index = answers.indices.first { i in
            (!used[i] || answers[i].repeats) && answers[i].matches(script: script, host: host)
        }
        if let index { used[index] = true }
        log.append(Answered(script: script, host: host, answerIndex: index, live: index == nil && orLive))
        return index
    }

    /// Output split the way a command's lines arrive: a final newline ends the last line.
    static func lines(of text: String) -> [String] {
        guard !text.isEmpty else { return [] }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if text.hasSuffix("\n") { lines.removeLast() }
        return lines
    }

    /// Every command asked for, in order, with the block that answered it.
    public var commands: [Answered] {
        lock.lock()
        defer { lock.unlock() }
        return log
    }

    /// Commands no `when` block answered, in the order they ran.
    public var misses: [Miss] {
        commands.filter { $0.answerIndex == nil && !$0.live }.map { Miss(script: $0.script, host: $0.host) }
    }

    /// `when` blocks no command used.
    public var unusedAnswers: [CommandAnswer] {
        lock.lock()
        defer { lock.unlock() }
        return answers.indices.filter { !used[$0] }.map { answers[$0] }
    }
}
