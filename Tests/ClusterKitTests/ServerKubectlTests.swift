import Foundation
import XCTest
@testable import ClusterKit

/// The real kubectl against the served `basic` fixture cluster: exact output.
/// Times in `describe` and `-o json` depend on when the test runs (fixture times are shifted
/// to now), so those are compared with every absolute time replaced by `<time>`.
final class ServerKubectlTests: XCTestCase {
    nonisolated(unsafe) static var cluster: ServedCluster!

    override class func setUp() {
        super.setUp()
        cluster = try! ServedCluster("basic")
    }

    override class func tearDown() {
        cluster = nil
        super.tearDown()
    }

    var cluster: ServedCluster { ServerKubectlTests.cluster }

    /// Absolute times replaced by `<time>` (describe's RFC 1123 form and RFC 3339).
    func normalized(_ text: String) -> String {
        var out = text
        for pattern in [#"[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} \+0000"#,
                        #"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z"#] {
            out = out.replacingOccurrences(of: pattern, with: "<time>", options: .regularExpression)
        }
        return out
    }

    func testGetPodsInAllNamespaces() throws {
        XCTAssertEqual(try cluster.output("get", "pods", "-A"), ALL)
    }

    func testGetPodsWide() throws {
        XCTAssertEqual(try cluster.output("get", "pods", "-n", "shop", "-o", "wide"), WIDE)
    }

    func testGetPodJSON() throws {
        XCTAssertEqual(normalized(try cluster.output("get", "pod", "-n", "shop", "worker-6c8d9f7b5-pqrst", "-o", "json")), JSONOUT)
    }

    func testJSONPathOverAList() throws {
        XCTAssertEqual(try cluster.output("get", "pods", "-A", "-o", "jsonpath={.items[*].status.phase}"),
                       "Running Running Running Pending Succeeded Pending Running Running Pending")
    }

    func testLabelSelector() throws {
        XCTAssertEqual(try cluster.output("get", "pods", "-n", "shop", "-l", "app=web", "-o", "name"),
                       "pod/web-7d4b9c6f5-abcde\npod/web-7d4b9c6f5-fghij\n")
        XCTAssertEqual(try cluster.output("get", "pods", "-A", "-l", "app in (api,cache),app!=cache", "-o", "name"),
                       "pod/api-5f6d7c8b9-xk2lp\n")
    }

