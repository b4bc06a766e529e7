import XCTest
import RunbookKit

/// The Kubernetes transport's pure parts: the debug pod, kubectl's refusals explained, node lists.
final class TestBedTransportTests: XCTestCase {
    let creator = DebugPodCreator(host: "ops1", bootID: "boot-a", pid: 4242, startTicks: 777)

    func testManifestIsThePrivilegedDebugPodOnTheNode() throws {
        let text = DebugPod.manifest(name: "rb-1-n", namespace: "tools", node: "worker-1.example",
                                     image: "registry.local/busybox:1", runID: "abcd1234", creator: creator)
        let pod = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let metadata = try XCTUnwrap(pod["metadata"] as? [String: Any])
        XCTAssertEqual(metadata["namespace"] as? String, "tools")
        XCTAssertEqual(metadata["labels"] as? [String: String],
                       ["app.kubernetes.io/managed-by": "runbook", "runbook.io/run": "abcd1234"])
        let annotations = try XCTUnwrap(metadata["annotations"] as? [String: String])
        XCTAssertEqual(annotations["runbook.io/creator-pid"], "4242")
        XCTAssertEqual(annotations["runbook.io/creator-host"], "ops1")
        let spec = try XCTUnwrap(pod["spec"] as? [String: Any])
        XCTAssertEqual(spec["nodeName"] as? String, "worker-1.example")
        for key in ["hostPID", "hostNetwork", "hostIPC"] { XCTAssertEqual(spec[key] as? Bool, true, key) }
        XCTAssertEqual(spec["tolerations"] as? [[String: String]], [["operator": "Exists"]])
        let container = try XCTUnwrap((spec["containers"] as? [[String: Any]])?.first)
        XCTAssertEqual(container["image"] as? String, "registry.local/busybox:1")
        XCTAssertEqual((container["securityContext"] as? [String: Bool])?["privileged"], true)
        XCTAssertEqual((container["volumeMounts"] as? [[String: String]])?.first?["mountPath"], "/host")
        XCTAssertEqual(((spec["volumes"] as? [[String: Any]])?.first?["hostPath"] as? [String: String])?["path"], "/")
    }

    func testPodNamesAreDNSLabelsAndDistinctForLongNodeNames() {
        let long = String(repeating: "a", count: 80)
        let a = DebugPod.name(runID: "abcd1234", node: long + "-1")
        let b = DebugPod.name(runID: "abcd1234", node: long + "-2")
        XCTAssertNotEqual(a, b)
        for name in [a, b, DebugPod.name(runID: "abcd1234", node: "n.example.com")] {
            XCTAssertLessThanOrEqual(name.count, 63)
            XCTAssertFalse(name.contains("."))
            XCTAssertFalse(name.hasSuffix("-"))
        }
    }

    func testOnlyProvablyDeadCreatorsAreStale() {
        let here = DebugPodCreator(host: "ops1", bootID: "boot-a", pid: 1, startTicks: 5)
        let alive: (Int32) -> UInt64? = { $0 == 4242 ? 777 : nil }
        XCTAssertFalse(creator.isProvablyDead(seenFrom: here, startTicksOf: alive))
        XCTAssertTrue(creator.isProvablyDead(seenFrom: here, startTicksOf: { _ in nil }), "pid gone")
        XCTAssertTrue(creator.isProvablyDead(seenFrom: here, startTicksOf: { _ in 778 }), "pid reused")
        var rebooted = here; rebooted.bootID = "boot-b"
        XCTAssertTrue(creator.isProvablyDead(seenFrom: rebooted, startTicksOf: alive))
        var elsewhere = here; elsewhere.host = "ops2"
        XCTAssertFalse(creator.isProvablyDead(seenFrom: elsewhere, startTicksOf: { _ in nil }), "another machine cannot be checked")
        XCTAssertFalse(creator.isProvablyDead(seenFrom: creator, startTicksOf: { _ in nil }), "never this process")
    }

    func testStaleSelectionKeepsThisRunAndHonoursTheAgeBound() {
        let old = Date(timeIntervalSince1970: 1_000)
        func pod(_ name: String, _ c: DebugPodCreator?, run: String) -> DebugPodStatus {
            DebugPodStatus(name: name, namespace: "default", phase: "Running", created: old, creator: c, runID: run)
        }
        var remote = creator; remote.host = "ops2"
        let pods = [pod("dead", creator, run: "r1"), pod("mine", creator, run: "keep"), pod("remote", remote, run: "r3")]
        let here = DebugPodCreator(host: "ops1", bootID: "boot-a", pid: 1, startTicks: 5)
        let now = Date(timeIntervalSince1970: 1_000 + 7200)
        XCTAssertEqual(KubernetesCleanup.stale(pods, here: here, olderThan: nil, keepRun: "keep", now: now, startTicksOf: { _ in nil }).map(\.name), ["dead"])
        XCTAssertEqual(KubernetesCleanup.stale(pods, here: here, olderThan: 3600, keepRun: "keep", now: now, startTicksOf: { _ in nil }).map(\.name), ["dead", "remote"])
        XCTAssertEqual(KubernetesCleanup.stale(pods, here: here, olderThan: 9000, keepRun: nil, now: now, startTicksOf: { _ in nil }).map(\.name), ["dead", "mine"])
    }

