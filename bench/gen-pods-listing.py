#!/usr/bin/env python3
"""gen-pods-listing.py PODS FILE: the text of `kubectl get pods -A` for PODS pods, written
straight to FILE (no API server: at 2,000,000 pods a served cluster would need tens of GiB),
for bench/spill.sh. Prints "PODS FAILING CRASHLOOP" once the file is written: FAILING is the
rows whose STATUS is neither Running nor Completed, CRASHLOOP those whose STATUS is
CrashLoopBackOff.

The shape is kubectl's: rows in the API server's order (namespace, then name), columns
NAMESPACE NAME READY STATUS RESTARTS AGE aligned the way kubectl's tabwriter aligns them
(each column as wide as its widest cell plus 3 spaces, at least 6; the last one not padded),
RESTARTS as "N (AGE ago)" after a restart, AGE in kubectl's human form ("60s", "5m", "3h",
"24h", "3d4h", "90d"). The pods follow bench/gen-cluster.py's mix, not its names:
kube-proxy and node-exporter on each of PODS/400 nodes, the rest Deployment pods in 60 team
namespaces (1 or 2 containers); one in 500 fails, in turn CrashLoopBackOff, Pending and
ImagePullBackOff; one in 41 is a Completed job pod; one in 97 restarted a few times.
Deterministic: the same arguments give the same bytes."""
import sys

pods, out = int(sys.argv[1]), sys.argv[2]
nodes = max(1, pods // 400)
ALPHA = "bcdfghjklmnpqrstvwxz2456789"
APPS = "api web worker cache auth search billing gateway ingest metrics".split()


def suffix(n, length):
    """length letters of kubectl's random-name alphabet, spread by a multiplicative hash."""
    n = n * 11400714819323198485 % 2**64
    return "".join(ALPHA[n // 27**k % 27] for k in range(length))


def human(seconds):
    """kubectl's HumanDuration, for the whole seconds used here."""
    if seconds < 120: return "%ds" % seconds
    minutes = seconds // 60
    if minutes < 10: return "%dm" % minutes if seconds % 60 == 0 else "%dm%ds" % (minutes, seconds % 60)
    if minutes < 180: return "%dm" % minutes
    hours = seconds // 3600
    if hours < 8: return "%dh" % hours if minutes % 60 == 0 else "%dh%dm" % (hours, minutes % 60)
    if hours < 48: return "%dh" % hours
    if hours < 192: return "%dd" % (hours // 24) if hours % 24 == 0 else "%dd%dh" % (hours // 24, hours % 24)
    return "%dd" % (hours // 24)


def age(i): return (i % 59 + 1) * 60 if i % 5 == 0 else (i % 23 + 1) * 3600 if i % 4 == 0 else (i % 90 + 1) * 86400


rows = []  # (namespace, name, ready, status, restarts, age)
for k in range(nodes):
    rows.append(("kube-system", "kube-proxy-" + suffix(k * 31 + 7, 5), "1/1", "Running", "0", "120d"))
    rows.append(("monitoring", "node-exporter-" + suffix(k * 37 + 11, 5), "1/1", "Running", "0", "120d"))
failing = crashloop = 0
for i in range(len(rows) + 1, pods + 1):
    app = APPS[i % 10]
    containers = 2 if i % 3 == 0 else 1
    name = app + "-" + suffix((i // 7) * 131 + 17, 10) + "-" + suffix(i * 17 + 5, 5)
    restarts = "0"
    if i % 500 == 0:
        failing += 1
        status = ("CrashLoopBackOff", "Pending", "ImagePullBackOff")[(failing - 1) % 3]
        ready = "0/%d" % containers
        if status == "CrashLoopBackOff":
            crashloop += 1
            restarts = "%d (%s ago)" % ((i % 40 + 5) * containers, human((i % 5 + 1) * 60))
    elif i % 41 == 0:
        status, ready = "Completed", "0/%d" % containers
    else:
        status, ready = "Running", "%d/%d" % (containers, containers)
        if i % 97 == 0:
            restarts = "%d (%s ago)" % ((i % 5 + 1) * containers, human((i % 50 + 2) * 3600))
    rows.append(("team-%d" % (i % 60), name, ready, status, restarts, human(age(i))))
rows.sort(key=lambda r: (r[0], r[1]))

header = ("NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE")
widths = [max(6, len(header[c]) + 3, max(len(r[c]) for r in rows) + 3) for c in range(5)]
fmt = "".join("%%-%ds" % w for w in widths) + "%s\n"
with open(out, "w") as f:
    f.write(fmt % header)
    f.writelines(fmt % r for r in rows)
print(len(rows), failing, crashloop)
