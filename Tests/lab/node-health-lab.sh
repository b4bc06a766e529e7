#!/usr/bin/env bash
# The node-health runbook against a lab of real ssh hosts with injected faults.
#
# Builds a 7-host lab (lab/lab.sh up 7 --faults), runs node-health on every host over ssh,
# and checks that each host reports exactly its injected fault, the healthy host none, and
# the host whose sshd is stopped "unreachable" while the others complete. Then checks that
# hostile parameter values stay data on a remote host, and that the lab is gone afterwards.
# Beside it, a second lab (3 hosts, with the faults of those 3) runs and goes away without
# disturbing the first, and a lab asked to take the first one's id refuses.
# Needs root (network namespaces); prints why and exits 77 otherwise.
#
#   Tests/lab/node-health-lab.sh [path/to/runbook]
set -uo pipefail
cd "$(dirname "$0")/../.."
RUNBOOK=${1:-.build/debug/runbook}
if [ "$(id -u)" -ne 0 ]; then
    echo "lab tests skipped: they need root to create network namespaces (run as root, as CI does)"
    exit 77
fi
[ -x "$RUNBOOK" ] || { echo "lab tests: $RUNBOOK is not built (run make build first)"; exit 1; }

export RUNBOOK_LAB_DIR=$(mktemp -d /tmp/runbook-lab-test.XXXXXX)
rmdir "$RUNBOOK_LAB_DIR"   # lab.sh creates it (and refuses a directory it did not make)
WORK=$(mktemp -d)
SECOND_DIR="$WORK/second-lab"
# shellcheck source=checks.sh
. Tests/lab/checks.sh   # the working directory is the repository root (cd above)
teardown() {
    RUNBOOK_LAB_DIR=$SECOND_DIR lab/lab.sh down >/dev/null 2>&1
    lab/lab.sh down >"$WORK/down.log" 2>&1 || cat "$WORK/down.log"
    rm -rf "$WORK"
}
trap teardown EXIT

if ! lab/lab.sh up 7 --faults >"$WORK/up.log" 2>&1; then
    cat "$WORK/up.log"
    echo "lab tests: the lab did not start"
    exit 1
fi
CFG="$RUNBOOK_LAB_DIR/ssh_config"
HOSTS=rblab1,rblab2,rblab3,rblab4,rblab5,rblab6,rblab7
# This lab's id and kernel-wide names (namespaces, bridge), for the checks at the end.
# shellcheck source=/dev/null
. "$RUNBOOK_LAB_DIR/lab.env"
FIRST_ID=$LAB_ID FIRST_NS=$NS_PREFIX FIRST_BRIDGE=$BRIDGE

# A second lab beside the first: its own id and names; the faults of its 3 hosts only.
first_answers() { ssh -F "$CFG" rblab1 hostname 2>/dev/null | grep -qx rblab1; }
if RUNBOOK_LAB_DIR=$SECOND_DIR lab/lab.sh up 3 --faults >"$WORK/second-up.log" 2>&1; then
    check "a second lab (up 3 --faults) starts beside the first" true
    check "the second lab has another id" bash -c ". '$SECOND_DIR/lab.env'; [ \"\$LAB_ID\" != '$FIRST_ID' ]"
    check "the second lab's hosts got the faults of hosts 1-3" \
        test "$(cat "$SECOND_DIR/faults.txt")" = "$(printf 'rblab1 healthy\nrblab2 ip-forward-off\nrblab3 disk-full')"
    check "the second lab's rblab2 has IP forwarding off" \
        test "$(ssh -F "$SECOND_DIR/ssh_config" rblab2 cat /proc/sys/net/ipv4/ip_forward 2>&1)" = 0
    check "the first lab's rblab2 still has it off, its rblab1 on" \
        test "$(ssh -F "$CFG" rblab2 cat /proc/sys/net/ipv4/ip_forward 2>&1)$(ssh -F "$CFG" rblab1 cat /proc/sys/net/ipv4/ip_forward 2>&1)" = 01
else
    cat "$WORK/second-up.log"
    check "a second lab (up 3 --faults) starts beside the first" false
