import Foundation
// The debug pod the Kubernetes transport runs a node's commands in: one per node per run.
//
// It shares the node's PID, network and IPC namespaces and mounts the node's `/` at /host, so
// `chroot /host` gives a command the node's own programs, files and processes, as over ssh.
// It tolerates every taint (control-plane nodes too) and is privileged: reading
// /proc/sys, iptables or another process's namespaces needs it, so the namespace it is
// created in must allow PodSecurity level "privileged".
//
// Every pod carries the run's labels, for `kubectl delete -l`, and annotations that say which
// process created it (host, boot, pid and that pid's start time), so that a later run can
// tell a pod whose creator was killed with SIGKILL from one whose run still goes on.

public struct DebugPodCreator: Sendable, Equatable {
    public var host: String
    public var bootID: String
    public var pid: Int32
    /// The process's start time in clock ticks since boot (/proc/PID/stat field 22): a pid
    /// reused by another process after the creator died has another start time.
    public var startTicks: UInt64

    public init(host: String, bootID: String, pid: Int32, startTicks: UInt64) {
        self.host = host
        self.bootID = bootID
        self.pid = pid
        self.startTicks = startTicks
    }

    /// This process.
    public static func current() -> DebugPodCreator {
        let pid = getpid()
        return DebugPodCreator(host: ProcessInfo.processInfo.hostName, bootID: readBootID(),
                               pid: pid, startTicks: startTicks(of: pid) ?? 0)
    }

    static func readBootID() -> String {
        ((try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8)) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Field 22 of /proc/PID/stat; nil when the process does not exist.
    public static func startTicks(of pid: Int32) -> UInt64? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // After "(comm)": field 3 (state) is the first; 22 is the 20th.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? UInt64(fields[19]) : nil
    }

    /// Whether this creator is provably gone, seen from this machine: same host and boot, and
    /// its pid is not running or runs another process (another start time); or same host and
    /// another boot (a reboot ended every process). A creator on another host is never
    /// provably gone from here (see `KubernetesCleanup` for the age bound).
    public func isProvablyDead(seenFrom here: DebugPodCreator,
                               startTicksOf: (Int32) -> UInt64? = DebugPodCreator.startTicks) -> Bool {
        guard host == here.host, !host.isEmpty else { return false }
        if bootID != here.bootID { return !bootID.isEmpty && !here.bootID.isEmpty }
        if pid == here.pid && startTicks == here.startTicks { return false }
        guard let running = startTicksOf(pid) else { return true }
        return running != startTicks
    }
}

public enum DebugPod {
    public static let managedByLabel = "app.kubernetes.io/managed-by"
    public static let managedByValue = "runbook"
    public static let runLabel = "runbook.io/run"
    public static let nodeAnnotation = "runbook.io/node"
    public static let hostAnnotation = "runbook.io/creator-host"
    public static let bootAnnotation = "runbook.io/creator-boot-id"
    public static let pidAnnotation = "runbook.io/creator-pid"
    public static let startAnnotation = "runbook.io/creator-start-ticks"
    public static let containerName = "debugger"
    /// The pod's own life when nothing deletes it: an upper bound on a run.
    public static let sleepSeconds = 86_400

    /// Selects every debug pod this tool created.
    public static var managedSelector: String { "\(managedByLabel)=\(managedByValue)" }

    /// `rb-RUN-NODE-HASH`: a DNS label (at most 63 characters, the pod's hostname), the node's
    /// name cut to fit, and a hash of the whole name so two long names never meet.
    public static func name(runID: String, node: String) -> String {
        var hash: UInt32 = 2_166_136_261  // FNV-1a: stable across runs and platforms
        for byte in node.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        let hashText = String(hash, radix: 16)
        var cut = String(node.replacingOccurrences(of: ".", with: "-").prefix(63 - 4 - runID.count - 2 - hashText.count))
        while cut.hasSuffix("-") { cut.removeLast() }
        return "rb-\(runID)-\(cut.isEmpty ? "" : cut + "-")\(hashText)"
    }

