#!/usr/bin/env bash
# nodes.sh - one step of COMMANDS trivial commands (`true`) fanned out over N lab nodes,
# through the Kubernetes transport (a debug pod per node, `kubectl exec` per command, against
# `runbook test-bed`) and over ssh (ControlMaster) to the same hosts, in the same run.
#
#   lab/lab.sh up 16 && bench/nodes.sh 16 [COMMANDS]; lab/lab.sh down
#
# Prints, per transport, the first command's latency (kubectl: creating the pod and waiting
# for Running, then the exec; ssh: the connection's handshake) and the later commands'
# latency (median and 90th percentile), from the run's journal, plus the run's wall time.
# Needs root (the test bed enters the lab hosts' namespaces) and kubectl.
set -euo pipefail
cd "$(dirname "$0")/.."

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
"$RUNBOOK" test-bed "${spec%,}" --kubeconfig "$KUBECONFIG" >"$WORK/bed.log" 2>&1 &
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