fi
RUNBOOK_LAB_DIR="$WORK/third-lab" RUNBOOK_LAB_ID=$FIRST_ID lab/lab.sh up 1 >"$WORK/third-up.log" 2>&1
code=$?
check "a lab asked for the first lab's id refuses" test "$code" -ne 0
check "it says the id is in use, and by which lab" grep -q "lab id $FIRST_ID is in use.*$RUNBOOK_LAB_DIR" "$WORK/third-up.log"
check "the first lab still answers after the refusal" first_answers
RUNBOOK_LAB_DIR=$SECOND_DIR lab/lab.sh down >"$WORK/second-down.log" 2>&1
check "the second lab's down succeeds" test $? -eq 0
check "the first lab still answers after the second went down" first_answers
check "the first lab's namespaces are all still there" test "$(ip netns list | grep -c "^$FIRST_NS")" -eq 7

# The load average is the whole machine's (the lab hosts share one kernel), and a test
# machine running builds is busy: the lab run lifts the load limit so it tests the others.
"$RUNBOOK" run runbooks/node-health.runbook --hosts "$HOSTS" --ssh-config "$CFG" --parallel 7 \
    --journal "$WORK/journal.jsonl" --no-color max_load_per_cpu=1000 >"$WORK/out.txt" 2>&1
code=$?
check "node-health over ssh exits 1 (findings)" test "$code" -eq 1

# host → sorted list of "step:message" findings, from the journal.
python3 - "$WORK/journal.jsonl" >"$WORK/findings.txt" <<'PY'
import json, sys
found = {}
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("type") == "finding":
        path = e["path"]
        host, step = path["target"], "/".join(path["calls"] + [path["step"]])
        found.setdefault(host, []).append(step + ": " + e["message"])
for h in sorted(found):
    for f in found[h]:
        print(h + " " + f)
PY
expect_only() {   # expect_only HOST STEP PATTERN: the host's findings are exactly one, in STEP, matching PATTERN
    local lines
    lines=$(grep "^$1 " "$WORK/findings.txt")
    [ "$(printf '%s\n' "$lines" | grep -c .)" -eq 1 ] && printf '%s\n' "$lines" | grep -q "^$1 $2: .*$3"
}
check "rblab1 (healthy) has no finding" bash -c "! grep -q '^rblab1 ' '$WORK/findings.txt'"
check "rblab1 completed ok" grep -Eq '^  rblab1 +ok' "$WORK/out.txt"
check "rblab2: only IP forwarding off" expect_only rblab2 forwarding "IP forwarding is off"
check "rblab3: only /var/lib/kubelet full" expect_only rblab3 disk "/var/lib/kubelet is 100% full"
check "rblab4: only inodes exhausted on /var/lib/containerd" expect_only rblab4 disk "/var/lib/containerd has used 100% of its inodes"
check "rblab5: only a route overlapping the Pod CIDR" expect_only rblab5 cidr "route 10.244.0.0/16 via .* overlaps the Pod CIDR"
check "rblab6: only the firewall dropping the kubelet port" expect_only rblab6 firewall "blocks cluster ports: .*10250.*DROP"
check "rblab7: reported unreachable with ssh's reason" grep -Eq '^  rblab7 +unreachable +.*Connection refused' "$WORK/out.txt"
check "rblab7 has no finding from a check" bash -c "! grep -q '^rblab7 ' '$WORK/findings.txt'"
for h in rblab2 rblab3 rblab4 rblab5 rblab6; do
    check "$h completed with a finding (not failed)" grep -Eq "^  $h +finding" "$WORK/out.txt"
done

# Hostile values reach the remote command as data, byte for byte.
cat >"$WORK/echo.runbook" <<'RB'
runbook "Echo a value on a remote host"
param value "anything"
step echo "Echo it back"
  out = $ printf '%s' "$value"
  expect out.stdout == value else "the value changed on the way"
