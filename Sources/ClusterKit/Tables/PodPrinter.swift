/// Pods as `kubectl get pods` shows them: the STATUS rules of the API server's printPod.
public enum PodPrinter {
    public static let printer = TablePrinter(
        columns: [
            .name,
            TableColumn("Ready", "The aggregate readiness state of this pod for accepting traffic."),
            TableColumn("Status", "The aggregate status of the containers in this pod."),
            TableColumn("Restarts", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
            .age,
            TableColumn("IP", priority: 1, "podIP address allocated to the pod."),
            TableColumn("Node", priority: 1, "NodeName indicates in which node this pod is scheduled."),
            TableColumn("Nominated Node", priority: 1, "nominatedNodeName is set only when this pod preempts other pods on the node."),
            TableColumn("Readiness Gates", priority: 1, "If specified, all readiness gates will be evaluated for pod readiness."),
        ],
        conditions: { pod in
            switch pod.text("status.phase") {
            case "Succeeded": return [condition("Succeeded", "The pod has completed successfully.")]
            case "Failed": return [condition("Failed", "The pod failed.")]
            default: return []
            }
        },
        cells: { pod, now in
            let s = summary(pod, now: now)
            return [.string(pod.text("metadata.name")), .string(s.ready), .string(s.status), .string(s.restarts),
                    .string(ShortDuration.since(pod.at("metadata.creationTimestamp"), now: now)),
                    .string((pod.list("status.podIPs").first?.text("ip") ?? "").orNone),
                    .string(pod.text("spec.nodeName").orNone), .string(pod.text("status.nominatedNodeName").orNone),
                    .string(readinessGates(pod))]
        })

    private static func condition(_ reason: String, _ message: String) -> JSON {
        .object([("type", .string("Completed")), ("status", .string("True")), ("reason", .string(reason)), ("message", .string(message))])
    }

    public struct Summary: Equatable {
        public let ready: String
        public let status: String
        public let restarts: String
    }

    /// READY, STATUS and RESTARTS of a pod at `now`.
    public static func summary(_ pod: JSON, now: Double) -> Summary {
        var restarts = 0
        var sidecarRestarts = 0
        let specInit = pod.list("spec.initContainers")
        var total = pod.list("spec.containers").count
        var ready = 0
        var lastRestart = -Double.infinity
        var lastSidecarRestart = -Double.infinity
        let phase = pod.text("status.phase")
        var reason = pod.text("status.reason").isEmpty ? phase : pod.text("status.reason")
        for c in pod.list("status.conditions") where c.text("type") == "PodScheduled" && c.text("reason") == "SchedulingGated" {
            reason = "SchedulingGated"
        }
        func isSidecar(_ name: String) -> Bool {
            specInit.first { $0.text("name") == name }?.text("restartPolicy") == "Always"
        }
        total += specInit.filter { $0.text("restartPolicy") == "Always" }.count
        func finished(_ status: JSON) -> Double? { RFC3339.parse(status.text("lastState.terminated.finishedAt")) }

        var initializing = false
        for (i, c) in pod.list("status.initContainerStatuses").enumerated() {
            restarts += c.at("restartCount")?.int ?? 0
            if c.at("lastState.terminated") != nil, let t = finished(c) { lastRestart = max(lastRestart, t) }
            let sidecar = isSidecar(c.text("name"))
            if sidecar {
                sidecarRestarts += c.at("restartCount")?.int ?? 0
                if c.at("lastState.terminated") != nil, let t = finished(c) { lastSidecarRestart = max(lastSidecarRestart, t) }
            }
            if let term = c.at("state.terminated"), (term["exitCode"]?.int ?? 0) == 0 { continue }
            if sidecar && c.at("started")?.bool == true {
                if c.at("ready")?.bool == true { ready += 1 }
                continue
            }
            if let term = c.at("state.terminated") {
                let r = term.text("reason")
                if r.isEmpty {
                    let signal = term["signal"]?.int ?? 0
                    reason = signal != 0 ? "Init:Signal:\(signal)" : "Init:ExitCode:\(term["exitCode"]?.int ?? 0)"
                } else {
                    reason = "Init:" + r
                }
            } else if let w = c.at("state.waiting"), !w.text("reason").isEmpty, w.text("reason") != "PodInitializing" {
                reason = "Init:" + w.text("reason")
            } else {
                reason = "Init:\(i)/\(specInit.count)"
            }
            initializing = true
            break
        }

        let initialized = pod.list("status.conditions").contains { $0.text("type") == "Initialized" && $0.text("status") == "True" }
        if !initializing || initialized {
            restarts = sidecarRestarts
            lastRestart = lastSidecarRestart
            var hasRunning = false
            for c in pod.list("status.containerStatuses").reversed() {
                restarts += c.at("restartCount")?.int ?? 0
                if c.at("lastState.terminated") != nil, let t = finished(c) { lastRestart = max(lastRestart, t) }
                if let w = c.at("state.waiting"), !w.text("reason").isEmpty {
                    reason = w.text("reason")
                } else if let term = c.at("state.terminated"), !term.text("reason").isEmpty {
                    reason = term.text("reason")
                } else if let term = c.at("state.terminated") {
                    let signal = term["signal"]?.int ?? 0
                    reason = signal != 0 ? "Signal:\(signal)" : "ExitCode:\(term["exitCode"]?.int ?? 0)"
                } else if c.at("ready")?.bool == true, c.at("state.running") != nil {
                    hasRunning = true
                    ready += 1
                }
            }
            if reason == "Completed" && hasRunning {
                let podReady = pod.list("status.conditions").contains { $0.text("type") == "Ready" && $0.text("status") == "True" }
                reason = podReady ? "Running" : "NotReady"
            }
        }

        let deleting = pod.at("metadata.deletionTimestamp").map { $0 != .null } ?? false
        if deleting && pod.text("status.reason") == "NodeLost" {
            reason = "Unknown"
        } else if deleting && phase != "Succeeded" && phase != "Failed" {
            reason = "Terminating"
        }
        var restartsText = String(restarts)
        if restarts != 0 && lastRestart > -Double.infinity {
            restartsText = "\(restarts) (\(ShortDuration.format(seconds: now - lastRestart)) ago)"
        }
        return Summary(ready: "\(ready)/\(total)", status: reason, restarts: restartsText)
    }

    private static func readinessGates(_ pod: JSON) -> String {
        let gates = pod.list("spec.readinessGates")
        guard !gates.isEmpty else { return "<none>" }
        let conditions = pod.list("status.conditions")
        let trueCount = gates.filter { gate in
            conditions.first { $0.text("type") == gate.text("conditionType") }?.text("status") == "True"
        }.count
        return "\(trueCount)/\(gates.count)"
    }
}
