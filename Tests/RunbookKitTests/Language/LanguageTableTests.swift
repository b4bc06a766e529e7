import XCTest
@testable import RunbookKit

/// `table()` and `column()` on the outputs the shipped runbooks read: kubectl's tables (every
/// column padded to its widest cell plus three spaces, blank cells, cells with spaces,
/// headers with spaces) and df's (one space between columns, numbers right-aligned and wider
/// than their headers). The outputs are exact, trailing newline included.
final class LanguageTableTests: XCTestCase {
    private func headers(_ text: String) -> [String] {
        guard case .list(let rows) = TableParser.parse(text), case .map(let keys, _)? = rows.first?.materialized else { return [] }
        return keys
    }

    private func rows(_ text: String) -> [[String: String]] {
        guard case .list(let rows) = TableParser.parse(text) else { return [] }
        return rows.map { row in
            guard case .map(_, let cells) = row.materialized else { return [:] }
            return cells.mapValues(\.text)
        }
    }

    private func column(_ text: String, _ name: String) -> [String] { rows(text).map { $0[name] ?? "<missing>" } }

    /// The cells under each of some headers.
    private func assertColumns(_ text: String, _ expected: KeyValuePairs<String, [String]>,
                               file: StaticString = #filePath, line: UInt = #line) {
        for (name, cells) in expected { XCTAssertEqual(column(text, name), cells, name, file: file, line: line) }
    }

    // MARK: kubectl

    /// `kubectl get pods -A -o wide`, printed by kubectl 1.32 from a server's Table.
    private let podsWide = """
        NAMESPACE     NAME                       READY   STATUS              RESTARTS      AGE    IP            NODE       NOMINATED NODE   READINESS GATES
        kube-system   coredns-7db6d8ff4d-8k2mz   1/1     Running             0             120d   10.244.0.3    cp-1       <none>           <none>
        kube-system   etcd-cp-1                  1/1     Running             3 (40d ago)   120d   10.0.1.10     cp-1       <none>           <none>
        shop          cart-6f9c7d8b5-h2lqv       0/1     CrashLoopBackOff    12 (3m ago)   3d     10.244.2.17   worker-2   <none>           <none>
        shop          checkout-7b5f9d8c6-t4m9s   0/1     Pending             0             12m    <none>        <none>     <none>           <none>
        shop          web-5d4f8b7c9-x2x9q        0/1     ContainerCreating   0             5s     <none>        worker-1   <none>           <none>
        batch         big-job-0                  0/1     Pending             0             30s    <none>        <none>     worker-3         <none>
        ingress       gateway-6c8d9f7b5-q8w2e    1/1     Running             0             7d     10.244.3.4    worker-3   <none>           0/1
        batch         report-28793640-7kq2z      0/1     Completed           0             2h     10.244.1.9    worker-1   <none>           <none>

        """

    /// `kubectl get pod big-job-0 -n batch -o wide`, printed by kubectl 1.32 from a server's Table.
    private let onePodWide = """
        NAME        READY   STATUS    RESTARTS   AGE   IP       NODE     NOMINATED NODE   READINESS GATES
        big-job-0   0/1     Pending   0          30s   <none>   <none>   worker-3         <none>

        """

    /// `kubectl get nodes -o wide`, printed by kubectl 1.32 from a server's Table.
    private let nodesWide = """
        NAME       STATUS                        ROLES           AGE    VERSION   INTERNAL-IP   EXTERNAL-IP   OS-IMAGE                                             KERNEL-VERSION       CONTAINER-RUNTIME
        cp-1       Ready                         control-plane   120d   v1.30.4   10.0.1.10     <none>        Ubuntu 22.04.5 LTS                                   5.15.0-131-generic   containerd://1.7.24
        worker-1   Ready                         <none>          120d   v1.30.4   10.0.1.11     <none>        Ubuntu 22.04.5 LTS                                   5.15.0-131-generic   containerd://1.7.24
        worker-2   NotReady,SchedulingDisabled   <none>          98d    v1.30.4   10.0.1.12     203.0.113.7   Flatcar Container Linux by Kinvolk 3815.2.5 (Oklo)   6.1.96-flatcar       containerd://1.7.13

        """

