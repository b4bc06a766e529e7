#!/usr/bin/env bash
# The Kubernetes transport against a lab of real hosts with injected faults.
#
# Builds a 7-host lab (lab/lab.sh up 7 --faults) and a node test bed (`runbook serve --test-bed`)
# whose nodes rblab1-6 run their debug pods' commands inside those lab hosts (their mount,
# UTS and network namespaces, faults included) and whose rblab7 (the host that does not
# answer) is a NotReady node. Then, over `--transport kubectl` through the real kubectl:
# node-health reports exactly each host's own fault and nothing on the healthy one, as over
# ssh; exit codes and stderr pass through; a timeout and Ctrl-C leave nothing running in the
# lab host; hostile values stay data; secrets are masked; debug pods are gone after a normal
# run, a failed run, Ctrl-C, and a kill -9 followed by a new run; the NotReady node is
# reported while the others complete. Names (the debug namespace) come from the lab id, the
# test bed listens on a free port: two labs never collide. Removes only what it created.
# Needs root (network namespaces); prints why and exits 77 otherwise.
#
#   Tests/lab/kube-transport-lab.sh [path/to/runbook]
set -uo pipefail
cd "$(dirname "$0")/../.."
RUNBOOK=${1:-.build/debug/runbook}
if [ "$(id -u)" -ne 0 ]; then
    echo "kube transport lab skipped: it needs root to create network namespaces (run as root, as CI does)"
    exit 77
fi
[ -x "$RUNBOOK" ] || { echo "kube transport lab: $RUNBOOK is not built (run make build first)"; exit 1; }
command -v kubectl >/dev/null || { echo "kube transport lab: kubectl is not installed"; exit 1; }
RUNBOOK=$(realpath "$RUNBOOK")

export RUNBOOK_LAB_DIR=$(mktemp -d /tmp/runbook-kube-lab.XXXXXX)
rmdir "$RUNBOOK_LAB_DIR"   # lab.sh creates it (and refuses a directory it did not make)
WORK=$(mktemp -d)
export KUBECONFIG="$WORK/kubeconfig" KUBECACHEDIR="$WORK/kube-cache"
bed_pid=""
# shellcheck source=checks.sh
. Tests/lab/checks.sh   # the working directory is the repository root (cd above)
teardown() {
    [ -n "$bed_pid" ] && kill "$bed_pid" 2>/dev/null && wait "$bed_pid" 2>/dev/null
    bed_pid=""
    lab/lab.sh down >"$WORK/down.log" 2>&1 || cat "$WORK/down.log"
    rm -rf "$WORK"
}
trap teardown EXIT

if ! lab/lab.sh up 7 --faults >"$WORK/up.log" 2>&1; then
    cat "$WORK/up.log"
    echo "kube transport lab: the lab did not start"
    exit 1
fi
# shellcheck source=/dev/null
. "$RUNBOOK_LAB_DIR/lab.env"
NODES=rblab1,rblab2,rblab3,rblab4,rblab5,rblab6,rblab7
NS="rblab-$LAB_ID"          # the debug pods' namespace: this lab's own
SPEC=""
for k in 1 2 3 4 5 6; do SPEC+="rblab$k=netns:$NS_PREFIX$k,"; done
SPEC+="rblab7=notready"
"$RUNBOOK" serve --test-bed "$SPEC" --kubeconfig "$KUBECONFIG" >"$WORK/bed.log" 2>&1 &
bed_pid=$!
for _ in $(seq 1 100); do [ -s "$KUBECONFIG" ] && break; sleep 0.1; done
check "the test bed serves the lab's nodes" test "$(kubectl get nodes -o name 2>&1 | wc -l)" -eq 7
RUN=("$RUNBOOK" run --transport kubectl --debug-namespace "$NS" --no-color)
debug_pods() { kubectl get pods -n "$NS" -l app.kubernetes.io/managed-by=runbook -o name 2>/dev/null | wc -l; }

# node-health on every node; the load limit is lifted as in the ssh lab (one shared kernel).
"${RUN[@]}" runbooks/node-health.runbook --nodes "$NODES" --parallel 7 --node-timeout 120 \
    --journal "$WORK/journal.jsonl" max_load_per_cpu=1000 >"$WORK/out.txt" 2>&1
code=$?
check "node-health over kubectl exits 1 (findings)" test "$code" -eq 1
python3 - "$WORK/journal.jsonl" >"$WORK/findings.txt" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("type") == "finding":
        path = e["path"]
        print(path["target"] + " " + "/".join(path["calls"] + [path["step"]]) + ": " + e["message"])
