// Telling kubectl's own failures (the API server refused or could not be reached) from the
// remote command's, and saying what permission or PodSecurity level is missing.

public enum KubernetesFailure {
    /// kubectl's phrasing of "the API server or the node could not be reached / refused us".
    static let markers = [
        "Error from server",
        "Unable to connect to the server",
        "error: unable to upgrade connection",
        "error dialing backend",
        "error: Internal error occurred",
        "error: error sending request",
        "error: You must be logged in to the server",
        "The connection to the server",
    ]

    /// kubectl's last line when the remote command exited non-zero ("command terminated with
    /// exit code N"): the exit code is passed through, the line is kubectl's, not the command's.
    public static func isExitCodeNotice(_ line: String) -> Bool {
        line.hasPrefix("command terminated with exit code ")
    }

    /// The first line of kubectl's own failure in `stderr`, nil when there is none.
    public static func reason(inStderr stderr: String) -> String? {
        for line in stderr.split(separator: "\n") where markers.contains(where: { line.contains($0) }) {
            return String(line)
        }
        return nil
    }

    /// An explanation of a refusal by RBAC or admission, with what is missing; nil for other text.
    public static func explain(_ stderr: String, namespace: String) -> String? {
        for raw in stderr.split(separator: "\n") {
            let line = String(raw)
            if line.contains("violates PodSecurity") {
                let level = quoted(after: "violates PodSecurity ", in: line) ?? "baseline"
                return "namespace '\(namespace)' enforces PodSecurity \"\(level)\"; a debug pod needs level "
                    + "\"privileged\" (host namespaces, privileged container, hostPath /). Use --debug-namespace with a "
                    + "namespace labelled pod-security.kubernetes.io/enforce=privileged, or label this one so."
            }
            guard line.contains("(Forbidden)") || line.contains(" is forbidden: ") else { continue }
            let user = quoted(after: "User ", in: line) ?? "you"
            let verb = line.range(of: "cannot ").map { line[$0.upperBound...].prefix(while: { $0 != " " }) }.map(String.init) ?? "use"
            let resource = quoted(after: "resource ", in: line) ?? "pods"
            let scope = line.contains("at the cluster scope") ? "at the cluster scope" : "in namespace '\(namespace)'"
            var needed = "\(verb) on \(resource)"
            if resource == "pods/exec" {
                needed = "create and get on pods/exec (kubectl exec upgrades a GET to WebSocket)"
            }
            return "\(user) may not \(verb) \(resource) \(scope): the transport needs RBAC \(needed) "
                + "(and create, get, list, delete on pods; list on nodes for --nodes all). See docs/NODES.md."
        }
        return nil
    }

    /// The text between the double quotes after `marker`.
    private static func quoted(after marker: String, in line: String) -> String? {
        guard let start = line.range(of: marker + "\"") else { return nil }
        let rest = line[start.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end])
    }
}
