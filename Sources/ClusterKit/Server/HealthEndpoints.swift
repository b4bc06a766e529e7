/// `/healthz`, `/livez`, `/readyz` (with `?verbose`) from the manifest's recorded `health`.
enum HealthEndpoints {
    static let defaultChecks = [
        "ping", "log", "etcd", "etcd-readiness", "informer-sync", "poststarthook/start-apiserver-admission-initializer",
        "poststarthook/generic-apiserver-start-informers", "poststarthook/start-kube-apiserver-admission-initializer",
        "poststarthook/rbac/bootstrap-roles", "poststarthook/scheduling/bootstrap-system-priority-classes",
        "poststarthook/apiservice-registration-controller", "autoregister-completion", "shutdown",
    ]

    static func answer(_ endpoint: String, verbose: Bool, manifest: ClusterManifest) -> HTTPResponse {
        let recorded = endpoint == "readyz" ? manifest.readyz : endpoint == "livez" ? manifest.livez : nil
        let status = recorded?.status ?? 200
        let checks = endpoint == "livez" ? defaultChecks.filter { $0 != "etcd-readiness" && $0 != "informer-sync" && $0 != "shutdown" } : defaultChecks
        let body = recorded?.body
            ?? checks.map { "[+]\($0) ok\n" }.joined() + "\(endpoint) check passed\n"
        if verbose || status != 200 { return .text(body, status: status) }
        return .text("ok", status: 200)
    }
}