PY
expect_only() {   # expect_only NODE STEP PATTERN: the node's findings are exactly one, in STEP, matching PATTERN
    local lines
    lines=$(grep "^node/$1 " "$WORK/findings.txt")
    [ "$(printf '%s\n' "$lines" | grep -c .)" -eq 1 ] && printf '%s\n' "$lines" | grep -q "^node/$1 $2: .*$3"
}
check "rblab1 (healthy) has no finding" bash -c "! grep -q '^node/rblab1 ' '$WORK/findings.txt'"
check "rblab1 completed ok" grep -Eq '^  node/rblab1 +ok' "$WORK/out.txt"
check "rblab2: only IP forwarding off" expect_only rblab2 forwarding "IP forwarding is off"
check "rblab3: only /var/lib/kubelet full" expect_only rblab3 disk "/var/lib/kubelet is 100% full"
check "rblab4: only inodes exhausted on /var/lib/containerd" expect_only rblab4 disk "/var/lib/containerd has used 100% of its inodes"
check "rblab5: only a route overlapping the Pod CIDR" expect_only rblab5 cidr "route 10.244.0.0/16 via .* overlaps the Pod CIDR"
check "rblab6: only the firewall dropping the kubelet port" expect_only rblab6 firewall "blocks cluster ports: .*10250.*DROP"
check "rblab7: reported unreachable as NotReady" grep -Eq '^  node/rblab7 +unreachable +.*NotReady' "$WORK/out.txt"
check "rblab7 has no finding from a check" bash -c "! grep -q '^node/rblab7 ' '$WORK/findings.txt'"
check "no debug pod left after a normal run" test "$(debug_pods)" -eq 0

# --transport auto: ssh where the node answers on it (rblab1), kubectl otherwise (rblab7,
# whose sshd is down, and which is NotReady); --transport ssh reaches node/NAME as NAME.
cat >"$WORK/via.runbook" <<'RB'
runbook "Which way"
step one "Say how"
  out = $ if [ -n "${SSH_CONNECTION:-}" ]; then echo "ssh on $(hostname)"; else echo "kubectl on $(hostname)"; fi
  print "via {out}"
  $ true
RB
"$RUNBOOK" run --transport auto --ssh-config "$RUNBOOK_LAB_DIR/ssh_config" --debug-namespace "$NS" --no-color \
    "$WORK/via.runbook" --nodes rblab1,rblab7 --no-journal >"$WORK/auto.out" 2>&1
check "auto: rblab1 answers on ssh and is reached over ssh" grep -q "via ssh on rblab1" "$WORK/auto.out"
check "auto: rblab7 (no sshd) goes through kubectl and is reported NotReady" \
    grep -Eq '^  node/rblab7 +unreachable +.*NotReady' "$WORK/auto.out"
"$RUNBOOK" run --transport ssh --ssh-config "$RUNBOOK_LAB_DIR/ssh_config" --no-color \
    "$WORK/via.runbook" --nodes rblab2 --no-journal >"$WORK/ssh.out" 2>&1
check "ssh: node/rblab2 is reached over ssh" grep -q "via ssh on rblab2" "$WORK/ssh.out"
"${RUN[@]}" "$WORK/via.runbook" --nodes rblab2 --no-journal >"$WORK/kubectl.out" 2>&1
check "kubectl: node/rblab2 is reached through its debug pod" grep -q "via kubectl on rblab2" "$WORK/kubectl.out"
check "no debug pod left after the transport choices" test "$(debug_pods)" -eq 0

# Exit codes and stderr pass through; a failed run deletes its pods.
cat >"$WORK/codes.runbook" <<'RB'
runbook "Exit codes on a node"
step one "Exit 3"
  got = allow-fail $ echo "on $(hostname)"; echo "to stderr" >&2; exit 3
  expect got.exit == 3 else "MISMATCH exit code {got.exit}"
  expect got.stderr == "to stderr" else "MISMATCH stderr '{got.stderr}'"
  expect got.stdout == "on rblab2" else "MISMATCH ran on '{got.stdout}'"
step two "Fail"
  $ exit 7
RB
"${RUN[@]}" "$WORK/codes.runbook" --nodes rblab2 --no-journal >"$WORK/codes.out" 2>&1
code=$?
check "exit code, stdout (the lab host's name) and stderr pass through" bash -c "grep -q 'to stderr' '$WORK/codes.out' && ! grep -q MISMATCH '$WORK/codes.out'"
check "a failing command fails the run (exit 4)" test "$code" -eq 4
check "no debug pod left after a failed run" test "$(debug_pods)" -eq 0

# Timeout and Ctrl-C: nothing left running in the lab host (the lab shares /tmp with us).
cat >"$WORK/sleep.runbook" <<'RB'
runbook "Sleep on a node"
param dir
param limit = 300 "seconds"
step one "Sleep"
  $ echo $$ > "$dir/pid"; exec sleep 300