    /// `kubectl get node worker-2 -o wide`, printed by kubectl 1.32 from a server's Table.
    private let oneNodeWide = """
        NAME       STATUS                        ROLES    AGE   VERSION   INTERNAL-IP   EXTERNAL-IP   OS-IMAGE                                             KERNEL-VERSION   CONTAINER-RUNTIME
        worker-2   NotReady,SchedulingDisabled   <none>   98d   v1.30.4   10.0.1.12     203.0.113.7   Flatcar Container Linux by Kinvolk 3815.2.5 (Oklo)   6.1.96-flatcar   containerd://1.7.13

        """

    /// `kubectl get svc`, printed by kubectl 1.32 from a server's Table.
    private let services = """
        NAME          TYPE           CLUSTER-IP    EXTERNAL-IP           PORT(S)          AGE
        kubernetes    ClusterIP      10.96.0.1     <none>                443/TCP          120d
        checkout      ClusterIP      10.96.14.2    <none>                80/TCP,443/TCP   3d
        web           LoadBalancer   10.96.200.9   <pending>             80:31380/TCP     41d
        db            ClusterIP      None          <none>                5432/TCP         2m
        billing-api   ExternalName   <none>        billing.example.com   <none>           10d

        """

    /// `kubectl get endpoints`, printed by kubectl 1.32 from a server's Table.
    private let endpoints = """
        NAME         ENDPOINTS                                                     AGE
        kubernetes   10.0.1.10:6443                                                120d
        checkout                                                                   3d
        web          10.244.1.5:8080,10.244.2.7:8080,10.244.3.9:8080 + 2 more...   41d
        db           <none>                                                        2m

        """

    /// `kubectl get endpoints checkout` for a Service whose pods are all not ready, printed by kubectl 1.32 from a server's Table.
    private let notReadyEndpoints = """
        NAME       ENDPOINTS   AGE
        checkout               3d

        """

    /// `kubectl get events -A`, printed by kubectl 1.32 from a server's Table.
    private let events = """
        NAMESPACE     LAST SEEN            TYPE      REASON             OBJECT                         MESSAGE
        shop          2m (x3 over 10m)     Warning   BackOff            pod/cart-6f9c7d8b5-h2lqv       Back-off restarting failed container cart in pod cart-6f9c7d8b5-h2lqv_shop(4b0c1f7e-9a7d-4d2e-8f51-2f0a3c9d1e77)
        shop          45s                  Normal    Pulled             pod/web-5d4f8b7c9-x2x9q        Container image "nginx:1.25" already present on machine
        kube-system   100m (x12 over 3h)   Warning   Unhealthy          pod/etcd-cp-1                  Readiness probe failed: HTTP probe failed with statuscode: 503
        shop          12m                  Warning   FailedScheduling   pod/checkout-7b5f9d8c6-t4m9s   0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient memory. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.
        default       4h5m (x10 over 5h)   Normal    Sync               ingress/shop                   Scheduled for sync

        """

    /// One event of `kubectl get events`, whose LAST SEEN has a space where the header has one, printed by kubectl 1.32 from a server's Table.
    private let oneEvent = """
        LAST SEEN            TYPE     REASON   OBJECT         MESSAGE
        4h5m (x10 over 5h)   Normal   Sync     ingress/shop   Scheduled for sync

        """

    /// `kubectl get pvc -A`, printed by kubectl 1.32 from a server's Table.
    private let claims = """
        NAMESPACE    NAME              STATUS    VOLUME                                     CAPACITY   ACCESS MODES   STORAGECLASS   VOLUMEATTRIBUTESCLASS   AGE
        db           data-postgres-0   Bound     pvc-5f1c2e3d-4b5a-6978-8a9b-0c1d2e3f4a5b   50Gi       RWO            local-path     <unset>                 98d
        shop         uploads           Pending                                                                        standard       <unset>                 2m
        shop         legacy-share      Pending                                                                                       <unset>                 40m
        monitoring   prometheus-db     Bound     pvc-0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e   100Gi      RWO,RWX        fast-ssd       <unset>                 120d

        """

