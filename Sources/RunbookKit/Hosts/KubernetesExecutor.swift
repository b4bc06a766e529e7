// Runs commands on Kubernetes nodes through the API server: an exec into a debug pod (see
// `DebugPod`) that this executor creates on a node's first command and deletes when the run
// ends. No sshd, no keys: what it needs is RBAC on pods and pods/exec (docs/NODES.md).
//
// The exec is a WebSocket the runner opens itself through the run's one `kubectl proxy`
// (`KubernetesExecRoute`, `WebSocketExec`: no kubectl start-up per command), or, when the
// proxy cannot be used, one `kubectl exec -i` per command.
// A command travels exactly as over ssh (see `RemoteCommand`): the script on the command line,
// the values on stdin followed by an end mark, stdin then kept open while the command runs.
// Closing the stream (or `kubectl exec -i` forwarding stdin's end-of-file) when the runner
// cancels, times out or dies (the kernel closes the socket then) ends the command's stdin, and
// the remote watcher ends the command's process group on it. The command runs under `setsid -w`, so that group is its own and not the container's.
// kubectl passes the remote exit code through as its own and says "command terminated with
// exit code N" on stderr: that line is kubectl's and is dropped from the command's stderr.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thread-safe: the per-node pod state is behind locks (one per node, so a slow pod start
/// on one node does not hold up the others); each `run` supervises its own kubectl client
/// on the calling thread. Call `deletePods()` when the run ends (also after Ctrl-C or a failure).
public final class KubernetesExecutor: CommandExecutor, @unchecked Sendable {
    public let configuration: KubernetesConfiguration
    public let cancellation: Cancellation
    public let runID: String
    public let creator: DebugPodCreator
    /// What a command is run under inside the pod: the node's root, in a session of its own.
    /// The test bed (which runs commands in lab hosts, not containers) is given its own.
    public let execPrefix: [String]

    public static let defaultExecPrefix = ["chroot", "/host", "setsid", "-w"]

    /// Where the one notice of falling back to `kubectl exec` goes by default.
    public static let standardErrorNotice: @Sendable (String) -> Void = { line in fputs(line + "\n", stderr) }

    private let route: KubernetesExecRoute
    private let lock = Mutex()
    private var slots: [String: NodeSlot] = [:]
    private var knownNodes: [String: KubernetesNode] = [:]
    private var attemptedCreate = false
    private var sweptStale = false
    /// Messages of the stale-pod sweep, for the caller to print (nil: none).
    private var sweepNotes: [String] = []

    public init(configuration: KubernetesConfiguration = KubernetesConfiguration(),
                cancellation: Cancellation = .shared, runID: String = DebugPod.newRunID(),
                creator: DebugPodCreator = .current(), execPrefix: [String] = KubernetesExecutor.defaultExecPrefix,
                notify: @escaping @Sendable (String) -> Void = KubernetesExecutor.standardErrorNotice) {
        self.configuration = configuration
        self.cancellation = cancellation
        self.runID = runID
        self.creator = creator
        self.execPrefix = execPrefix
        route = KubernetesExecRoute(configuration: configuration, notify: notify)
        _ = ProcessGroupTerminator.adoptsOrphans
    }

    /// Nodes already read from the cluster (`--nodes all`): their readiness needs no more calls.
    public func learn(_ nodes: [KubernetesNode]) {
        lock.withLock { for node in nodes { knownNodes[node.name] = node } }
    }

    /// What the stale-pod sweep did (pods of dead runs removed), once.
    public func takeSweepNotes() -> [String] {
        lock.withLock { defer { sweepNotes = [] }; return sweepNotes }
    }

    /// The pods' names so far, by node (for tests and the journal's report).
    public var podNames: [String: String] {
        lock.withLock { slots.compactMapValues { $0.podName } }
    }

