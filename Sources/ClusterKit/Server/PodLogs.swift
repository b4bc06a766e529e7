/// `pods/NAME/log`: the recorded log files, with the API server's refusals for a container
/// that never started and for a missing previous instance.
struct PodLogs {
    let store: ClusterStore

    func answer(pod: StoredObject, query: [String: String]) -> HTTPResponse {
        let containers = (pod.json.at("spec.containers")?.array ?? []).compactMap { $0["name"]?.string }
        let initContainers = (pod.json.at("spec.initContainers")?.array ?? []).compactMap { $0["name"]?.string }
        let ephemeral = (pod.json.at("spec.ephemeralContainers")?.array ?? []).compactMap { $0["name"]?.string }
        let container: String
        if let asked = query["container"], !asked.isEmpty {
            guard (containers + initContainers + ephemeral).contains(asked) else {
                return APIStatus.badRequest("container \(asked) is not valid for pod \(pod.name)")
            }
            container = asked
        } else if containers.count == 1 {
            container = containers[0]
        } else {
            return APIStatus.badRequest("a container name must be specified for pod \(pod.name), choose one of: [\(containers.joined(separator: " "))]"
                                        + (initContainers.isEmpty ? "" : " or one of the init containers: [\(initContainers.joined(separator: " "))]"))
        }
        let previous = query["previous"] == "true"
        if let refusal = refusal(containerStatus(pod.json, container), container: container, pod: pod.name, previous: previous) {
            return APIStatus.badRequest(refusal)
        }
        var text = tail(store.log(namespace: pod.namespace, pod: pod.name, container: container, previous: previous) ?? "",
                        query["tailLines"])
        if let limit = query["limitBytes"].flatMap(Int.init), limit >= 0, text.utf8.count > limit {
            text = String(decoding: Array(text.utf8.prefix(limit)), as: UTF8.self)
        }
        return .text(text)
    }

    /// The kubelet's rules for which container states have a log (the same order and words).
    private func refusal(_ status: JSON?, container: String, pod: String, previous: Bool) -> String? {
        if previous {
            return status?.at("lastState.terminated") == nil
                ? "previous terminated container \"\(container)\" in pod \"\(pod)\" not found" : nil
        }
        if status?.at("state.running") != nil || status?.at("state.terminated") != nil
            || status?.at("lastState.terminated") != nil { return nil }
        if let waiting = status?.at("state.waiting") {
            return "container \"\(container)\" in pod \"\(pod)\" is waiting to start: \(waiting["reason"]?.string ?? "")"
        }
        return "container \"\(container)\" in pod \"\(pod)\" is waiting to start - no logs yet"
    }

    private func containerStatus(_ pod: JSON, _ name: String) -> JSON? {
        for key in ["status.containerStatuses", "status.initContainerStatuses", "status.ephemeralContainerStatuses"] {
            if let s = pod.at(key)?.array?.first(where: { $0["name"]?.string == name }) { return s }
        }
        return nil
    }

    /// The last `n` lines (a final newline does not start a line).
    private func tail(_ text: String, _ lines: String?) -> String {
        guard let lines, let n = Int(lines), n >= 0 else { return text }
        var all = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if all.last == "" { all.removeLast() }
        return all.suffix(n).map { $0 + "\n" }.joined()
    }
}