RB
gone() { for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done; return 1; }
"${RUN[@]}" "$WORK/sleep.runbook" --nodes rblab3 --timeout 1 "dir=$WORK" --no-journal >"$WORK/timeout.out" 2>&1
check "a command past its timeout is reported timed out" grep -q "timed out" "$WORK/timeout.out"
check "the timed-out command is gone from the lab host" gone "$(cat "$WORK/pid")"
rm -f "$WORK/pid"
# Job control on: a script's background job would otherwise ignore SIGINT, as Ctrl-C finds it.
set -m
"${RUN[@]}" "$WORK/sleep.runbook" --nodes rblab3 "dir=$WORK" --no-journal >"$WORK/int.out" 2>&1 &
run_pid=$!
set +m
for _ in $(seq 1 300); do [ -s "$WORK/pid" ] && break; sleep 0.1; done
check "the command runs in the lab host's namespaces" \
    test "$(readlink "/proc/$(cat "$WORK/pid")/ns/net")" = "$(readlink "/proc/$(ip netns pids "${NS_PREFIX}3" | head -1)/ns/net")"
kill -INT "$run_pid"
wait "$run_pid"
int_code=$?
check "Ctrl-C ends the run as aborted (exit 3)" test $int_code -eq 3
check "Ctrl-C leaves nothing running in the lab host" gone "$(cat "$WORK/pid")"
check "no debug pod left after Ctrl-C" test "$(debug_pods)" -eq 0

# SIGTERM (systemd, a container stopping): the same.
rm -f "$WORK/pid"
"${RUN[@]}" "$WORK/sleep.runbook" --nodes rblab5 "dir=$WORK" --no-journal >"$WORK/term.out" 2>&1 &
run_pid=$!
for _ in $(seq 1 300); do [ -s "$WORK/pid" ] && break; sleep 0.1; done
kill -TERM "$run_pid"
wait "$run_pid"
check "SIGTERM ends the run as aborted (exit 3)" test $? -eq 3
check "SIGTERM leaves nothing running in the lab host" gone "$(cat "$WORK/pid")"
check "no debug pod left after SIGTERM" test "$(debug_pods)" -eq 0

# kill -9: the pod stays, the next run removes it.
rm -f "$WORK/pid"
"${RUN[@]}" "$WORK/sleep.runbook" --nodes rblab4 "dir=$WORK" --no-journal >"$WORK/kill.out" 2>&1 &
run_pid=$!
for _ in $(seq 1 300); do [ -s "$WORK/pid" ] && break; sleep 0.1; done
kill -9 "$run_pid"
wait "$run_pid" 2>/dev/null
check "a run killed with -9 leaves its pod" test "$(debug_pods)" -eq 1
check "its command ends anyway (kubectl exec's stdin closed)" gone "$(cat "$WORK/pid")"
"${RUN[@]}" "$WORK/codes.runbook" --nodes rblab1 --no-journal >/dev/null 2>&1
check "the next run removes the killed run's pod" test "$(debug_pods)" -eq 0

# Hostile values and secrets.
cat >"$WORK/echo.runbook" <<'RB'
runbook "Echo a value on a node"
param value "anything"
secret param token "a secret"
step echo "Echo it back"
  out = $ printf '%s' "$value"
  expect out.stdout == value else "the value changed on the way"
  tok = $ printf '%s' "$token"
  print "token is {tok}"
RB
hostile=(
    '$(touch /tmp/rb-kube-lab-pwned-1)'
    '`touch /tmp/rb-kube-lab-pwned-2`'
    'a; touch /tmp/rb-kube-lab-pwned-3'
    'a && touch /tmp/rb-kube-lab-pwned-4'
    'a | touch /tmp/rb-kube-lab-pwned-5'
    "it's \"quoted\""
    '*'
    '-rf'
    $'two\nlines'
    $'#rb-end\ntouch /tmp/rb-kube-lab-pwned-6'
)
rm -f /tmp/rb-kube-lab-pwned-*
for v in "${hostile[@]}"; do
    "${RUN[@]}" "$WORK/echo.runbook" --nodes rblab1 --no-journal "value=$v" token=s3cr3t-lab >"$WORK/echo.out" 2>&1
    check "hostile value stays data over kubectl: $(printf '%q' "$v")" test $? -eq 0
done
check "no hostile value executed in a lab host" bash -c '! ls /tmp/rb-kube-lab-pwned-* >/dev/null 2>&1'
check "the secret is masked in the output" bash -c "! grep -q s3cr3t-lab '$WORK/echo.out' && grep -q 'token is \\*\\*\\*\\*\\*\\*\\*\\*' '$WORK/echo.out'"
check "no debug pod left at the end" test "$(debug_pods)" -eq 0

teardown
trap - EXIT
check "no lab namespace left" bash -c "! ip netns list | grep -q '^$NS_PREFIX'"
check "no test bed left" bash -c "! pgrep -f '[-]-test-bed rblab1=netns:$NS_PREFIX' >/dev/null"

echo "kube transport lab: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