    public func run(_ request: CommandRequest,
                    onLine: @escaping @Sendable (OutputStream, String) -> Void) -> CommandResult {
        guard let node = NodeDestination(host: request.host) else {
            return failure("runbook: '\(request.host ?? "")' is not a Kubernetes node (node/NAME)", onLine: onLine)
        }
        let slot = slot(for: node.name)
        let deadline = slot.deadline
        if SystemCalls.now() >= deadline { return timedOut(node.name, onLine: onLine) }
        let pod: String
        switch ensurePod(node.name, slot: slot) {
        case .ready(let name): pod = name
        case .failed(let message): return failure(message, onLine: onLine)
        case .cancelled: return CommandResult(exitCode: ExitCodes.cancelled, cancelled: true)
        case .timedOut: return timedOut(node.name, onLine: onLine)
        }
        var limits = SupervisionLimits(request)
        let remaining = deadline - SystemCalls.now()
        let cappedByNode = remaining < limits.timeout || (limits.timeout <= 0 && remaining.isFinite)
        if cappedByNode { limits.timeout = max(0.001, remaining) }
        let remote = RemoteCommand.build(script: request.script, shell: request.shell, environment: request.environment,
                                         timeout: limits.timeout, killGrace: request.killGrace)
        let command = execPrefix + ["sh", "-c", remote]
        let input = Array(RemoteCommand.input(request.environment).utf8)
        var result: CommandResult
        if let socket = route.socketPath(cancellation: cancellation) {
            let stream = WebSocketExec(socketPath: socket,
                                       path: WebSocketExec.path(namespace: configuration.namespace, pod: pod,
                                                                container: DebugPod.containerName, command: command),
                                       input: input, timeout: limits.timeout, captureLimit: limits.captureLimit,
                                       spill: limits.spill, cancellation: cancellation)
            switch stream.run(onLine: onLine) {
            case .result(let got): result = got
            case .refused(let why):
                route.fallBack(why)
                result = kubectlExec(pod: pod, command: command, input: input, limits: limits, onLine: onLine)
            }
        } else {
            result = kubectlExec(pod: pod, command: command, input: input, limits: limits, onLine: onLine)
        }
        if result.timedOut && cappedByNode { return timedOut(node.name, onLine: onLine) }
        if !result.timedOut && !result.cancelled && result.exitCode != 0,
           let reason = KubernetesFailure.reason(inStderr: result.stderr) {
            result.unreachable = true
            if let explanation = KubernetesFailure.explain(reason, namespace: configuration.namespace) {
                onLine(.stderr, "runbook: " + explanation)
                result.stderr += "runbook: " + explanation + "\n"
            }
        }
        return result
    }