    /// `kubectl get pvc uploads -n shop` while it waits for a volume, printed by kubectl 1.32 from a server's Table.
    private let pendingClaim = """
        NAME      STATUS    VOLUME   CAPACITY   ACCESS MODES   STORAGECLASS   VOLUMEATTRIBUTESCLASS   AGE
        uploads   Pending                                      standard       <unset>                 2m

        """

    func testPodsOfAllNamespacesWide() {
        XCTAssertEqual(headers(podsWide), ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE",
                                           "NOMINATED NODE", "READINESS GATES"])
        let pods = rows(podsWide)
        XCTAssertEqual(pods.count, 8)
        XCTAssertEqual(pods[1]["RESTARTS"], "3 (40d ago)", "a cell with spaces in a middle column")
        XCTAssertEqual(pods[2]["RESTARTS"], "12 (3m ago)")
        XCTAssertEqual(pods[2]["AGE"], "3d")
        XCTAssertEqual(pods[3]["IP"], "<none>")
        XCTAssertEqual(column(podsWide, "NOMINATED NODE"), ["<none>", "<none>", "<none>", "<none>", "<none>", "worker-3", "<none>", "<none>"])
        XCTAssertEqual(column(podsWide, "READINESS GATES").last, "<none>")
        XCTAssertEqual(pods[6]["READINESS GATES"], "0/1")
        XCTAssertEqual(column(podsWide, "STATUS"), ["Running", "Running", "CrashLoopBackOff", "Pending", "ContainerCreating",
                                                    "Pending", "Running", "Completed"])
    }

    func testOnePodWide() {
        XCTAssertEqual(rows(onePodWide), [["NAME": "big-job-0", "READY": "0/1", "STATUS": "Pending", "RESTARTS": "0", "AGE": "30s",
                                           "IP": "<none>", "NODE": "<none>", "NOMINATED NODE": "worker-3", "READINESS GATES": "<none>"]])
    }

    func testNodesWideWithAnOSImageThatHasSpaces() {
        XCTAssertEqual(headers(nodesWide), ["NAME", "STATUS", "ROLES", "AGE", "VERSION", "INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE",
                                            "KERNEL-VERSION", "CONTAINER-RUNTIME"])
        XCTAssertEqual(column(nodesWide, "OS-IMAGE"), ["Ubuntu 22.04.5 LTS", "Ubuntu 22.04.5 LTS",
                                                       "Flatcar Container Linux by Kinvolk 3815.2.5 (Oklo)"])
        XCTAssertEqual(column(nodesWide, "INTERNAL-IP"), ["10.0.1.10", "10.0.1.11", "10.0.1.12"])
        XCTAssertEqual(column(nodesWide, "EXTERNAL-IP"), ["<none>", "<none>", "203.0.113.7"])
        XCTAssertEqual(column(nodesWide, "STATUS"), ["Ready", "Ready", "NotReady,SchedulingDisabled"])
        XCTAssertEqual(column(nodesWide, "KERNEL-VERSION").last, "6.1.96-flatcar")
        XCTAssertEqual(rows(oneNodeWide).first?["OS-IMAGE"], "Flatcar Container Linux by Kinvolk 3815.2.5 (Oklo)")
        XCTAssertEqual(rows(oneNodeWide).first?["CONTAINER-RUNTIME"], "containerd://1.7.13")
    }

    func testServices() {
        XCTAssertEqual(headers(services), ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"])
        XCTAssertEqual(column(services, "EXTERNAL-IP"), ["<none>", "<none>", "<pending>", "<none>", "billing.example.com"])
        XCTAssertEqual(column(services, "PORT(S)"), ["443/TCP", "80/TCP,443/TCP", "80:31380/TCP", "5432/TCP", "<none>"])
        XCTAssertEqual(column(services, "CLUSTER-IP")[3], "None")
    }

    func testEndpointsWithABlankCell() {
        XCTAssertEqual(headers(endpoints), ["NAME", "ENDPOINTS", "AGE"])
        XCTAssertEqual(column(endpoints, "ENDPOINTS"), ["10.0.1.10:6443", "",
                                                        "10.244.1.5:8080,10.244.2.7:8080,10.244.3.9:8080 + 2 more...", "<none>"])
        XCTAssertEqual(column(endpoints, "AGE"), ["120d", "3d", "41d", "2m"])
    }

    /// The one row of a Service without ready endpoints: every data cell of the middle column
    /// is blank, which must not join it to its neighbour.
    func testEndpointsOfAServiceWithoutReadyPods() {
        XCTAssertEqual(rows(notReadyEndpoints), [["NAME": "checkout", "ENDPOINTS": "", "AGE": "3d"]])
        XCTAssertEqual(Lang.show("column(ep, \"ENDPOINTS\")", ["ep": .string(notReadyEndpoints)]), "")
        XCTAssertEqual(Lang.show("default(column(ep, \"ENDPOINTS\")[0], \"<none>\")", ["ep": .string(notReadyEndpoints)]), "<none>")
    }

    func testEventsOfAllNamespaces() {
        XCTAssertEqual(headers(events), ["NAMESPACE", "LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"])
        XCTAssertEqual(column(events, "LAST SEEN"), ["2m (x3 over 10m)", "45s", "100m (x12 over 3h)", "12m", "4h5m (x10 over 5h)"])
        XCTAssertEqual(column(events, "REASON"), ["BackOff", "Pulled", "Unhealthy", "FailedScheduling", "Sync"])
        XCTAssertEqual(column(events, "MESSAGE")[1], "Container image \"nginx:1.25\" already present on machine")
        XCTAssertTrue(column(events, "MESSAGE")[3].hasPrefix("0/3 nodes are available: 1 node(s) had untolerated taint"))
        XCTAssertTrue(column(events, "MESSAGE")[3].hasSuffix("2 No preemption victims found for incoming pod."))
    }

    func testOneEventWhoseLastSeenLinesUpWithItsHeader() {
        XCTAssertEqual(rows(oneEvent), [["LAST SEEN": "4h5m (x10 over 5h)", "TYPE": "Normal", "REASON": "Sync",
                                         "OBJECT": "ingress/shop", "MESSAGE": "Scheduled for sync"]])
    }

    func testClaimsWithBlankCellsInARow() {
        XCTAssertEqual(headers(claims), ["NAMESPACE", "NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS",
                                         "VOLUMEATTRIBUTESCLASS", "AGE"])
        let pending = rows(claims)[1]
        XCTAssertEqual(pending["STATUS"], "Pending")
        XCTAssertEqual([pending["VOLUME"], pending["CAPACITY"], pending["ACCESS MODES"]], ["", "", ""])
        XCTAssertEqual(pending["STORAGECLASS"], "standard")
        XCTAssertEqual(rows(claims)[2]["STORAGECLASS"], "", "no class at all")
        XCTAssertEqual(column(claims, "ACCESS MODES"), ["RWO", "", "", "RWO,RWX"])
        XCTAssertEqual(column(claims, "AGE"), ["98d", "2m", "40m", "120d"])
        XCTAssertEqual(rows(pendingClaim), [["NAME": "uploads", "STATUS": "Pending", "VOLUME": "", "CAPACITY": "", "ACCESS MODES": "",
                                             "STORAGECLASS": "standard", "VOLUMEATTRIBUTESCLASS": "<unset>", "AGE": "2m"]])
    }

    // MARK: df

    /// GNU df 9: one space between columns, numbers right-aligned, a name longer than the
    /// header widens the first column.
    private let dfHuman = """
        Filesystem                             Size  Used Avail Use% Mounted on
        /dev/mapper/vg0-very-long-volume-name  3.0T     0  3.0T   0% /tmp/dfx/a
        x                                      1.0M     0  1.0M   0% /tmp/dfx/b
        shm                                     64K     0   64K   0% /tmp/dfx/c
        /dev/vda                               252G   16G   80G  17% /

        """

    /// `df -i`: the numbers are wider than their headers, and a value starts left of its header.
    private let dfInodes = """
        Filesystem                               Inodes  IUsed     IFree IUse% Mounted on
        /dev/mapper/vg0-very-long-volume-name 123456789      1 123456788    1% /tmp/dfx/a
        x                                            16      1        15    7% /tmp/dfx/b
        shm                                           8      8         0  100% /tmp/dfx/c
        /dev/vda                               16777216 414403  16362813    3% /

        """

    private let dfOneFilesystem = """
        Filesystem      Size  Used Avail Use% Mounted on
        /dev/vda        252G   16G   80G  17% /

        """

    private let dfOneFilesystemInodes = """
        Filesystem       Inodes  IUsed    IFree IUse% Mounted on
        /dev/vda       16777216 414403 16362813    3% /

        """

    func testDfSizesAndInodes() {
        XCTAssertEqual(headers(dfHuman), ["Filesystem", "Size", "Used", "Avail", "Use%", "Mounted on"])
        XCTAssertEqual(headers(dfInodes), ["Filesystem", "Inodes", "IUsed", "IFree", "IUse%", "Mounted on"])
        for table in [dfHuman, dfInodes] {
            XCTAssertEqual(column(table, "Filesystem"), ["/dev/mapper/vg0-very-long-volume-name", "x", "shm", "/dev/vda"])
            XCTAssertEqual(column(table, "Mounted on"), ["/tmp/dfx/a", "/tmp/dfx/b", "/tmp/dfx/c", "/"])
        }
        assertColumns(dfHuman, ["Size": ["3.0T", "1.0M", "64K", "252G"], "Used": ["0", "0", "0", "16G"],
                                "Avail": ["3.0T", "1.0M", "64K", "80G"], "Use%": ["0%", "0%", "0%", "17%"]])
        assertColumns(dfInodes, ["Inodes": ["123456789", "16", "8", "16777216"], "IUsed": ["1", "1", "8", "414403"],
                                 "IFree": ["123456788", "15", "0", "16362813"], "IUse%": ["1%", "7%", "100%", "3%"]])
    }

    func testDfOfOneFilesystem() {
        XCTAssertEqual(rows(dfOneFilesystem), [["Filesystem": "/dev/vda", "Size": "252G", "Used": "16G", "Avail": "80G",
                                                "Use%": "17%", "Mounted on": "/"]])
        XCTAssertEqual(rows(dfOneFilesystemInodes), [["Filesystem": "/dev/vda", "Inodes": "16777216", "IUsed": "414403",
                                                      "IFree": "16362813", "IUse%": "3%", "Mounted on": "/"]])
    }

    // MARK: Text that is not aligned to its header

    func testCellsThatRunPastTheirHeader() {
        let text = "NAME   STATUS\nweb-1-long Running\nweb Failed\n"
        XCTAssertEqual(column(text, "NAME"), ["web-1-long", "web"])
        XCTAssertEqual(column(text, "STATUS"), ["Running", "Failed"])
    }

    // MARK: Bytes and characters read alike

    /// Plain ASCII output is read as bytes; CRLF line ends, tabs or other text send it the
    /// character way. Both must give the same rows.
    func testTheByteAndCharacterPathsGiveTheSameRows() {
        for text in [podsWide, podsWide + "\n\n   \n", "NAME   STATUS\n", "", "   \n"] {
            XCTAssertEqual(TableParser.parse(text), TableParser.parse(text.replacingOccurrences(of: "\n", with: "\r\n")), text)
        }
        let repeated = "NAME   X   NAME\na      b   c\n"
        XCTAssertEqual(TableParser.parse(repeated), TableParser.parse(repeated.replacingOccurrences(of: "\n", with: "\r\n")))
        XCTAssertEqual(rows(repeated), [["NAME": "c", "X": "b"]])
    }
}