    func testForbiddenExecExplainsTheRBACRule() throws {
        let text = #"Error from server (Forbidden): pods "rb-x" is forbidden: User "system:serviceaccount:ops:bot" cannot create resource "pods/exec" in API group "" in the namespace "default""#
        let why = try XCTUnwrap(KubernetesFailure.explain(text, namespace: "default"))
        XCTAssertTrue(why.contains("system:serviceaccount:ops:bot may not create pods/exec in namespace 'default'"), why)
        XCTAssertTrue(why.contains("create and get on pods/exec"), why)
        XCTAssertNotNil(KubernetesFailure.reason(inStderr: "x\n" + text))
    }

    func testForbiddenCreateAndNodeListAreExplained() throws {
        let create = #"Error from server (Forbidden): error when creating "STDIN": pods is forbidden: User "alice" cannot create resource "pods" in API group "" in the namespace "kube-system""#
        XCTAssertTrue(try XCTUnwrap(KubernetesFailure.explain(create, namespace: "kube-system")).contains("alice may not create pods in namespace 'kube-system'"))
        let nodes = #"Error from server (Forbidden): nodes is forbidden: User "alice" cannot list resource "nodes" in API group "" at the cluster scope"#
        XCTAssertTrue(try XCTUnwrap(KubernetesFailure.explain(nodes, namespace: "default")).contains("may not list nodes at the cluster scope"))
    }

    func testPodSecurityViolationNamesTheLevel() throws {
        let text = #"Error from server (Forbidden): error when creating "STDIN": pods "rb-x" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true, hostPID=true, hostIPC=true), privileged (container "debugger" must not set securityContext.privileged=true), hostPath volumes (volume "host-root")"#
        let why = try XCTUnwrap(KubernetesFailure.explain(text, namespace: "apps"))
        XCTAssertTrue(why.contains("enforces PodSecurity \"baseline:latest\""), why)
        XCTAssertTrue(why.contains("pod-security.kubernetes.io/enforce=privileged"), why)
        XCTAssertNil(KubernetesFailure.explain("some other error", namespace: "apps"))
    }

    func testExitCodeNoticeAndCommandOutputAreTold() {
        XCTAssertTrue(KubernetesFailure.isExitCodeNotice("command terminated with exit code 3"))
        XCTAssertFalse(KubernetesFailure.isExitCodeNotice("the command terminated with exit code 3"))
        XCTAssertNil(KubernetesFailure.reason(inStderr: "df: /x: No such file\n"))
    }

    func testNodeListReadiness() throws {
        let json = #"{"kind":"NodeList","items":[{"metadata":{"name":"a"},"status":{"conditions":[{"type":"Ready","status":"True"}]}},{"metadata":{"name":"b"},"status":{"conditions":[{"type":"Ready","status":"Unknown","reason":"NodeStatusUnknown","message":"Kubelet stopped posting node status."}]}}]}"#
        let nodes = try XCTUnwrap(KubernetesNode.parse(json: json))
        XCTAssertEqual(nodes, [KubernetesNode(name: "a", ready: true),
                               KubernetesNode(name: "b", ready: false, notReadyReason: "NodeStatusUnknown: Kubelet stopped posting node status.")])
        XCTAssertNil(KubernetesNode.parse(json: "not json"))
        XCTAssertNil(KubernetesNode.parse(json: #"{"kind":"Pod"}"#))
    }

    func testNodeDestinations() {
        XCTAssertEqual(NodeDestination(host: "node/worker-1")?.name, "worker-1")
        XCTAssertNil(NodeDestination(host: "worker-1"))
        XCTAssertNil(NodeDestination(host: "node/-x"))
        XCTAssertNil(NodeDestination(host: "node/a b"))
        XCTAssertNil(NodeDestination(host: "node/"))
        XCTAssertNil(NodeDestination(host: "node/a")?.transport)
        XCTAssertEqual(NodeDestination(host: "kubectl:node/a")?.transport, .kubectl)
        XCTAssertEqual(NodeDestination(host: "auto:node/a")?.name, "a")
        XCTAssertEqual(NodeDestination(host: "ssh:node/a")?.transport, .ssh)
        XCTAssertNil(NodeDestination(host: "telnet:node/a"))
        XCTAssertNil(NodeDestination(host: "kubectl:a"))
    }
}
