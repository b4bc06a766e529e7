// The Kubernetes transport end to end: the real kubectl (v1.32, WebSocket exec) against
// `runbook serve --test-bed` on 127.0.0.1, whose nodes run their pods' commands on this machine.
// KUBECONFIG, KUBECACHEDIR and HOME point into a temp directory: ~/.kube is never touched.

import Foundation
import RunbookKit
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class KubernetesTransportTests: XCTestCase {
    var directory = ""
    var server: E2EProcess?
    var environment: [String: String] = [:]

    override func setUpWithError() throws {
        guard Self.kubectlPath != nil else { throw XCTSkip("kubectl is not installed") }
        directory = try E2E.makeDirectory("kube")
        let kubeconfig = directory + "/kubeconfig"
        environment = E2E.environment(["KUBECONFIG": kubeconfig, "KUBECACHEDIR": directory + "/cache",
                                       "HOME": directory, "RUNBOOK_JOURNAL_DIR": directory + "/journal"])
        server = try E2EProcess(arguments: ["serve", "--test-bed", "n1=local,n2=local,sick=notready", "--kubeconfig", kubeconfig],
                                directory: directory, environment: environment, stdin: nil)
        let deadline = Date().addingTimeInterval(10)
        while !E2E.exists(kubeconfig) && Date() < deadline { usleep(20_000) }
        XCTAssertTrue(E2E.exists(kubeconfig), "the test bed wrote no kubeconfig")
    }

    override func tearDown() {
        server?.interrupt()
        _ = server?.wait(timeout: 10)
        try? FileManager.default.removeItem(atPath: directory)
    }

    static let kubectlPath: String? = ["/usr/local/bin/kubectl", "/usr/bin/kubectl", "/snap/bin/kubectl"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    private func run(_ arguments: [String], timeout: Double = 60) throws -> E2EResult {
        try E2E.run(arguments, in: directory, environment: environment, timeout: timeout)
    }

    /// The debug pods the test bed holds, by name (through kubectl, as an operator would look).
    private func pods() -> [String] {
        kubectlNames(["get", "pods", "--all-namespaces", "-l", "app.kubernetes.io/managed-by=runbook", "-o", "name"])
    }

    /// Starts `runbook run sleep.runbook --nodes n1`, whose command writes its pid and sleeps; returns
    /// the run and the command's pid once it runs.
    private func startSleeper() throws -> (E2EProcess, pid_t) {
        try E2E.write("""
            runbook "sleeper"
            param dir
            step one "sleep"
              $ echo $$ > "$dir/pid"; exec sleep 300
            """, to: "sleep.runbook", in: directory)
        try? FileManager.default.removeItem(atPath: directory + "/pid")
        let running = try E2EProcess(arguments: ["run", "sleep.runbook", "--nodes", "n1", "dir=" + directory, "--no-journal"],
                                     directory: directory, environment: environment, stdin: nil)
        // The shell creates the file before it writes the pid: wait for a whole number in it.
        let readPid = { E2E.read(self.directory + "/pid").flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) } }
        let deadline = Date().addingTimeInterval(30)
        while readPid() == nil && Date() < deadline { usleep(50_000) }
        let pid = try XCTUnwrap(readPid(), "the sleeper never wrote its pid")
        return (running, pid)
    }

    private func assertGone(_ pid: pid_t, _ message: String) {
        let deadline = Date().addingTimeInterval(10)
        while !E2E.processIsGone(pid) && Date() < deadline { usleep(50_000) }
        XCTAssertTrue(E2E.processIsGone(pid), message)
    }

    func testExitCodeStdoutAndStderrPassThroughAndPodsAreDeleted() throws {
        try E2E.write("""
            runbook "node exit codes"
            param dir
            step one "exit 3"
              got = allow-fail $ echo "out on $(hostname)"; echo "to stderr" >&2; exit 3
              print "exit={got.exit} out={got.stdout} err={got.stderr}"
              expect got.exit == 3 else "exit code lost"
              expect got.stderr == "to stderr" else "stderr was '{got.stderr}'"
            """, to: "codes.runbook", in: directory)
        let result = try run(["run", "codes.runbook", "--nodes", "n1,n2", "dir=" + directory])
        XCTAssertEqual(result.exitCode, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("exit=3 out=out on"), result.stdout)
        XCTAssertFalse(result.stdout.contains("command terminated with exit code"), "kubectl's own line is not the command's stderr")
        XCTAssertTrue(result.stdout.contains("node/n1") && result.stdout.contains("node/n2"), result.stdout)
        XCTAssertEqual(pods(), [], "debug pods left after a normal run")
    }

    /// Through the real `kubectl proxy`: kubectl is started for the proxy and the pods, never
    /// for an exec; with RUNBOOK_KUBE_EXEC=kubectl every command is a `kubectl exec`.
    func testCommandsTravelAsExecStreamsThroughOneProxy() throws {
        let kubectl = try XCTUnwrap(Self.kubectlPath)
        let bin = directory + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try E2E.write("#!/bin/sh\necho \"$1\" >> '\(directory)/kubectl.log'\nexec '\(kubectl)' \"$@\"\n", to: "bin/kubectl", in: directory)
        chmod(bin + "/kubectl", 0o755)
        try E2E.write("""
            runbook "three commands"
            param dir
            step one "three"
              a = allow-fail $ printf 'v=%s\\n' "$dir"; exit 4
              b = $ echo two
              c = $ echo three >&2
              expect a.exit == 4 else "exit code lost"
              expect a.stdout == "v={dir}" else "stdout was '{a.stdout}'"
              expect c.stderr == "three" else "stderr was '{c.stderr}'"
            """, to: "three.runbook", in: directory)
        var withWrapper = environment
        withWrapper["PATH"] = bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        var result = try E2E.run(["run", "three.runbook", "--nodes", "n1,n2", "dir=" + directory, "--no-journal"],
                                 in: directory, environment: withWrapper, timeout: 60)
        XCTAssertEqual(result.exitCode, 0, result.stdout + result.stderr)
        XCTAssertFalse(result.stderr.contains("kubectl exec"), result.stderr)
        var verbs = (E2E.read(directory + "/kubectl.log") ?? "").split(separator: "\n").map(String.init)
        XCTAssertEqual(verbs.filter { $0 == "proxy" }.count, 1, verbs.joined(separator: " "))
        XCTAssertEqual(verbs.filter { $0 == "exec" }.count, 0, verbs.joined(separator: " "))
        XCTAssertEqual(pods(), [], "debug pods left after a normal run")
        try? FileManager.default.removeItem(atPath: directory + "/kubectl.log")
        withWrapper["RUNBOOK_KUBE_EXEC"] = "kubectl"
        result = try E2E.run(["run", "three.runbook", "--nodes", "n1,n2", "dir=" + directory, "--no-journal"],
                             in: directory, environment: withWrapper, timeout: 60)
        XCTAssertEqual(result.exitCode, 0, result.stdout + result.stderr)
        verbs = (E2E.read(directory + "/kubectl.log") ?? "").split(separator: "\n").map(String.init)
        XCTAssertEqual(verbs.filter { $0 == "proxy" }.count, 0, verbs.joined(separator: " "))
        XCTAssertEqual(verbs.filter { $0 == "exec" }.count, 6, verbs.joined(separator: " "))
    }

    /// A proxy that cannot start is said once, and the commands still run, through kubectl exec.
    func testAProxyThatCannotStartFallsBackToKubectlExecOnce() throws {
        let kubectl = try XCTUnwrap(Self.kubectlPath)
        let bin = directory + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try E2E.write("#!/bin/sh\n[ \"$1\" = proxy ] && { echo 'proxy refused here' >&2; exit 1; }\nexec '\(kubectl)' \"$@\"\n",
                      to: "bin/kubectl", in: directory)
        chmod(bin + "/kubectl", 0o755)
        try E2E.write("""
            runbook "two commands"
            step one "two"
              a = allow-fail $ echo one; exit 5
              expect a.exit == 5 else "exit code lost"
              $ echo two
            """, to: "two.runbook", in: directory)
        var withWrapper = environment
        withWrapper["PATH"] = bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let result = try E2E.run(["run", "two.runbook", "--nodes", "n1,n2", "--no-journal"],
                                 in: directory, environment: withWrapper, timeout: 60)
        XCTAssertEqual(result.exitCode, 0, result.stdout + result.stderr)
        let notices = (result.stdout + result.stderr).components(separatedBy: "node commands run through kubectl exec").count - 1
        XCTAssertEqual(notices, 1, result.stdout + result.stderr)
        XCTAssertTrue((result.stdout + result.stderr).contains("proxy refused here"), result.stderr)
        XCTAssertEqual(pods(), [], "debug pods left after a normal run")
    }

    func testOnNodeFromALocalRunbookChoosesItsTransport() throws {
        try E2E.write("""
            runbook "on a node"
            param transport = "kubectl" "how"
            step one "ask the node"
              where = on "{transport}:node/n2" $ echo "answered"
              print "node said {where}"
            """, to: "on.runbook", in: directory)
        let result = try run(["run", "on.runbook", "--no-journal"])
        XCTAssertEqual(result.exitCode, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("node said answered"), result.stdout)
        XCTAssertEqual(pods(), [], "the debug pod of an `on` command is deleted too")
    }

    func testNodeTimeoutMarksOneNodeAndKeepsTheOthers() throws {
        try E2E.write("""
            runbook "one slow node"
            param dir
            step one "answer"
              $ if [ "$target" = node/n1 ]; then echo $$ > "$dir/pid"; exec sleep 300; fi; echo fast
            step two "again"
              $ echo still here
            """, to: "slow-node.runbook", in: directory)
        let result = try run(["run", "slow-node.runbook", "--nodes", "n1,n2", "--node-timeout", "3", "dir=" + directory, "--no-journal"])
        XCTAssertEqual(result.exitCode, 4, result.stdout + result.stderr)
        let table = result.stdout.components(separatedBy: "── Hosts").last ?? ""
        XCTAssertTrue(table.range(of: #"node/n1 +unreachable +.*timed out \(--node-timeout 3s\)"#, options: .regularExpression) != nil, table)
        XCTAssertTrue(table.range(of: #"node/n2 +ok"#, options: .regularExpression) != nil, table)
        XCTAssertTrue(result.stdout.contains("still here"), "the other node ran to its end")
        let pid = try XCTUnwrap(E2E.read(directory + "/pid").flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
        assertGone(pid, "the timed-out node's command still runs")
        XCTAssertEqual(pods(), [])
    }

    func testBadNodeOptionsAreRefusedClearly() throws {
        try E2E.write("""
            runbook "nothing"
            step one "x"
              $ true
            """, to: "x.runbook", in: directory)
        for (arguments, message) in [(["--nodes", "Bad_Name"], "'Bad_Name' is not a node name"),
                                     (["--nodes", "n1", "--node-timeout", "0"], "--node-timeout must be more than 0"),
                                     (["--nodes", "n1", "--debug-namespace", "a.b"], "is not a namespace name"),
                                     (["--nodes", "all", "--node-selector", "nothing=here"], "no node matches --node-selector nothing=here")] {
            let result = try run(["run", "x.runbook", "--no-journal"] + arguments)
            XCTAssertEqual(result.exitCode, 2, "\(arguments): \(result.stdout + result.stderr)")
            XCTAssertTrue(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
        XCTAssertEqual(pods(), [])
    }

    func testRBACAndPodSecurityRefusalsSayWhatIsMissing() throws {
        try E2E.write("""
            runbook "refused"
            step one "x"
              $ echo hi
            """, to: "refused.runbook", in: directory)
        let cases: [([String], [String], String)] = [
            (["--forbid", "create:pods/exec"], ["--nodes", "n1"],
             "may not create pods/exec in namespace 'default': the transport needs RBAC create and get on pods/exec"),
            (["--forbid", "create:pods"], ["--nodes", "n1"], "may not create pods in namespace 'default'"),
            (["--pod-security", "baseline"], ["--nodes", "n1"],
             "namespace 'default' enforces PodSecurity \"baseline:latest\"; a debug pod needs level \"privileged\""),
            (["--forbid", "list:nodes"], ["--nodes", "all"], "may not list nodes at the cluster scope"),
        ]
        for (index, (policy, targets, message)) in cases.enumerated() {
            let kubeconfig = directory + "/refusing-\(index)"
            var refusing = environment
            refusing["KUBECONFIG"] = kubeconfig
            let bed = try E2EProcess(arguments: ["serve", "--test-bed", "n1=local", "--kubeconfig", kubeconfig] + policy,
                                     directory: directory, environment: refusing, stdin: nil)
            defer { bed.interrupt(); _ = bed.wait(timeout: 10) }
            let deadline = Date().addingTimeInterval(10)
            while !E2E.exists(kubeconfig) && Date() < deadline { usleep(20_000) }
            let result = try E2E.run(["run", "refused.runbook", "--no-journal"] + targets, in: directory, environment: refusing)
            XCTAssertNotEqual(result.exitCode, 0, "\(policy)")
            XCTAssertTrue((result.stdout + result.stderr).contains(message), "\(policy): \(result.stdout + result.stderr)")
        }
    }

    /// A run over node targets, killed in its second step, is resumed the way it reached the
    /// nodes: the journal's header keeps --debug-namespace, and the resumed step's debug pod is
    /// created there, not in the default namespace.
    func testResumeReachesTheNodesAsTheRunDid() throws {
        try E2E.write("""
            runbook "resumable on a node"
            param dir
            step one "first"
              $ echo once >> "$dir/one"
            step two "wait for go"
              $ touch "$dir/started"; while [ ! -e "$dir/go" ]; do sleep 0.1; done; echo went
            """, to: "resumable.runbook", in: directory)
        let journal = directory + "/resumable.jsonl"
        let first = try E2EProcess(arguments: ["run", "resumable.runbook", "--nodes", "n1", "--debug-namespace", "tools",
                                               "--node-timeout", "120", "--journal", journal, "dir=" + directory],
                                   directory: directory, environment: environment, stdin: nil)
        func waitForStart() -> Bool {
            let deadline = Date().addingTimeInterval(30)
            while !E2E.exists(directory + "/started") && Date() < deadline { usleep(50_000) }
            return E2E.exists(directory + "/started")
        }
        XCTAssertTrue(waitForStart(), "step two never started: \(first.stdoutSoFar)")
        kill(first.pid, SIGKILL)
        _ = first.wait(timeout: 10)
        let header = try XCTUnwrap(E2E.read(journal)?.split(separator: "\n").first.map(String.init))
        XCTAssertTrue(header.contains(#""debugNamespace":"tools""#), header)
        XCTAssertTrue(header.contains(#""nodeTimeout":120"#), header)

        try FileManager.default.removeItem(atPath: directory + "/started")
        let resumed = try E2EProcess(arguments: ["resume", journal, "--no-color"], directory: directory,
                                     environment: environment, stdin: nil)
        XCTAssertTrue(waitForStart(), "the resumed step two never started: \(resumed.stdoutSoFar)")
        XCTAssertEqual(kubectlNames(["get", "pods", "-n", "default", "-l", "app.kubernetes.io/managed-by=runbook", "-o", "name"]), [])
        XCTAssertFalse(kubectlNames(["get", "pods", "-n", "tools", "-l", "app.kubernetes.io/managed-by=runbook", "-o", "name"]).isEmpty)
        try E2E.write("", to: "go", in: directory)
        let result = resumed.wait(timeout: 60)
        XCTAssertEqual(result.exitCode, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("resuming"), result.stdout)
        XCTAssertEqual(E2E.read(directory + "/one"), "once\n", "step one ran only before the kill")
        XCTAssertEqual(pods(), [], "debug pods left after the resumed run")
    }

    /// `kubectl ARGS`' output lines (failing the test when kubectl fails).
    private func kubectlNames(_ arguments: [String]) -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.kubectlPath!)
        process.arguments = arguments
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try? process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "kubectl \(arguments.joined(separator: " ")) failed")
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    func testHostileValuesStayDataThroughExec() throws {
        try E2E.write("""
            runbook "hostile on a node"
            param value
            param dir
            step one "write it"
              $ printf '%s' "$value" > "$dir/received"
            """, to: "hostile.runbook", in: directory)
        let marker = directory + "/PWNED"
        let values = ["$(touch \(marker))", "`touch \(marker)`", "x; touch \(marker)", "'; touch \(marker); echo '",
                      "\"; touch \(marker); echo \"", "x\ntouch \(marker)\n", "#rb-end\ntouch \(marker)", "%s %n $HOME ${PATH}",
                      "ümlaut 🙂 \u{202E}"]
        for value in values {
            let result = try run(["run", "hostile.runbook", "--nodes", "n1", "value=" + value, "dir=" + directory, "--no-journal"])
            XCTAssertEqual(result.exitCode, 0, result.stdout + result.stderr)
            XCTAssertFalse(E2E.exists(marker), "value \(value.debugDescription) ran")
            XCTAssertEqual(E2E.read(directory + "/received"), value, "value \(value.debugDescription) changed on the way")
        }
    }

    func testNotReadyNodeIsReportedWhileTheOthersComplete() throws {
        try E2E.write("""
            runbook "ready check"
            step one "answer"
              $ echo alive
            """, to: "ready.runbook", in: directory)
        let result = try run(["run", "ready.runbook", "--nodes", "all", "--node-timeout", "30", "--no-journal"])
        XCTAssertEqual(result.exitCode, 4, result.stdout + result.stderr)
        let table = result.stdout.components(separatedBy: "── Hosts").last ?? ""
        XCTAssertTrue(table.contains("node/sick") && table.contains("unreachable"), table)
        XCTAssertTrue(result.stdout.contains("node sick is NotReady"), result.stdout)
        XCTAssertEqual(table.components(separatedBy: " ok ").count - 1, 2, table)
        XCTAssertEqual(pods(), [])
    }

    func testNodeSelectorAndUnknownNode() throws {
        try E2E.write("""
            runbook "pick"
            step one "answer"
              $ echo alive
            """, to: "pick.runbook", in: directory)
        let none = try run(["run", "pick.runbook", "--nodes", "all", "--node-selector", "kubernetes.io/hostname=n2", "--no-journal"])
        XCTAssertEqual(none.exitCode, 0, none.stdout + none.stderr)
        XCTAssertTrue(none.stdout.contains("[node/n2]") || none.stdout.contains("node/n2"), none.stdout)
        XCTAssertFalse(none.stdout.contains("node/n1"), none.stdout)
        let missing = try run(["run", "pick.runbook", "--nodes", "ghost", "--no-journal"])
        XCTAssertEqual(missing.exitCode, 4, missing.stdout + missing.stderr)
        XCTAssertTrue((missing.stdout + missing.stderr).contains("no node 'ghost'"), missing.stdout + missing.stderr)
    }

    func testTimeoutEndsTheRemoteCommandAndAFailedRunDeletesItsPods() throws {
        try E2E.write("""
            runbook "slow"
            param dir
            timeout 1s
            step one "sleep"
              $ echo $$ > "$dir/pid"; exec sleep 300
            """, to: "slow.runbook", in: directory)
        let result = try run(["run", "slow.runbook", "--nodes", "n1", "dir=" + directory, "--no-journal"])
        XCTAssertNotEqual(result.exitCode, 0)
        XCTAssertTrue((result.stdout + result.stderr).contains("timed out"), result.stdout + result.stderr)
        let pid = try XCTUnwrap(E2E.read(directory + "/pid").flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
        assertGone(pid, "the timed-out command still runs on the node")
        XCTAssertEqual(pods(), [], "debug pods left after a failed run")
    }

    func testCtrlCEndsTheRemoteCommandAndDeletesThePods() throws {
        let (running, pid) = try startSleeper()
        XCTAssertFalse(E2E.processIsGone(pid))
        running.interrupt()
        let result = running.wait(timeout: 30)
        XCTAssertEqual(result.exitCode, 3, result.stdout + result.stderr)
        assertGone(pid, "Ctrl-C left the command running on the node")
        XCTAssertEqual(pods(), [], "debug pods left after Ctrl-C")
    }

    func testPodsOfARunKilledWithSIGKILLAreRemovedByTheNextRunAndByCleanup() throws {
        try E2E.write("""
            runbook "next"
            step one "answer"
              $ echo alive
            """, to: "next.runbook", in: directory)
        for (round, finish) in [["run", "next.runbook", "--nodes", "n2", "--no-journal"], ["cleanup"]].enumerated() {
            let (running, pid) = try startSleeper()
            kill(running.pid, SIGKILL)
            _ = running.wait(timeout: 10)
            XCTAssertEqual(pods().count, 1, "round \(round): the killed run's pod should still be there")
            assertGone(pid, "round \(round): the killed run's command still runs (its kubectl exec went away)")
            let next = try run(finish)
            XCTAssertEqual(next.exitCode, 0, next.stdout + next.stderr)
            XCTAssertEqual(pods(), [], "round \(round): \(finish[0]) left the dead run's pod")
        }
    }
}