    /// The pod as JSON, for `kubectl create -f -`.
    public static func manifest(name: String, namespace: String, node: String, image: String,
                                runID: String, creator: DebugPodCreator) -> String {
        let pod: [String: Any] = [
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": [
                "name": name,
                "namespace": namespace,
                "labels": [managedByLabel: managedByValue, runLabel: runID],
                "annotations": [
                    nodeAnnotation: node,
                    hostAnnotation: creator.host,
                    bootAnnotation: creator.bootID,
                    pidAnnotation: String(creator.pid),
                    startAnnotation: String(creator.startTicks),
                ],
            ],
            "spec": [
                "nodeName": node,
                "hostPID": true,
                "hostNetwork": true,
                "hostIPC": true,
                "restartPolicy": "Never",
                "terminationGracePeriodSeconds": 0,
                "automountServiceAccountToken": false,
                "enableServiceLinks": false,
                "tolerations": [["operator": "Exists"]],
                "containers": [[
                    "name": containerName,
                    "image": image,
                    "command": ["sleep", String(sleepSeconds)],
                    "securityContext": ["privileged": true],
                    "volumeMounts": [["name": "host-root", "mountPath": "/host"]],
                ]],
                "volumes": [["name": "host-root", "hostPath": ["path": "/"]]],
            ],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: pod, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// A fresh run id: 8 lowercase hex digits (a label value and part of pod names).
    public static func newRunID() -> String {
        String((0..<8).map { _ in "0123456789abcdef".randomElement()! })
    }
}

/// What `kubectl get pods -o json` says of one debug pod.
public struct DebugPodStatus: Sendable, Equatable {
    public var name: String
    public var namespace: String
    public var phase: String
    /// A container waiting reason and message (ImagePullBackOff, ErrImagePull, …), if any.
    public var waiting: String?
    /// When the pod was created (RFC 3339), for the age bound.
    public var created: Date?
    public var creator: DebugPodCreator?
    public var runID: String?

    public init(name: String, namespace: String, phase: String, waiting: String? = nil, created: Date? = nil,
                creator: DebugPodCreator? = nil, runID: String? = nil) {
        self.name = name
        self.namespace = namespace
        self.phase = phase
        self.waiting = waiting
        self.created = created
        self.creator = creator
        self.runID = runID
    }

    /// Parses a Pod or a PodList object.
    public static func parse(json: String) -> [DebugPodStatus] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return [] }
        let items = (object["items"] as? [[String: Any]]) ?? (object["kind"] as? String == "Pod" ? [object] : [])
        return items.compactMap(status)
    }

    private static func status(_ pod: [String: Any]) -> DebugPodStatus? {
        let metadata = pod["metadata"] as? [String: Any] ?? [:]
        guard let name = metadata["name"] as? String else { return nil }
        let status = pod["status"] as? [String: Any] ?? [:]
        var waiting: String?
        for container in status["containerStatuses"] as? [[String: Any]] ?? [] {
            if let state = (container["state"] as? [String: Any])?["waiting"] as? [String: Any],
               let reason = state["reason"] as? String {
                waiting = reason + ((state["message"] as? String).map { ": " + $0 } ?? "")
            }
        }
        let annotations = metadata["annotations"] as? [String: String] ?? [:]
        var creator: DebugPodCreator?
        if let host = annotations[DebugPod.hostAnnotation], let pid = annotations[DebugPod.pidAnnotation].flatMap({ Int32($0) }) {
            creator = DebugPodCreator(host: host, bootID: annotations[DebugPod.bootAnnotation] ?? "", pid: pid,
                                      startTicks: annotations[DebugPod.startAnnotation].flatMap { UInt64($0) } ?? 0)
        }
        let created = (metadata["creationTimestamp"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) }
        return DebugPodStatus(name: name, namespace: metadata["namespace"] as? String ?? "",
                              phase: status["phase"] as? String ?? "Pending", waiting: waiting, created: created,
                              creator: creator, runID: (metadata["labels"] as? [String: String])?[DebugPod.runLabel])
    }
}
