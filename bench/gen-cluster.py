#!/usr/bin/env python3
"""gen-cluster.py PODS NODES DIR: a cluster directory (docs/SNAPSHOTS.md, format 1) for
bench/scale.sh -- objects/pods.json as one PodList, nodes.json, namespaces.json.

Per node a kube-proxy and a node-exporter pod (DaemonSets), the rest Deployment pods in 60
namespaces (1 or 2 containers). One pod in 500 fails, in turn CrashLoopBackOff (restarts and
a last termination), Pending (unschedulable) and ImagePullBackOff; one in 41 is a Completed
job pod; one in 97 restarted a few times. Times are relative to recordedAt and shifted to
"now" when served (shiftTimes), so AGE and "(5m ago)" read as in a live cluster. Deterministic:
the same arguments give the same bytes."""
import json, os, sys
from datetime import datetime, timedelta, timezone

pods, nodes, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
recorded = datetime(2026, 12, 1, 12, 0, 0, tzinfo=timezone.utc)
def at(seconds_ago): return (recorded - timedelta(seconds=seconds_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")
ALPHA = "bcdfghjklmnpqrstvwxz2456789"
def suffix(n, length):
    s = []
    for _ in range(length):
        n = (n * 69069 + 12345) % 4294967296
        s.append(ALPHA[(n // 65536) % 27])
    return "".join(s)
def age(i): return (i % 59 + 1) * 60 if i % 5 == 0 else (i % 23 + 1) * 3600 if i % 4 == 0 else (i % 90 + 1) * 86400
APPS = "api web worker cache auth search billing gateway ingest metrics".split()
NAMESPACES = ["default", "kube-system", "monitoring"] + ["team-%d" % k for k in range(60)]

def condition(kind, status, since, reason=None, message=None):
    c = {"type": kind, "status": status, "lastProbeTime": None, "lastTransitionTime": since}
    if reason: c["reason"] = reason
    if message: c["message"] = message
    return c

def pod(i, ns, name, node, owner_kind, owner, image, containers, created, kind):
    """kind: running, completed, crashloop, pending, imagepull; returns the object."""
    since = at(created)
    names = [name.split("-")[0]] + (["sidecar"] if containers == 2 else [])
    spec = {"containers": [{"name": c, "image": image if k == 0 else "envoyproxy/envoy:v1.31.2",
                            "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}}}
                           for k, c in enumerate(names)],
            "restartPolicy": "Never" if kind == "completed" else "Always",
            "serviceAccountName": "default", "schedulerName": "default-scheduler"}
    if kind != "pending": spec["nodeName"] = node
    restarts = (i % 5 + 1) if i % 97 == 0 else 0
    statuses = []
    for k, c in enumerate(names):
        cs = {"name": c, "image": spec["containers"][k]["image"], "imageID": "", "restartCount": restarts,
              "ready": kind == "running", "started": kind == "running", "containerID": "containerd://%032x" % (i * 4 + k)}
        if kind == "running":
            cs["state"] = {"running": {"startedAt": since}}
            if restarts:
                cs["lastState"] = {"terminated": {"exitCode": 137, "reason": "OOMKilled", "startedAt": since,
                                                  "finishedAt": at((i % 50 + 2) * 3600)}}
        elif kind == "completed":
            cs["state"] = {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": since, "finishedAt": at(created - 30)}}
        elif kind == "crashloop":
            cs["restartCount"] = i % 40 + 5
            cs["state"] = {"waiting": {"reason": "CrashLoopBackOff",
                                       "message": "back-off 5m0s restarting failed container=%s pod=%s_%s" % (c, name, ns)}}
            cs["lastState"] = {"terminated": {"exitCode": 1, "reason": "Error", "startedAt": at((i % 5 + 1) * 60 + 20),
                                              "finishedAt": at((i % 5 + 1) * 60)}}
        elif kind == "imagepull":
            del cs["containerID"]
            cs["state"] = {"waiting": {"reason": "ImagePullBackOff", "message": 'Back-off pulling image "%s"' % cs["image"]}}
        statuses.append(cs)
    phase = {"running": "Running", "completed": "Succeeded"}.get(kind, "Pending")
    ready = "True" if kind == "running" else "False"
    if kind == "pending":
        status = {"phase": "Pending", "qosClass": "Burstable", "conditions": [condition(
            "PodScheduled", "False", since, "Unschedulable",
            "0/%d nodes are available: %d Insufficient memory. preemption: 0/%d nodes are available: %d No preemption victims found for incoming pod." % (nodes, nodes, nodes, nodes))]}
    else:
        status = {"phase": phase, "hostIP": "10.0.%d.%d" % (hash_node(node) // 250, hash_node(node) % 250 + 1),
                  "podIP": "10.%d.%d.%d" % (64 + i // 65536 % 64, i // 256 % 256, i % 256), "startTime": since,
                  "qosClass": "Burstable",
                  "conditions": [condition("Initialized", "True", since), condition("Ready", ready, since),
                                 condition("ContainersReady", ready, since), condition("PodScheduled", "True", since)],
                  "containerStatuses": statuses}
    return {"metadata": {"name": name, "namespace": ns, "creationTimestamp": since,
                         "labels": {"app": name.split("-")[0]},
                         "ownerReferences": [{"apiVersion": "batch/v1" if owner_kind == "Job" else "apps/v1",
                                              "kind": owner_kind, "name": owner, "uid": "", "controller": True}]},
            "spec": spec, "status": status}

def hash_node(node): return int(node.rsplit("-", 1)[1])

os.makedirs(os.path.join(out, "objects"), exist_ok=True)
with open(os.path.join(out, "cluster.json"), "w") as f:
    json.dump({"format": 1, "source": "fixture", "name": "scale-%d" % pods,
               "description": "%d pods over %d nodes, one in 500 failing (CrashLoopBackOff, Pending, ImagePullBackOff)." % (pods, nodes),
               "kubernetesVersion": "v1.32.4", "recordedAt": at(0), "shiftTimes": True}, f, indent=2)

node_names = ["node-%d" % k for k in range(nodes)]
with open(os.path.join(out, "objects", "nodes.json"), "w") as f:
    json.dump({"apiVersion": "v1", "kind": "NodeList", "items": [
        {"metadata": {"name": n, "creationTimestamp": at(150 * 86400),
                      "labels": {"kubernetes.io/hostname": n, "kubernetes.io/os": "linux"}},
         "status": {"capacity": {"cpu": "16", "memory": "65842300Ki", "pods": "110"},
                    "allocatable": {"cpu": "16", "memory": "65739900Ki", "pods": "110"},
                    "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                                    "lastHeartbeatTime": at(30), "lastTransitionTime": at(150 * 86400)}],
                    "addresses": [{"type": "InternalIP", "address": "10.0.%d.%d" % (k // 250, k % 250 + 1)}],
                    "nodeInfo": {"kubeletVersion": "v1.32.4", "containerRuntimeVersion": "containerd://1.7.24",
                                 "osImage": "Ubuntu 24.04.1 LTS", "kernelVersion": "6.8.0-49-generic"}}}
        for k, n in enumerate(node_names)]}, f, separators=(",", ":"))
with open(os.path.join(out, "objects", "namespaces.json"), "w") as f:
    json.dump({"apiVersion": "v1", "kind": "NamespaceList", "items": [
        {"metadata": {"name": n, "creationTimestamp": at(150 * 86400)}, "status": {"phase": "Active"}}
        for n in NAMESPACES]}, f, separators=(",", ":"))

failing = 0
with open(os.path.join(out, "objects", "pods.json"), "w") as f:
    f.write('{"apiVersion":"v1","kind":"PodList","items":[')
    first, n = True, 0
    def emit(obj):
        global first
        f.write(("" if first else ",\n") + json.dumps(obj, separators=(",", ":")))
        first = False
    for k in range(nodes):
        if n >= pods: break
        node = node_names[k]
        n += 1; emit(pod(n, "kube-system", "kube-proxy-" + suffix(k * 31 + 7, 5), node, "DaemonSet", "kube-proxy",
                         "registry.k8s.io/kube-proxy:v1.32.4", 1, 120 * 86400, "running"))
        if n < pods:
            n += 1; emit(pod(n, "monitoring", "node-exporter-" + suffix(k * 37 + 11, 5), node, "DaemonSet", "node-exporter",
                             "quay.io/prometheus/node-exporter:v1.8.2", 1, 120 * 86400, "running"))
    for i in range(n + 1, pods + 1):
        app = APPS[i % 10]; c = 2 if i % 3 == 0 else 1
        rs = app + "-" + suffix((i // 7) * 131 + 17, 10)
        kind = "running"
        if i % 41 == 0: kind = "completed"
        if i % 500 == 0:
            failing += 1
            kind = ("crashloop", "pending", "imagepull")[(failing - 1) % 3]
        owner_kind, owner = ("Job", app + "-migrate") if kind == "completed" else ("ReplicaSet", rs)
        emit(pod(i, "team-%d" % (i % 60), rs + "-" + suffix(i * 17 + 5, 5), node_names[i % nodes], owner_kind, owner,
                 "registry.example.com/%s:1.%d.%d" % (app, i % 7, i % 13), c, age(i), kind))
    f.write("]}\n")
print(failing)
