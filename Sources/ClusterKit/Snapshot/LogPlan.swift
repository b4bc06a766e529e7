import Foundation

/// Which logs a snapshot collects: those of the pods that are not healthy. Pure functions of
/// the decoded pod list.
enum LogPlan {
    struct Request {
        let namespace: String
        let pod: String
        let container: String
        let previous: Bool

        var file: String {
            "\(ClusterFormat.logsDirectory)/\(namespace)/\(pod)/\(container)\(previous ? ".previous" : "").log"
        }
    }

    /// The logs of every pod that is not healthy: not Running, a container not ready,
    /// restarted, or waiting or terminated with a reason. Current logs of containers that
    /// have run; previous logs of those that restarted.
    static func requests(for list: [String: Any]) -> [Request] {
        guard let items = list["items"] as? [Any] else { return [] }
        var planned: [Request] = []
        for case let pod as [String: Any] in items {
            guard let metadata = pod["metadata"] as? [String: Any], let name = metadata["name"] as? String,
                  let namespace = metadata["namespace"] as? String,
                  isSafeName(name), isSafeName(namespace) else { continue }
            let status = pod["status"] as? [String: Any]
            let statuses = ((status?["initContainerStatuses"] as? [[String: Any]]) ?? [])
                + ((status?["containerStatuses"] as? [[String: Any]]) ?? [])
            guard !isHealthy(phase: status?["phase"] as? String, statuses: statuses) else { continue }
            for container in statuses {
                guard let containerName = container["name"] as? String, isSafeName(containerName) else { continue }
                let state = container["state"] as? [String: Any]
                let restarts = container["restartCount"] as? Int ?? 0
                let ranBefore = restarts > 0 || (container["lastState"] as? [String: Any])?["terminated"] != nil
                // A container waiting to restart (CrashLoopBackOff) still answers its current
                // log with its last instance's output, as `kubectl logs` shows it.
                if state?["running"] != nil || state?["terminated"] != nil || ranBefore {
                    planned.append(Request(namespace: namespace, pod: name, container: containerName, previous: false))
                }
                if ranBefore {
                    planned.append(Request(namespace: namespace, pod: name, container: containerName, previous: true))
                }
            }
        }
        return planned
    }

    static func isHealthy(phase: String?, statuses: [[String: Any]]) -> Bool {
        guard phase == "Running" else { return false }
        for container in statuses {
            if (container["restartCount"] as? Int ?? 0) > 0 { return false }
            let state = container["state"] as? [String: Any]
            if let waiting = state?["waiting"] as? [String: Any], waiting["reason"] != nil { return false }
            if let terminated = state?["terminated"] as? [String: Any], terminated["reason"] != nil {
                // A finished init container is how a healthy pod starts.
                if terminated["reason"] as? String != "Completed" { return false }
                continue
            }
            if container["ready"] as? Bool != true { return false }
        }
        return true
    }

    /// A name that is safe as a path component (Kubernetes names always are; a hostile
    /// server's might not be).
    static func isSafeName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && name.utf8.count <= 253
            && name.utf8.allSatisfy { $0 > 32 && $0 < 127 && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "\\")
                && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "&") && $0 != UInt8(ascii: "#") && $0 != UInt8(ascii: "%") }
    }
}