    func testFieldSelector() throws {
        XCTAssertEqual(try cluster.output("get", "pods", "-A", "--field-selector", "status.phase=Pending"), #"""
        NAMESPACE   NAME                       READY   STATUS             RESTARTS   AGE
        shop        frontend-8f9c7d6b4-m2n3p   0/1     ImagePullBackOff   0          15m
        shop        report-0                   0/1     Init:0/1           0          11m
        shop        worker-6c8d9f7b5-pqrst     0/1     Pending            0          30m

        """#)
        XCTAssertEqual(try cluster.output("get", "pods", "-A", "--field-selector", "spec.nodeName=node-2", "-o", "name"),
                       "pod/cache-0\n")
    }

    func testDescribePod() throws {
        XCTAssertEqual(normalized(try cluster.output("describe", "pod", "-n", "shop", "api-5f6d7c8b9-xk2lp")), DESCRIBEPOD)
    }

    func testDescribeNode() throws {
        XCTAssertEqual(normalized(try cluster.output("describe", "node", "node-2")), DESCRIBENODE)
    }

    func testLogs() throws {
        XCTAssertEqual(try cluster.output("logs", "-n", "shop", "api-5f6d7c8b9-xk2lp"),
                       "starting api 2.4.1\nconnecting to postgres at db.shop.svc:5432\nerror: connection refused (db.shop.svc:5432)\nexiting with status 1\n")
        XCTAssertEqual(try cluster.output("logs", "-n", "shop", "api-5f6d7c8b9-xk2lp", "--previous"),
                       "starting api 2.4.1\nconnecting to postgres at db.shop.svc:5432\nerror: connection refused (db.shop.svc:5432)\nexiting with status 1 (previous)\n")
        XCTAssertEqual(try cluster.output("logs", "-n", "shop", "api-5f6d7c8b9-xk2lp", "--tail=2"),
                       "error: connection refused (db.shop.svc:5432)\nexiting with status 1\n")
    }

    func testLogsRefusedLikeTheAPIServer() throws {
        let waiting = try cluster.kubectl("logs", "-n", "shop", "frontend-8f9c7d6b4-m2n3p")
        XCTAssertEqual(waiting.status, 1)
        XCTAssertEqual(waiting.stderr, "Error from server (BadRequest): container \"frontend\" in pod \"frontend-8f9c7d6b4-m2n3p\" is waiting to start: ImagePullBackOff\n")
        let previous = try cluster.kubectl("logs", "-n", "shop", "web-7d4b9c6f5-abcde", "--previous")
        XCTAssertEqual(previous.stderr, "Error from server (BadRequest): previous terminated container \"web\" in pod \"web-7d4b9c6f5-abcde\" not found\n")
    }

    func testGetEvents() throws {
        XCTAssertEqual(try cluster.output("get", "events", "-A"), EVENTS)
    }

    func testKubectlEvents() throws {
        XCTAssertEqual(try cluster.output("events", "-n", "shop"), KEVENTS)
    }

    func testReadyzVerbose() throws {
        XCTAssertEqual(try cluster.output("get", "--raw", "/readyz?verbose"), READYZ)
    }

    func testAWriteIsRefused() throws {
        let r = try cluster.kubectl("delete", "pod", "-n", "shop", "web-7d4b9c6f5-abcde")
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "Error from server (MethodNotAllowed): read-only: this is a recorded cluster, DELETE pods \"web-7d4b9c6f5-abcde\" is not possible (only get and list are served)\n")
        XCTAssertEqual(try cluster.output("get", "pods", "-n", "shop", "web-7d4b9c6f5-abcde", "-o", "name"), "pod/web-7d4b9c6f5-abcde\n")
    }

    func testNotFound() throws {
        let r = try cluster.kubectl("get", "pod", "-n", "shop", "nope")
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "Error from server (NotFound): pods \"nope\" not found\n")
        let d = try cluster.kubectl("get", "deployment", "-n", "shop", "nope")
        XCTAssertEqual(d.stderr, "Error from server (NotFound): deployments.apps \"nope\" not found\n")
    }

    func testTheOtherPrinters() throws {
        XCTAssertEqual(try cluster.output("get", "deploy,rs,sts,cronjob,job,ep,pvc,cm,secret,pdb,ing", "-n", "shop", "-o", "wide"), PRINTERS)
        XCTAssertEqual(try cluster.output("get", "sc,ds", "-A"), PRINTERS2)
    }

    func testShortNamesResolveThroughDiscovery() throws {
        let names = try cluster.output("get", "po,no,svc,deploy,ds,sts,rs,pvc,pv,sc,ep,ev,cm,ing,hpa,pdb,cj,ns,csr,crd,pc", "-A", "-o", "name")
        let lines = names.split(separator: "\n")
        XCTAssertEqual(lines.count, 36, names)
        XCTAssertTrue(lines.contains("cronjob.batch/nightly-report"), names)
        XCTAssertTrue(lines.contains("storageclass.storage.k8s.io/standard"), names)
        XCTAssertEqual(try cluster.output("api-resources", "--namespaced=false", "--api-group=storage.k8s.io", "-o", "name"),
                       "csidrivers.storage.k8s.io\ncsinodes.storage.k8s.io\nstorageclasses.storage.k8s.io\nvolumeattachments.storage.k8s.io\n")
    }

    func testEventsAreServedAsEventsV1Too() throws {
        XCTAssertEqual(try cluster.output("get", "events.v1.events.k8s.io", "-n", "default", "-o",
                                          "jsonpath={.items[0].regarding.name} {.items[0].note} {.items[0].deprecatedCount}"),
                       "node-2 Node node-2 status is now: NodeNotReady 1")
    }

    func testWatchIsRefused() throws {
        let r = try cluster.kubectl("get", "pods", "-n", "shop", "--watch-only")
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("watch pods is not served"), r.stderr)
    }
}

private let PRINTERS = #"""
    NAME                  READY   UP-TO-DATE   AVAILABLE   AGE   CONTAINERS   IMAGES       SELECTOR
    deployment.apps/web   2/2     2            2           3d    web          nginx:1.27   app=web

    NAME                            DESIRED   CURRENT   READY   AGE   CONTAINERS   IMAGES       SELECTOR
    replicaset.apps/web-7d4b9c6f5   2         2         2       3d    web          nginx:1.27   app=web,pod-template-hash=7d4b9c6f5

    NAME                     READY   AGE   CONTAINERS   IMAGES
    statefulset.apps/cache   0/1     12d   cache        redis:7.2

    NAME                           SCHEDULE    TIMEZONE   SUSPEND   ACTIVE   LAST SCHEDULE   AGE   CONTAINERS   IMAGES                                 SELECTOR
    cronjob.batch/nightly-report   0 2 * * *   <none>     False     0        8h              12d   report       registry.example.com/shop/report:0.9   <none>

    NAME                STATUS     COMPLETIONS   DURATION   AGE   CONTAINERS   IMAGES                                SELECTOR
    job.batch/migrate   Complete   1/1           60s        5h    migrate      registry.example.com/shop/api:2.4.1   batch.kubernetes.io/controller-uid=0f0e0d0c-0000-4000-8000-000000000007

    NAME            ENDPOINTS                       AGE
    endpoints/api                                   12d
    endpoints/web   10.244.0.10:80,10.244.0.11:80   12d

    NAME                                 STATUS    VOLUME   CAPACITY   ACCESS MODES   STORAGECLASS   VOLUMEATTRIBUTESCLASS   AGE   VOLUMEMODE
    persistentvolumeclaim/data-cache-0   Pending                                      fast-ssd       <unset>                 2d    Filesystem

    NAME                    DATA   AGE
    configmap/shop-config   2      12d

    NAME                     TYPE     DATA   AGE
    secret/api-credentials   Opaque   2      12d

    NAME                             MIN AVAILABLE   MAX UNAVAILABLE   ALLOWED DISRUPTIONS   AGE
    poddisruptionbudget.policy/web   1               N/A               1                     3d

    NAME                             CLASS   HOSTS              ADDRESS          PORTS   AGE
    ingress.networking.k8s.io/shop   nginx   shop.example.com   192.168.56.100   80      12d

    """#

private let PRINTERS2 = #"""
    NAME                                             PROVISIONER             RECLAIMPOLICY   VOLUMEBINDINGMODE      ALLOWVOLUMEEXPANSION   AGE
    storageclass.storage.k8s.io/standard (default)   rancher.io/local-path   Delete          WaitForFirstConsumer   false                  40d

    NAMESPACE     NAME                           DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE SELECTOR            AGE
    kube-system   daemonset.apps/node-exporter   2         2         1       2            1           kubernetes.io/os=linux   40d

    """#

private let ALL = #"""
    NAMESPACE     NAME                       READY   STATUS             RESTARTS      AGE
    kube-system   coredns-668d6bf9bc-7xq2w   1/1     Running            0             40d
    shop          api-5f6d7c8b9-xk2lp        0/1     CrashLoopBackOff   5 (12m ago)   90m
    shop          cache-0                    1/1     Terminating        0             2d
    shop          frontend-8f9c7d6b4-m2n3p   0/1     ImagePullBackOff   0             15m
    shop          migrate-4h7kq              0/1     Completed          0             5h
    shop          report-0                   0/1     Init:0/1           0             11m
    shop          web-7d4b9c6f5-abcde        1/1     Running            0             3d
    shop          web-7d4b9c6f5-fghij        1/1     Running            0             3d
    shop          worker-6c8d9f7b5-pqrst     0/1     Pending            0             30m

    """#

private let WIDE = #"""
    NAME                       READY   STATUS             RESTARTS      AGE   IP            NODE     NOMINATED NODE   READINESS GATES
    api-5f6d7c8b9-xk2lp        0/1     CrashLoopBackOff   5 (12m ago)   90m   10.244.0.21   node-1   <none>           <none>
    cache-0                    1/1     Terminating        0             2d    10.244.1.5    node-2   <none>           <none>
    frontend-8f9c7d6b4-m2n3p   0/1     ImagePullBackOff   0             15m   10.244.0.33   node-1   <none>           <none>
    migrate-4h7kq              0/1     Completed          0             5h    <none>        node-1   <none>           <none>
    report-0                   0/1     Init:0/1           0             11m   10.244.0.30   node-1   <none>           <none>
    web-7d4b9c6f5-abcde        1/1     Running            0             3d    10.244.0.10   node-1   <none>           <none>
    web-7d4b9c6f5-fghij        1/1     Running            0             3d    10.244.0.11   node-1   <none>           <none>
    worker-6c8d9f7b5-pqrst     0/1     Pending            0             30m   <none>        <none>   <none>           <none>

    """#

private let JSONOUT = #"""
    {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "creationTimestamp": "<time>",
            "labels": {
                "app": "worker",
                "pod-template-hash": "6c8d9f7b5"
            },
            "name": "worker-6c8d9f7b5-pqrst",
            "namespace": "shop",
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "blockOwnerDeletion": true,
                    "controller": true,
                    "kind": "ReplicaSet",
                    "name": "worker-6c8d9f7b5",
                    "uid": "0f0e0d0c-0000-4000-8000-000000000016"
                }
            ],
            "resourceVersion": "1019",
            "uid": "cc510c29-e693-ecf1-bf41-1b6184685e8c"
        },
        "spec": {
            "containers": [
                {
                    "image": "registry.example.com/shop/worker:1.0.3",
                    "imagePullPolicy": "IfNotPresent",
                    "name": "worker",
                    "resources": {
                        "requests": {
                            "cpu": "500m",
                            "memory": "16Gi"
                        }
                    },
                    "terminationMessagePath": "/dev/termination-log",
                    "terminationMessagePolicy": "File"
                }
            ],
            "dnsPolicy": "ClusterFirst",
            "enableServiceLinks": true,
            "preemptionPolicy": "PreemptLowerPriority",
            "priority": 0,
            "restartPolicy": "Always",
            "schedulerName": "default-scheduler",
            "serviceAccountName": "default",
            "terminationGracePeriodSeconds": 30,
            "tolerations": [
                {
                    "effect": "NoExecute",
                    "key": "node.kubernetes.io/not-ready",
                    "operator": "Exists",
                    "tolerationSeconds": 300
                },
                {
                    "effect": "NoExecute",
                    "key": "node.kubernetes.io/unreachable",
                    "operator": "Exists",
                    "tolerationSeconds": 300
                }
            ]
        },
        "status": {
            "conditions": [
                {
                    "lastProbeTime": null,
                    "lastTransitionTime": "<time>",
                    "message": "0/2 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.",
                    "reason": "Unschedulable",
                    "status": "False",
                    "type": "PodScheduled"
                }
            ],
            "phase": "Pending",
            "qosClass": "Burstable"
        }
    }

    """#

private let DESCRIBEPOD = #"""
    Name:             api-5f6d7c8b9-xk2lp
    Namespace:        shop
    Priority:         0
    Service Account:  default
    Node:             node-1/192.168.56.11
    Start Time:       <time>
    Labels:           app=api
                      pod-template-hash=5f6d7c8b9
    Annotations:      <none>
    Status:           Running
    IP:               10.244.0.21
    IPs:
      IP:           10.244.0.21
    Controlled By:  ReplicaSet/api-5f6d7c8b9
    Containers:
      api:
        Container ID:   containerd://00000000000000000000000000000000000000000000000067bfbced0d8ab63a
        Image:          registry.example.com/shop/api:2.4.1
        Image ID:       docker.io/library/api:2.4.1@sha256:abababababababababababababababababababababababababababababababab
        Port:           8080/TCP
        Host Port:      0/TCP
        State:          Waiting
          Reason:       CrashLoopBackOff
        Last State:     Terminated
          Reason:       Error
          Exit Code:    1
          Started:      <time>
          Finished:     <time>
        Ready:          False
        Restart Count:  5
        Limits:
          memory:  256Mi
        Requests:
          cpu:        100m
          memory:     128Mi
        Environment:  <none>
        Mounts:       <none>
    Conditions:
      Type                        Status
      PodReadyToStartContainers   True 
      Initialized                 True 
      Ready                       False 
      ContainersReady             False 
      PodScheduled                True 
    Volumes:                      <none>
    QoS Class:                    Burstable
    Node-Selectors:               <none>
    Tolerations:                  node.kubernetes.io/not-ready:NoExecute op=Exists for 300s
                                  node.kubernetes.io/unreachable:NoExecute op=Exists for 300s
    Events:
      Type     Reason   Age                 From     Message
      ----     ------   ----                ----     -------
      Normal   Pulled   12m (x6 over 88m)   kubelet  Container image "registry.example.com/shop/api:2.4.1" already present on machine
      Warning  BackOff  10m (x23 over 85m)  kubelet  Back-off restarting failed container api in pod api-5f6d7c8b9-xk2lp_shop(1b1c2d3e-0000-4000-8000-000000000021)

    """#

private let DESCRIBENODE = #"""
    Name:               node-2
    Roles:              <none>
    Labels:             beta.kubernetes.io/arch=amd64
                        beta.kubernetes.io/os=linux
                        kubernetes.io/arch=amd64
                        kubernetes.io/hostname=node-2
                        kubernetes.io/os=linux
    Annotations:        node.alpha.kubernetes.io/ttl: 0
                        volumes.kubernetes.io/controller-managed-attach-detach: true
    CreationTimestamp:  <time>
    Taints:             node.kubernetes.io/unreachable:NoExecute
                        node.kubernetes.io/unreachable:NoSchedule
    Unschedulable:      false
    Lease:
      HolderIdentity:  node-2
      AcquireTime:     <unset>
      RenewTime:       <time>
    Conditions:
      Type             Status    LastHeartbeatTime                 LastTransitionTime                Reason              Message
      ----             ------    -----------------                 ------------------                ------              -------
      MemoryPressure   Unknown   <time>   <time>   NodeStatusUnknown   Kubelet stopped posting node status.
      DiskPressure     Unknown   <time>   <time>   NodeStatusUnknown   Kubelet stopped posting node status.
      PIDPressure      Unknown   <time>   <time>   NodeStatusUnknown   Kubelet stopped posting node status.
      Ready            Unknown   <time>   <time>   NodeStatusUnknown   Kubelet stopped posting node status.
    Addresses:
      InternalIP:  192.168.56.12
      Hostname:    node-2
    Capacity:
      cpu:                4
      ephemeral-storage:  61202244Ki
      memory:             8137500Ki
      pods:               110
    Allocatable:
      cpu:                4
      ephemeral-storage:  56403987978
      memory:             8035100Ki
      pods:               110
    System Info:
      Machine ID:                 m-node-2
      System UUID:                u-node-2
      Boot ID:                    b-node-2
      Kernel Version:             6.1.0-18-amd64
      OS Image:                   Debian GNU/Linux 12 (bookworm)
      Operating System:           linux
      Architecture:               amd64
      Container Runtime Version:  containerd://1.7.13
      Kubelet Version:            v1.32.4
      Kube-Proxy Version:         v1.32.4
    PodCIDR:                      10.244.1.0/24
    PodCIDRs:                     10.244.1.0/24
    Non-terminated Pods:          (1 in total)
      Namespace                   Name       CPU Requests  CPU Limits  Memory Requests  Memory Limits  Age
      ---------                   ----       ------------  ----------  ---------------  -------------  ---
      shop                        cache-0    100m (2%)     0 (0%)      128Mi (1%)       256Mi (3%)     2d
    Allocated resources:
      (Total limits may be over 100 percent, i.e., overcommitted.)
      Resource           Requests    Limits
      --------           --------    ------
      cpu                100m (2%)   0 (0%)
      memory             128Mi (1%)  256Mi (3%)
      ephemeral-storage  0 (0%)      0 (0%)
    Events:
      Type    Reason        Age   From             Message
      ----    ------        ----  ----             -------
      Normal  NodeNotReady  25m   node-controller  Node node-2 status is now: NodeNotReady

    """#

private let EVENTS = #"""
    NAMESPACE   LAST SEEN   TYPE      REASON             OBJECT                         MESSAGE
    default     25m         Normal    NodeNotReady       node/node-2                    Node node-2 status is now: NodeNotReady
    shop        12m         Normal    Pulled             pod/api-5f6d7c8b9-xk2lp        Container image "registry.example.com/shop/api:2.4.1" already present on machine
    shop        10m         Warning   BackOff            pod/api-5f6d7c8b9-xk2lp        Back-off restarting failed container api in pod api-5f6d7c8b9-xk2lp_shop(1b1c2d3e-0000-4000-8000-000000000021)
    shop        11m         Warning   Failed             pod/frontend-8f9c7d6b4-m2n3p   Failed to pull image "registry.example.com/shop/frontend:3.0.0-rc1": rpc error: code = NotFound desc = failed to pull and unpack image "registry.example.com/shop/frontend:3.0.0-rc1": not found
    shop        13m         Normal    BackOff            pod/frontend-8f9c7d6b4-m2n3p   Back-off pulling image "registry.example.com/shop/frontend:3.0.0-rc1"
    shop        16m         Warning   FailedScheduling   pod/worker-6c8d9f7b5-pqrst     0/2 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.

    """#

private let KEVENTS = #"""
    LAST SEEN            TYPE      REASON             OBJECT                         MESSAGE
    16m (x7 over 30m)    Warning   FailedScheduling   Pod/worker-6c8d9f7b5-pqrst     0/2 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.
    13m (x40 over 14m)   Normal    BackOff            Pod/frontend-8f9c7d6b4-m2n3p   Back-off pulling image "registry.example.com/shop/frontend:3.0.0-rc1"
    12m (x6 over 88m)    Normal    Pulled             Pod/api-5f6d7c8b9-xk2lp        Container image "registry.example.com/shop/api:2.4.1" already present on machine
    11m (x4 over 14m)    Warning   Failed             Pod/frontend-8f9c7d6b4-m2n3p   Failed to pull image "registry.example.com/shop/frontend:3.0.0-rc1": rpc error: code = NotFound desc = failed to pull and unpack image "registry.example.com/shop/frontend:3.0.0-rc1": not found
    10m (x23 over 85m)   Warning   BackOff            Pod/api-5f6d7c8b9-xk2lp        Back-off restarting failed container api in pod api-5f6d7c8b9-xk2lp_shop(1b1c2d3e-0000-4000-8000-000000000021)

    """#

private let READYZ = #"""
    [+]ping ok
    [+]log ok
    [+]etcd ok
    [+]etcd-readiness ok
    [+]informer-sync ok
    [+]poststarthook/start-apiserver-admission-initializer ok
    [+]shutdown ok
    readyz check passed

    """#
