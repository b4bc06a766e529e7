import Foundation

/// Commands and calls to other runbooks.
extension Interpreter {
    /// Names that may not be exported from runbook values, or commands would stop working.
    static let protectedEnvironment: Set<String> = ["PATH", "HOME", "SHELL", "IFS", "USER", "LOGNAME", "PWD",
                                                   "TERM", "LANG", "LC_ALL", "LD_PRELOAD", "LD_LIBRARY_PATH", "ENV", "BASH_ENV"]

    /// The kernel refuses to start a program when one environment string exceeds 128 KiB
    /// (MAX_ARG_STRLEN) or all of them together a few MiB, so larger values stay out of the
    /// environment (and the run says so) rather than make every later command fail.
    static let maxExportedValue = 100_000
    static let maxExportedTotal = 1_000_000

    /// Runbook values as environment variables: the only way values reach commands.
    func environment(_ context: StepContext) -> [String: String] {
        var env: [String: String] = [:]
        var total = 0
        var skipped: [String] = []
        for (name, value) in context.frame.flattened().sorted(by: { $0.key < $1.key })
        where !Interpreter.protectedEnvironment.contains(name) {
            // A capture past the bound is skipped by its size: its text would be a copy of
            // megabytes made only to be measured.
            if case .result(let r) = value, r.stdoutText.byteCount > Interpreter.maxExportedValue {
                skipped.append("\(name) (\(r.stdoutText.byteCount) bytes)")
                continue
            }
            let text = value.text
            let size = text.utf8.count + name.utf8.count + 2
            if size > Interpreter.maxExportedValue || total + size > Interpreter.maxExportedTotal {
                skipped.append("\(name) (\(text.utf8.count) bytes)")
                continue
            }
            total += size
            env[name] = text
        }
        if !skipped.isEmpty {
            emit(.message(Message(path: context.stepID,
                          text: "not in the command's environment, too large: \(skipped.joined(separator: ", ")); write such output to a file and read it there")))
        }
        return env
    }

    func runCommand(_ command: Command, capture: String?, _ context: StepContext) throws {
        let eval = evaluator(context)
        var host = context.host
        if let hostExpr = command.host {
            let h = try eval.evaluate(hostExpr).text
            host = h.isEmpty ? nil : h
        }
        if let confirmText = command.confirm {
            let question = try eval.render(confirmText)
            try confirm(question.isEmpty ? "Run `\(command.script)`\(host.map { " on \($0)" } ?? "")?" : question, context)
        }
        // The record must exist before the command does anything: a journal that can no
        // longer be written stops the run here, not after the step.
        if let stop = stopReason() { throw stop }
        var environment = environment(context)
        for setting in checked.environment {
            environment[setting.name] = try eval.evaluate(setting.value).text
        }
        // The command as written; the preludes go in front of it only for the shell.
        let request = CommandRequest(
            script: command.script,
            shell: runbook.shell ?? "/bin/sh",
            environment: environment,
            host: host,
            timeout: command.timeout ?? runbook.timeout ?? options.defaultTimeout,
            captureLimit: capture == nil ? options.captureLimit : max(options.captureLimit, options.capturedOutputLimit),
            spill: capture == nil ? nil : SpillPolicy(memoryLimit: options.captureMemoryLimit, directory: options.spillDirectory),
            sshOptions: runbook.sshOptions + options.sshOptions)
        let id = nextCommandID()
        let shownHost = context.label ?? host
        emit(.commandStarted(CommandStart(id: id, path: context.stepID, host: shownHost, script: command.script)))
        let quiet = command.quiet
        let result: CommandResult
        let earlier = command.allowUnreachable ? nil : host.flatMap { unreachableEarlier($0) }
        if let host, let earlier {
            // ssh could not reach this host before: asking again would only wait for the
            // same answer, and the runbook's later commands would read an empty result.
            let line = "not attempted: \(host) was unreachable earlier in this run (\(earlier))"
            if !quiet { emit(.commandOutput(CommandOutputLine(id: id, host: shownHost, stream: .stderr, line: line))) }
            result = CommandResult(stderr: line + "\n", exitCode: ExitCodes.sshFailed, unreachable: true)
        } else {
            let onLine: @Sendable (OutputStream, String) -> Void = { [weak self] stream, line in
                if !quiet { self?.emit(.commandOutput(CommandOutputLine(id: id, host: shownHost, stream: stream, line: line))) }
            }
            if let asWritten = executor as? CommandsAsWritten {
                result = asWritten.run(request, prelude: checked.preludeText, onLine: onLine)
            } else {
                var withPrelude = request
                withPrelude.script = checked.preludeText + request.script
                result = executor.run(withPrelude, onLine: onLine)
            }
            if let host { noteReachability(result, on: host) }
            if let why = result.spillFailure {
                emit(.message(Message(path: context.stepID,
                              text: "the output was kept in memory past \(options.captureMemoryLimit >> 20) MiB: \(why)")))
            }
        }
        emit(.commandEnded(CommandEnd(id: id, path: context.stepID, host: shownHost, script: command.script, result: result)))
        context.lastResult.result = result
        noteCommandEnded(result)
        if result.cancelled { throw Flow.abort(interruption) }
        if let host, let earlier {
            throw Flow.fail("\(host) is unreachable (\(earlier)): `\(Interpreter.firstLine(command.script))` and the rest of this step were not attempted")
        }
        if let capture {
            let value = Value.result(result)
            context.frame.assign(capture, value)
            // Journaled, typed, so that `resume` can restore the capture.
            emit(.variable(VariableSet(path: context.stepID, name: capture, value: value)))
            return
        }
        if result.unreachable && command.allowUnreachable { return }
        if result.exitCode != 0 && !command.allowFail {
            throw Flow.fail(Interpreter.describeFailure(result, script: command.script, host: host))
        }
    }

