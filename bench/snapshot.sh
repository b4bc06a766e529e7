#!/usr/bin/env bash
# snapshot.sh - `runbook snapshot` of a 10,000-pod cluster served by runbook's own API server,
# against kubectl listing the same kinds as JSON one after another; then `kubectl get pods -A`
# from the replayed snapshot against the same from the original server.
#
#   bench/snapshot.sh                 # writes bench/out/snapshot/results.md
#   RUNS=5 PODS=20000 bench/snapshot.sh
#   BIN=/path/to/runbook bench/snapshot.sh
#
# Targets (docs/SNAPSHOTS.md): the snapshot takes at most 1.5× the sequential kubectl lists;
# kubectl on the replay takes at most 1.5× kubectl on the original server.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BIN=${BIN:-$HERE/../.build/release/runbook} RUNS=${RUNS:-5} PODS=${PODS:-10000} NODES=${NODES:-300}
OUT=$HERE/out/snapshot
die() { echo "bench/snapshot.sh: $*" >&2; exit 2; }
command -v hyperfine >/dev/null || die "hyperfine is missing (apt-get install hyperfine)"
command -v kubectl >/dev/null || die "kubectl is missing"
command -v python3 >/dev/null || die "python3 is missing (it generates the cluster)"
[[ -x $BIN ]] || die "no release binary at $BIN (make release)"

rm -rf "$OUT"
mkdir -p "$OUT/cluster/objects" "$OUT/cache"
cd "$OUT"
export NO_COLOR=1 KUBECACHEDIR=$OUT/cache

# ---------------------------------------------------------------- the cluster
# PODS pods over NODES nodes in 60 namespaces, each with labels, an owner, a container with
# env, ports, probes and resources (about the size of a real pod); one pod in 500 crash-
# looping (with a current and a previous log). Services, config maps and secrets by namespace.
python3 - "$PODS" "$NODES" <<'PY'
import json, os, sys
pods, nodes = int(sys.argv[1]), int(sys.argv[2])
t = "2026-01-15T09:00:00Z"
def meta(name, ns=None, **extra):
    m = {"name": name, "uid": "%08x-0000-4000-8000-%012x" % (hash(name) & 0xffffffff, abs(hash((ns, name))) % (1 << 48)),
         "resourceVersion": "1000", "creationTimestamp": t}
    if ns: m["namespace"] = ns
    m.update(extra)
    return m
