// Refusals the test bed can be told to make, as a real API server words them, so that the
// transport's explanations are tested against kubectl's own output: RBAC (`--forbid
// create:pods/exec`) and PodSecurity admission (`--pod-security baseline`). Both are
// answered as 403 Forbidden; these functions give the message.

public struct TestBedPolicy: Sendable, Equatable {
    /// "VERB:RESOURCE" pairs the test bed's one user may not do: create:pods, create:pods/exec, list:nodes, …
    public var forbidden: Set<String>
    /// The PodSecurity level every namespace enforces (baseline or restricted), nil: privileged.
    public var podSecurity: String?

    public static let user = "system:serviceaccount:ops:runbook"

    public init(forbidden: Set<String> = [], podSecurity: String? = nil) {
        self.forbidden = forbidden
        self.podSecurity = podSecurity
    }

    /// Parses `--forbid` values and the `--pod-security` level; the error says what is accepted.
    public static func parse(forbid: [String], podSecurity: String?) throws -> TestBedPolicy {
        for item in forbid {
            let parts = item.split(separator: ":")
            guard parts.count == 2, ["create", "get", "list", "delete"].contains(String(parts[0])),
                  ["pods", "pods/exec", "nodes"].contains(String(parts[1])) else {
                throw TestBedError("--forbid '\(item)' is not VERB:RESOURCE (create, get, list or delete; pods, pods/exec or nodes)")
            }
        }
        if let podSecurity, !["baseline", "restricted", "privileged"].contains(podSecurity) {
            throw TestBedError("--pod-security '\(podSecurity)' is not privileged, baseline or restricted")
        }
        return TestBedPolicy(forbidden: Set(forbid), podSecurity: podSecurity == "privileged" ? nil : podSecurity)
    }

    /// RBAC's message refusing `verb` on `resource`, nil when allowed. `name`: the object, when one is named.
    public func refusal(_ verb: String, _ resource: String, name: String?, namespace: String?) -> String? {
        guard forbidden.contains(verb + ":" + resource) else { return nil }
        let object = resource.split(separator: "/").first.map(String.init) ?? resource
        let subject = name.map { "\(object) \"\($0)\"" } ?? object
        let scope = namespace.map { "in the namespace \"\($0)\"" } ?? "at the cluster scope"
        return "\(subject) is forbidden: User \"\(Self.user)\" cannot \(verb) resource \"\(resource)\" in API group \"\" \(scope)"
    }

    /// PodSecurity admission's message refusing a pod that asks for host namespaces, privilege
    /// or hostPath under a baseline or restricted namespace; nil when it is admitted.
    public func admission(pod name: String, spec: JSON) -> String? {
        guard let level = podSecurity else { return nil }
        var violations: [String] = []
        let hosts = ["hostNetwork", "hostPID", "hostIPC"].filter { spec[$0]?.bool == true }
        if !hosts.isEmpty { violations.append("host namespaces (\(hosts.map { "\($0)=true" }.joined(separator: ", ")))") }
        let privileged = (spec["containers"]?.array ?? []).filter { $0.at("securityContext.privileged")?.bool == true }
            .compactMap { $0["name"]?.string }
        if !privileged.isEmpty {
            violations.append("privileged (\(privileged.map { "container \"\($0)\" must not set securityContext.privileged=true" }.joined(separator: ", ")))")
        }
        let hostPaths = (spec["volumes"]?.array ?? []).filter { $0["hostPath"] != nil }.compactMap { $0["name"]?.string }
        if !hostPaths.isEmpty { violations.append("hostPath volumes (\(hostPaths.map { "volume \"\($0)\"" }.joined(separator: ", ")))") }
        guard !violations.isEmpty else { return nil }
        return "pods \"\(name)\" is forbidden: violates PodSecurity \"\(level):latest\": \(violations.joined(separator: ", "))"
    }
}