    static func firstLine(_ script: String) -> String {
        script.split(separator: "\n").first.map(String.init) ?? script
    }

    static func describeFailure(_ result: CommandResult, script: String, host: String?) -> String {
        let firstLine = firstLine(script)
        let whereText = host.map { " on \($0)" } ?? ""
        if result.unreachable {
            let reason = result.stderr.split(separator: "\n").last.map(String.init) ?? "ssh failed"
            return "\(host ?? "host") is unreachable: \(reason)"
        }
        if result.timedOut {
            let seconds = result.duration < 10 ? String(format: "%.1f", result.duration) : Value.format(result.duration.rounded())
            return "`\(firstLine)`\(whereText) timed out after \(seconds)s"
        }
        return "`\(firstLine)`\(whereText) failed with exit code \(result.exitCode)"
    }

    func runCall(_ call: Call, capture: String?, _ context: StepContext) throws {
        guard let callee = checked.callees[call.path] else {
            throw RuntimeError("'\(call.path)' was not loaded by the checker", at: call.offset)
        }
        if options.callDepth >= 32 {
            throw Flow.fail("runbook calls nested more than 32 deep")
        }
        let eval = evaluator(context)
        var calleeOptions = options
        calleeOptions.parameters = [:]
        for argument in call.arguments {
            calleeOptions.parameters[argument.name] = try eval.evaluate(argument.value).text
        }
        if let hostExpr = call.host {
            let h = try eval.evaluate(hostExpr).text
            calleeOptions.defaultHost = h.isEmpty ? nil : h
        } else {
            calleeOptions.defaultHost = context.host
        }
        calleeOptions.fromStep = nil
        calleeOptions.callDepth += 1
        let name = ((call.path as NSString).lastPathComponent as NSString).deletingPathExtension
        calleeOptions.scope = options.scope.calling(name)
        emit(.branch(BranchTaken(path: context.stepID, description: "run \(call.path)")))
        let child: Interpreter
        do {
            child = try Interpreter(checked: callee, executor: executor, observer: ForwardingObserver(self),
                                    io: io, options: calleeOptions, cancellation: cancellation)
        } catch let error as RuntimeError {
            throw RuntimeError("\(call.path): \(error.message)", at: call.offset)
        }
        child.healthCheck = healthCheck
        child.unreachableHosts = unreachableHosts
        let outcome = child.run()
        appendFindings(outcome.findings, context)
        if let capture {
            // How it ended, and the values it exported (the checker made sure the names differ).
            let exported = child.exportedValues.sorted { $0.key < $1.key }
            context.frame.assign(capture, .map([
                ("status", .string(outcome.statusName)),
                ("conclusion", outcome.conclusion.map { .string($0) } ?? .null),
                // What the callee found out, so a caller tells "could not tell" from "healthy"
                // without reading the wording of the conclusion.
                ("severity", .string(outcome.severity.rawValue)),
                ("findings", .list(outcome.findings.map { .string($0.message) })),
            ] + exported.map { ($0.key, $0.value) }))
            return
        }
        switch outcome.status {
        case .completed: return
        default: throw Flow.propagated(outcome.status)
        }
    }
}

/// The hosts ssh could not reach in one target's run, with ssh's reason. A called runbook's
/// interpreter shares its caller's, and parallel iterations use it from several threads.
final class UnreachableHosts: @unchecked Sendable {
    private let lock = Mutex()
    private var reasons: [String: String] = [:]

    /// ssh's reason when `host` was found unreachable earlier; nil when it was not.
    func reason(for host: String) -> String? { lock.withLock { reasons[host] } }

    /// Remembers a host ssh could not reach, and forgets it once a command reached it again.
    func note(_ result: CommandResult, on host: String) {
        if result.unreachable {
            let reason = SSHFailure.reason(inStderr: result.stderr)
                ?? result.stderr.split(separator: "\n").last.map(String.init) ?? "ssh failed"
            lock.withLock { if reasons[host] == nil { reasons[host] = reason } }
        } else if !result.cancelled {
            lock.withLock { reasons[host] = nil }
        }
    }
}

/// Passes a called runbook's events to the caller's observer (through the caller's lock).
final class ForwardingObserver: RunObserver {
    private weak var target: Interpreter?
    init(_ target: Interpreter) { self.target = target }
    func handle(_ event: RunEvent) { target?.emit(event) }
}

/// An executor that takes the command as written apart from the preludes in front of it
/// (`runbook test` matches scenario answers against the command as written).
public protocol CommandsAsWritten: CommandExecutor {
    func run(_ request: CommandRequest, prelude: String,
             onLine: @escaping @Sendable (OutputStream, String) -> Void) -> CommandResult
}