    /// The command through `kubectl exec -i`: one kubectl start-up per command.
    private func kubectlExec(pod: String, command: [String], input: [UInt8], limits: SupervisionLimits,
                             onLine: @escaping @Sendable (OutputStream, String) -> Void) -> CommandResult {
        let arguments = configuration.command(["exec", "-i", "-n", configuration.namespace, pod,
                                               "-c", DebugPod.containerName, "--"] + command)
        var result = CommandSupervisor.runReportingGroup(
            arguments: arguments, environment: [:], limits: limits, policy: .endWholeGroup,
            cancellation: cancellation, newSession: true, input: input,
            onLine: { stream, line in
                if stream == .stderr && KubernetesFailure.isExitCodeNotice(line) { return }
                onLine(stream, line)
            }).result
        let kept = result.stderr.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !KubernetesFailure.isExitCodeNotice(String($0)) }.joined(separator: "\n")
        result.stderrBytes -= result.stderr.utf8.count - kept.utf8.count
        result.stderr = kept
        return result
    }

    /// Deletes every pod of this run (by its label: also a pod whose creation was interrupted
    /// before its name came back). Never cancelled: it runs after Ctrl-C too. Safe to call twice.
    public func deletePods() {
        route.stop()
        let attempted = lock.withLock { () -> Bool in defer { attemptedCreate = false }; return attemptedCreate }
        guard attempted else { return }
        _ = kubectl(["delete", "pods", "-n", configuration.namespace, "-l", "\(DebugPod.runLabel)=\(runID)",
                     "--ignore-not-found", "--wait=false"], timeout: 30, cancellation: Self.housekeeping)
        lock.withLock { for slot in slots.values { slot.reset() } }
    }

    // MARK: - Pods

    final class NodeSlot: @unchecked Sendable {
        let lock = Mutex()
        var state: PodState?
        /// When the node's time is up (`--node-timeout`), from its first command.
        let deadline: Double

        init(deadline: Double) { self.deadline = deadline }

        var podName: String? { if case .ready(let name)? = state { return name }; return nil }
        func reset() { lock.withLock { state = nil } }
    }

    enum PodState { case ready(String), failed(String), cancelled, timedOut }

    private func slot(for node: String) -> NodeSlot {
        lock.withLock {
            if let slot = slots[node] { return slot }
            let deadline = configuration.nodeTimeout.map { SystemCalls.now() + $0 } ?? .infinity
            let slot = NodeSlot(deadline: deadline)
            slots[node] = slot
            return slot
        }
    }

    /// The node's pod, created and waited for on the first command; a failure is remembered,
    /// so the node's later commands fail at once with the same message.
    private func ensurePod(_ node: String, slot: NodeSlot) -> PodState {
        slot.lock.withLock {
            if let state = slot.state, !(state.isRetryable) { return state }
            let state = startPod(node, deadline: slot.deadline)
            slot.state = state
            return state
        }
    }

    private func startPod(_ node: String, deadline: Double) -> PodState {
        if let problem = readinessProblem(node) { return .failed(problem) }
        sweepStaleOnce()
        let name = DebugPod.name(runID: runID, node: node)
        let manifest = DebugPod.manifest(name: name, namespace: configuration.namespace, node: node,
                                         image: configuration.image, runID: runID, creator: creator)
        lock.withLock { attemptedCreate = true }
        // kubectl reads the manifest from a pipe that ends (the supervisor's input channel
        // stays open while the child runs), written by printf: the manifest is not shell text.
        // --validate=false: the manifest is ours and fixed, and client-side validation would
        // first download the cluster's OpenAPI document (hundreds of KiB) on every run.
        let create = CommandSupervisor.run(
            arguments: ["/bin/sh", "-c", "printf '%s' \"$0\" | \"$@\"", manifest] + configuration.command(["create", "--validate=false", "-f", "-"]),
            environment: [:], limits: SupervisionLimits(timeout: 30, killGrace: 1, captureLimit: 1 << 16),
            cancellation: cancellation, onLine: { _, _ in })
        if create.cancelled { return .cancelled }
        if create.exitCode != 0 && !create.stderr.contains("AlreadyExists") {
            let why = KubernetesFailure.explain(create.stderr, namespace: configuration.namespace)
            return .failed("runbook: cannot create debug pod \(name) on node \(node): "
                           + (why ?? firstLine(create.stderr)))
        }
        return waitRunning(name, node: node, deadline: min(deadline, SystemCalls.now() + configuration.podStartTimeout),
                           nodeDeadline: deadline)
    }

    /// Polls the pod until Running. Watching would save the polls, but needs a long-lived
    /// kubectl per node; a poll costs one short kubectl call every 0.2 to 1 s of a start that
    /// takes seconds (image pull, scheduling).
    private func waitRunning(_ name: String, node: String, deadline: Double, nodeDeadline: Double) -> PodState {
        var interval = 0.2
        while true {
            if cancellation.isCancelled { return .cancelled }
            let got = kubectl(["get", "pod", name, "-n", configuration.namespace, "-o", "json"],
                              timeout: 15, cancellation: cancellation)
            if got.cancelled { return .cancelled }
            if let status = DebugPodStatus.parse(json: got.stdout).first {
                switch status.phase {
                case "Running": return .ready(name)
                case "Failed", "Succeeded":
                    return .failed("runbook: debug pod \(name) on node \(node) ended (\(status.phase)) before it ran anything")
                default:
                    if let waiting = status.waiting, Self.imageProblems.contains(where: { waiting.hasPrefix($0) }) {
                        return .failed("runbook: debug pod \(name) on node \(node) cannot start: \(waiting) "
                                       + "(the node cannot pull \(configuration.image); use --debug-image with an image of a registry it reaches)")
                    }
                }
            } else if got.exitCode != 0, let why = KubernetesFailure.explain(got.stderr, namespace: configuration.namespace) {
                return .failed("runbook: " + why)
            }
            let now = SystemCalls.now()
            if now >= deadline {
                if now >= nodeDeadline { return .timedOut }
                return .failed("runbook: debug pod \(name) on node \(node) was not Running after "
                               + "\(Int(configuration.podStartTimeout)) s (kubectl describe pod -n \(configuration.namespace) \(name))")
            }
            SystemCalls.sleep(seconds: min(interval, max(0, deadline - now)))
            interval = min(1, interval * 1.5)
        }
    }

    static let imageProblems = ["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"]

    /// Why no pod can run on `node` now (NotReady, or no such node), nil when it can or when
    /// the cluster does not let us read nodes (the pod's start then tells).
    private func readinessProblem(_ node: String) -> String? {
        var known = lock.withLock { knownNodes[node] }
        if known == nil {
            let got = kubectl(["get", "node", node, "-o", "json"], timeout: 15, cancellation: cancellation)
            if got.exitCode != 0 && got.stderr.contains("NotFound") {
                return "runbook: the cluster has no node '\(node)' (kubectl get nodes lists them)"
            }
            known = KubernetesNode.parse(json: got.stdout)?.first
            if let known { learn([known]) }
        }
        guard let known, !known.ready else { return nil }
        return "runbook: node \(node) is NotReady (\(known.notReadyReason ?? "NotReady")): a debug pod cannot start there"
    }

    /// Before the run's first pod: removes the debug pods of runs that provably died (see
    /// `KubernetesCleanup`), so a run killed with SIGKILL leaves nothing after the next one.
    private func sweepStaleOnce() {
        let first = lock.withLock { () -> Bool in defer { sweptStale = true }; return !sweptStale }
        guard first else { return }
        let removed = KubernetesCleanup(configuration: configuration, cancellation: Self.housekeeping)
            .removeStale(namespaces: [configuration.namespace], here: creator, olderThan: nil, keepRun: runID)
        lock.withLock { sweepNotes += removed.map { "removed debug pod \($0) left by a run that was killed" } }
    }

    // MARK: - Pieces

    func kubectl(_ arguments: [String], timeout: Double, cancellation: Cancellation) -> CommandResult {
        CommandSupervisor.run(arguments: configuration.command(arguments), environment: [:],
                              limits: SupervisionLimits(timeout: timeout, killGrace: 1, captureLimit: 16 << 20),
                              cancellation: cancellation, onLine: { _, _ in })
    }

    /// Never cancelled: cleanup must run even after the operator pressed Ctrl-C.
    static let housekeeping = Cancellation()

    private func timedOut(_ node: String, onLine: (OutputStream, String) -> Void) -> CommandResult {
        let seconds = configuration.nodeTimeout.map { RemoteCommand.duration($0) } ?? "?"
        let message = "runbook: node \(node) timed out (--node-timeout \(seconds)s)"
        onLine(.stderr, message)
        return CommandResult(stderr: message + "\n", exitCode: ExitCodes.timedOut, timedOut: true, unreachable: true)
    }

    private func failure(_ message: String, onLine: (OutputStream, String) -> Void) -> CommandResult {
        onLine(.stderr, message)
        return CommandResult(stderr: message + "\n", exitCode: ExitCodes.sshFailed, unreachable: true)
    }

    private func firstLine(_ text: String) -> String {
        String(text.split(separator: "\n").first ?? "kubectl failed without saying why")
    }
}

private extension KubernetesExecutor.PodState {
    /// Cancelled starts are tried again (a resumed or continued run); failures are not.
    var isRetryable: Bool { if case .cancelled = self { return true }; return false }
}
