#!/usr/bin/env bash
# nodes.sh - one step of COMMANDS trivial commands (`true`) fanned out over N lab nodes,
# through the Kubernetes transport (a debug pod per node, an exec stream per command, against
# `runbook serve --test-bed`) and over ssh (ControlMaster) to the same hosts, in the same run.
#
#   lab/lab.sh up 16 && bench/nodes.sh 16 [COMMANDS]; lab/lab.sh down
#
# Prints, per transport, the first command's latency (kubectl: creating the pod and waiting
# for Running, then the exec; ssh: the connection's handshake) and the later commands'
# latency (median and 90th percentile), from the run's journal, plus the run's wall time.
# Needs root (the test bed enters the lab hosts' namespaces) and kubectl.
#
#   bench/nodes.sh --ssh-fanout N      (lab/lab.sh up N first; the lab allows at most 200)
#
# instead runs one `true` over ssh on N lab hosts at once, with runbook (--parallel N) and
# with parallel-ssh (-p N), and prints each one's wall time, peak memory (the resident sets
# of the tool and all its processes, summed, sampled every 10 ms) and peak open descriptors,
# of the tool itself and of all its processes.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = --ssh-fanout ]; then
    N=${2:-200}
    RUNBOOK=${RUNBOOK:-.build/release/runbook}
    [ -x "$RUNBOOK" ] || RUNBOOK=.build/debug/runbook
    LAB_DIR="${RUNBOOK_LAB_DIR:-/tmp/runbook-lab}"
    WORK=$(mktemp -d)
    trap 'rm -rf "$WORK"' EXIT
    head -n "$N" "$LAB_DIR/hosts" >"$WORK/hosts"
    printf 'runbook "One command"\nstep one "True"\n  $ true\n' >"$WORK/one.runbook"
    measure() {   # measure LABEL COMMAND...: wall time, peak summed RSS and descriptors of the tree
        python3 - "$@" <<'PY'
import os, subprocess, sys, time
label, command = sys.argv[1], sys.argv[2:]
def tree(root):
    children = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                parent = int(f.read().rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(pid))
        except (OSError, IndexError, ValueError):
            pass
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out
def sample(pids):
    rss = fds = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as f:
                rss += next((int(l.split()[1]) for l in f if l.startswith("VmRSS:")), 0)
            fds += len(os.listdir(f"/proc/{p}/fd"))
        except OSError:
            pass
    return rss, fds
start = time.time()
child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
peak_rss = peak_fds = peak_procs = own_rss = own_fds = 0
while child.poll() is None:
    pids = tree(child.pid)
    rss, fds = sample(pids)
    mine = sample([child.pid])
    peak_rss, peak_fds, peak_procs = max(peak_rss, rss), max(peak_fds, fds), max(peak_procs, len(pids))
    own_rss, own_fds = max(own_rss, mine[0]), max(own_fds, mine[1])
    time.sleep(0.01)
wall = time.time() - start
print(f"{label:14} exit {child.returncode}, {wall:.2f} s; itself: peak {own_rss / 1024:.0f} MiB, {own_fds} descriptors; "
      f"with its processes: peak {peak_rss / 1024:.0f} MiB (resident sets summed) in {peak_procs} processes, {peak_fds} descriptors")
PY
    }
    echo "$N lab hosts, one \`true\` each, $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg)"
    measure runbook "$RUNBOOK" run "$WORK/one.runbook" --inventory "$WORK/hosts" --ssh-config "$LAB_DIR/ssh_config" \
        --parallel "$N" --no-journal --no-color
    measure parallel-ssh parallel-ssh -h "$WORK/hosts" -p "$N" -t 60 -x "-F $LAB_DIR/ssh_config" true
    exit 0
fi

N=${1:-16}
COMMANDS=${2:-20}
RUNBOOK=${RUNBOOK:-.build/release/runbook}
[ -x "$RUNBOOK" ] || RUNBOOK=.build/debug/runbook
LAB_DIR="${RUNBOOK_LAB_DIR:-/tmp/runbook-lab}"
# shellcheck source=/dev/null
. "$LAB_DIR/lab.env"
WORK=$(mktemp -d)
export KUBECONFIG="$WORK/kubeconfig" KUBECACHEDIR="$WORK/kube-cache"
bed_pid=""
cleanup() { [ -n "$bed_pid" ] && kill "$bed_pid" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

spec="" names=""
for ((k = 1; k <= N; k++)); do spec+="rblab$k=netns:$NS_PREFIX$k,"; names+="rblab$k,"; done
"$RUNBOOK" serve --test-bed "${spec%,}" --kubeconfig "$KUBECONFIG" >"$WORK/bed.log" 2>&1 &
bed_pid=$!
for _ in $(seq 1 100); do [ -s "$KUBECONFIG" ] && break; sleep 0.1; done

{ echo 'runbook "Fan-out bench"'; echo 'step many "Many trivial commands"'
  for ((i = 0; i < COMMANDS; i++)); do echo '  $ true'; done; } >"$WORK/bench.runbook"

start=$(date +%s.%N)
"$RUNBOOK" run "$WORK/bench.runbook" --nodes "${names%,}" --hosts "${names%,}" --ssh-config "$LAB_DIR/ssh_config" \
    --transport kubectl --debug-namespace "rblab-bench-$LAB_ID" --parallel $((2 * N)) \
    --journal "$WORK/journal.jsonl" --no-color >"$WORK/out.txt" 2>&1 || { tail -20 "$WORK/out.txt"; exit 1; }
end=$(date +%s.%N)
echo "runbook $("$RUNBOOK" --version 2>/dev/null || echo dev), $(nproc) CPUs, $N nodes × $COMMANDS commands, both transports in one run: $(printf '%.2f' "$(echo "$end - $start" | bc)") s"
python3 - "$WORK/journal.jsonl" <<'PY'
import json, sys, statistics
from datetime import datetime
def t(s): return datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()
starts, firsts, later = {}, {"kubectl": [], "ssh": []}, {"kubectl": [], "ssh": []}
for line in open(sys.argv[1]):
    e = json.loads(line)
    key = (e.get("path") or {}).get("target")
    transport = "kubectl" if (key or "").startswith("node/") else "ssh"
    if e["type"] == "command_start":
        starts.setdefault(key, []).append(t(e["t"]))
    elif e["type"] == "command_end":
        if len(starts[key]) == 1:
            firsts[transport].append(t(e["t"]) - starts[key][0])
        else:
            later[transport].append(e["result"]["duration"])
def ms(v): return f"{v * 1000:.0f} ms"
def p90(v): return sorted(v)[int(len(v) * 0.9) - 1] if v else 0
for transport in ("ssh", "kubectl"):
    f, l = firsts[transport], later[transport]
    print(f"{transport:8} first command: median {ms(statistics.median(f))}, max {ms(max(f))}; "
          f"later commands: median {ms(statistics.median(l))}, p90 {ms(p90(l))} ({len(l)} commands)")
ratio = statistics.median(later["kubectl"]) / statistics.median(later["ssh"])
print(f"kubectl / ssh, later commands (median): {ratio:.2f}x")
PY