namespaces = ["team-%02d" % i for i in range(60)]
items = []
os.makedirs("cluster/logs", exist_ok=True)
for i in range(pods):
    ns = namespaces[i % 60]
    app = "app-%03d" % (i % 400)
    name = "%s-6d4b9c7f5-%05d" % (app, i)
    failing = i % 500 == 7
    state = {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s restarting failed container"}} if failing else {"running": {"startedAt": t}}
    status = {"name": "main", "image": "registry.example.com/%s:1.4.2" % app, "imageID": "registry.example.com/%s@sha256:%064x" % (app, i),
              "containerID": "containerd://%064x" % i, "ready": not failing, "started": not failing,
              "restartCount": 7 if failing else 0, "state": state}
    if failing:
        status["lastState"] = {"terminated": {"exitCode": 1, "reason": "Error", "startedAt": t, "finishedAt": t}}
        d = "cluster/logs/%s/%s" % (ns, name)
        os.makedirs(d, exist_ok=True)
        for f in ("main.log", "main.previous.log"):
            with open(d + "/" + f, "w") as out:
                for n in range(800):
                    out.write("2026-01-15T09:%02d:%02dZ INFO request %d handled in %dms\n" % (n // 60 % 60, n % 60, n, n % 97))
                out.write("2026-01-15T09:59:59Z ERROR connecting to db with Authorization: Bearer abcdefghijklmnop%d\n" % i)
    items.append({
        "metadata": meta(name, ns, labels={"app": app, "pod-template-hash": "6d4b9c7f5"},
                         ownerReferences=[{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": app + "-6d4b9c7f5",
                                           "uid": "%032x" % (i % 400), "controller": True, "blockOwnerDeletion": True}]),
        "spec": {"nodeName": "node-%03d" % (i % nodes), "serviceAccountName": "default", "restartPolicy": "Always",
                 "containers": [{"name": "main", "image": "registry.example.com/%s:1.4.2" % app,
                                 "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"}],
                                 "env": [{"name": "LOG_LEVEL", "value": "info"}, {"name": "PORT", "value": "8080"}],
                                 "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}},
                                 "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}, "periodSeconds": 10}}]},
        "status": {"phase": "Running", "podIP": "10.%d.%d.%d" % (i // 65536 % 256, i // 256 % 256, i % 256),
                   "hostIP": "192.168.%d.%d" % ((i % nodes) // 256, (i % nodes) % 256), "startTime": t,
                   "qosClass": "Burstable",
                   "conditions": [{"type": "Ready", "status": "False" if failing else "True", "lastTransitionTime": t}],
                   "containerStatuses": [status]}})
json.dump({"apiVersion": "v1", "kind": "PodList", "items": items}, open("cluster/objects/pods.json", "w"))
json.dump({"apiVersion": "v1", "kind": "NodeList", "items": [{
    "metadata": meta("node-%03d" % n, labels={"kubernetes.io/hostname": "node-%03d" % n, "kubernetes.io/os": "linux"}),
    "spec": {"podCIDR": "10.%d.0.0/24" % n},
    "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady", "lastHeartbeatTime": t, "lastTransitionTime": t}],
               "addresses": [{"type": "InternalIP", "address": "192.168.%d.%d" % (n // 256, n % 256)}],
               "capacity": {"cpu": "16", "memory": "65842084Ki", "pods": "110"},
               "allocatable": {"cpu": "16", "memory": "65739684Ki", "pods": "110"},
               "nodeInfo": {"kubeletVersion": "v1.32.4", "containerRuntimeVersion": "containerd://1.7.22", "osImage": "Ubuntu 24.04.1 LTS",
                            "kernelVersion": "6.8.0-45-generic", "architecture": "amd64", "operatingSystem": "linux"}}}
    for n in range(nodes)]}, open("cluster/objects/nodes.json", "w"))
json.dump({"apiVersion": "v1", "kind": "NamespaceList", "items": [{"metadata": meta(ns), "status": {"phase": "Active"}} for ns in namespaces]},
          open("cluster/objects/namespaces.json", "w"))
json.dump({"apiVersion": "v1", "kind": "List", "items":
    [{"apiVersion": "v1", "kind": "Service", "metadata": meta("svc-%03d" % s, namespaces[s % 60]),
      "spec": {"type": "ClusterIP", "clusterIP": "10.96.%d.%d" % (s // 256, s % 256), "ports": [{"port": 80, "targetPort": 8080, "protocol": "TCP"}],
               "selector": {"app": "app-%03d" % s}}} for s in range(400)] +
    [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta("config-%03d" % s, namespaces[s % 60]), "data": {"app.yaml": "port: 8080\nlevel: info\n"}}
     for s in range(400)] +
    [{"apiVersion": "v1", "kind": "Secret", "type": "Opaque", "metadata": meta("secret-%03d" % s, namespaces[s % 60]),
      "data": {"password": "c2VjcmV0LXZhbHVl"}} for s in range(400)]},
    open("cluster/objects/more.json", "w"))
json.dump({"format": 1, "source": "fixture", "name": "bench", "kubernetesVersion": "v1.32.4",
           "recordedAt": "2026-01-15T10:00:00Z", "shiftTimes": False}, open("cluster/cluster.json", "w"))
PY

serve() {   # serve PATH KUBECONFIG: starts `runbook serve`, waits for its kubeconfig
  "$BIN" serve "$1" --kubeconfig "$2" > /dev/null 2> "$2.log" &
  echo $!
  for _ in $(seq 1 300); do [[ -s $2 ]] && return; sleep 0.1; done
  die "runbook serve $1 did not start: $(cat "$2.log")"
}
ORIGINAL_PID=$(serve "$OUT/cluster" "$OUT/original.kubeconfig")
trap 'kill $ORIGINAL_PID ${REPLAY_PID:-} 2>/dev/null || true' EXIT
export KUBECONFIG=$OUT/original.kubeconfig
kubectl get pods -A --request-timeout 60s > /dev/null || die "kubectl cannot list the served pods"

KINDS="pods events events.events.k8s.io nodes leases namespaces deployments replicasets daemonsets statefulsets jobs cronjobs
services endpoints endpointslices ingresses ingressclasses persistentvolumeclaims persistentvolumes storageclasses
volumeattachments csidrivers csinodes configmaps secrets validatingwebhookconfigurations mutatingwebhookconfigurations
poddisruptionbudgets horizontalpodautoscalers priorityclasses networkpolicies"
cat > "$OUT/kubectl-lists.sh" <<SH
#!/usr/bin/env bash
# The kubectl baseline: every kind runbook snapshot collects, as JSON, one after another.
for kind in $(echo $KINDS); do kubectl get "\$kind" -A -o json > /dev/null 2>&1 || true; done
SH
chmod +x "$OUT/kubectl-lists.sh"

hyperfine --warmup 1 --runs "$RUNS" --export-json "$OUT/collect.json" \
  -n "runbook snapshot" "'$BIN' snapshot -o '$OUT/snap.tar.gz' 2>/dev/null; test \$? -le 1" \
  -n "kubectl get KIND -A -o json, each kind" "'$OUT/kubectl-lists.sh'"
"$BIN" snapshot -o "$OUT/snap.tar.gz" 2> "$OUT/snapshot.log" || true

# The replay serves the snapshot's directory: `--snapshot` unpacks the archive once, before
# serving, and what is served is the same either way.
mkdir -p "$OUT/replay" && tar -xzf "$OUT/snap.tar.gz" -C "$OUT/replay"
REPLAY_PID=$(serve "$OUT/replay" "$OUT/replay.kubeconfig")
hyperfine --warmup 1 --runs "$RUNS" --export-json "$OUT/replay.json" \
  -n "kubectl get pods -A, original server" "KUBECONFIG='$OUT/original.kubeconfig' kubectl get pods -A > /dev/null" \
  -n "kubectl get pods -A, replayed snapshot" "KUBECONFIG='$OUT/replay.kubeconfig' kubectl get pods -A > /dev/null"

python3 - "$OUT" "$PODS" <<'PY' | tee "$OUT/results.md"
import json, os, sys
out, pods = sys.argv[1], sys.argv[2]
def medians(name):
    return [(r["command"], sorted(r["times"])[len(r["times"]) // 2]) for r in json.load(open(os.path.join(out, name)))["results"]]
collect, replay = medians("collect.json"), medians("replay.json")
size = os.path.getsize(os.path.join(out, "snap.tar.gz"))
print("| %s pods | median |" % pods)
print("|---|---|")
for name, t in collect + replay: print("| %s | %.2f s |" % (name, t))
print()
print("snapshot / kubectl lists: %.2f× (target ≤ 1.5×); replay / original: %.2f× (target ≤ 1.5×); archive %.1f MiB"
      % (collect[0][1] / collect[1][1], replay[1][1] / replay[0][1], size / 1048576))
PY