RB
hostile=(
    '$(touch /tmp/rb-lab-pwned-1)'
    '`touch /tmp/rb-lab-pwned-2`'
    'a; touch /tmp/rb-lab-pwned-3'
    'a && touch /tmp/rb-lab-pwned-4'
    'a | touch /tmp/rb-lab-pwned-5'
    "it's \"quoted\""
    '*'
    '-rf'
    $'two\nlines'
)
rm -f /tmp/rb-lab-pwned-*
for v in "${hostile[@]}"; do
    "$RUNBOOK" run "$WORK/echo.runbook" --hosts rblab1 --ssh-config "$CFG" --no-journal "value=$v" >"$WORK/echo.out" 2>&1
    check "hostile value stays data over ssh: $(printf '%q' "$v")" test $? -eq 0
done
check "no hostile value executed on the remote host" bash -c '! ls /tmp/rb-lab-pwned-* >/dev/null 2>&1'

# A fan-out killed with -9 while one host is in step two: resume finishes the remaining
# steps on that host only, in the same journal. The lab hosts share /tmp with the runner.
FAN="$WORK/fan"
mkdir -p "$FAN"
cat >"$WORK/fan.runbook" <<'RB'
runbook "Fan-out resume"
param dir
step one "One"
  $ echo "one $target" >> "$dir/one.log"
step two "Two"
  $ if [ "$target" = rblab2 ] && [ ! -e "$dir/go" ]; then until [ "$(wc -l < "$dir/three.log" 2>/dev/null)" = 2 ]; do sleep 0.1; done; touch "$dir/waiting"; sleep 60; fi; echo "two $target" >> "$dir/two.log"
step three "Three"
  $ echo "three $target" >> "$dir/three.log"
RB
"$RUNBOOK" run "$WORK/fan.runbook" "dir=$FAN" --hosts rblab1,rblab2,rblab3 --ssh-config "$CFG" \
    --journal "$WORK/fan.jsonl" --no-color >"$WORK/fan.out" 2>&1 &
fan_pid=$!
for _ in $(seq 1 300); do [ -e "$FAN/waiting" ] && break; sleep 0.1; done
check "the fan-out reached step two on rblab2 after rblab1 and rblab3 finished" test -e "$FAN/waiting"
kill -9 "$fan_pid" 2>/dev/null
wait "$fan_pid" 2>/dev/null
touch "$FAN/go"
"$RUNBOOK" resume "$WORK/fan.jsonl" --no-color >"$WORK/fan-resume.out" 2>&1
check "resume of the killed fan-out exits 0" test $? -eq 0
check "step one ran once per host in all" test "$(sort "$FAN/one.log" | tr '\n' ' ')" = "one rblab1 one rblab2 one rblab3 "
check "step two ran on every host" test "$(sort "$FAN/two.log" | tr '\n' ' ')" = "two rblab1 two rblab2 two rblab3 "
check "step three ran once per host: finished hosts were left alone" \
    test "$(sort "$FAN/three.log" | tr '\n' ' ')" = "three rblab1 three rblab2 three rblab3 "
python3 - "$WORK/fan.jsonl" >"$WORK/fan-resumed.txt" <<'PY'
import json, sys
records = []
for line in open(sys.argv[1]):
    try:
        records.append(json.loads(line))
    except ValueError:
        pass   # the line the kill cut

start = max(i for i, r in enumerate(records) if r["type"] == "resumed")
for r in records[start:]:
    if r["type"] == "step_start":
        print(r["path"]["target"], r["path"]["step"])
print("headers", sum(1 for r in records if r["type"] == "header"))
PY
check "the resumed part ran steps two and three on rblab2 only, in the same journal" \
    test "$(tr '\n' ' ' <"$WORK/fan-resumed.txt")" = "rblab2 two rblab2 three headers 1 "

teardown
trap - EXIT
check "no lab namespace left" bash -c "! ip netns list | grep -q '^$FIRST_NS'"
# "[s]shd": the pattern must not match the command line of the check itself.
check "no lab sshd left" bash -c "! pgrep -f '[s]shd.*$RUNBOOK_LAB_DIR' >/dev/null"
check "no lab bridge left" bash -c "! ip link show '$FIRST_BRIDGE' >/dev/null 2>&1"

echo "lab: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
