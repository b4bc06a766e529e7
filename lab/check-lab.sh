#!/usr/bin/env bash
# check-lab.sh - self-test of lab/lab.sh.
#
# Brings up 7 hosts with faults, checks each fault over ssh (and that the
# healthy host has none of them), takes the lab down, and checks that
# nothing is left behind. Exits 77 when not root (skipped), non-zero with a
# message on any mismatch.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
LAB="$HERE/lab.sh"
LAB_DIR="${RUNBOOK_LAB_DIR:-/tmp/runbook-lab}"
SSH=(ssh -F "$LAB_DIR/ssh_config")

if [[ $(id -u) -ne 0 ]]; then
  echo "check-lab: skipped: needs root" >&2
  exit 77
fi

failures=0 checks=0
pass() { checks=$((checks + 1)); echo "ok   $*"; }
fail() { checks=$((checks + 1)) failures=$((failures + 1)); echo "FAIL $*" >&2; }

# check DESCRIPTION COMMAND...: the command succeeds.
check() {
  local desc=$1
  shift
  if "$@"; then pass "$desc"; else fail "$desc"; fi
}
not() { ! "$@" >/dev/null 2>&1; }
# same ACTUAL EXPECTED: equal strings; shows both when they differ.
same() {
  [[ $1 == "$2" ]] && return 0
  printf '     expected: %q\n     got:      %q\n' "$2" "$1" >&2
  return 1
}

# expect HOST COMMAND PATTERN: COMMAND's output on HOST matches the ERE.
expect() {
  local host=$1 cmd=$2 pattern=$3 out
  out=$("${SSH[@]}" "$host" "$cmd" 2>&1) || true
  if grep -Eq -- "$pattern" <<<"$out"; then pass "$host: $cmd ~ /$pattern/"
  else fail "$host: $cmd: expected /$pattern/, got: $out"; fi
}
# expect_not HOST COMMAND PATTERN: the command succeeds and does not match.
expect_not() {
  local host=$1 cmd=$2 pattern=$3 out
  if ! out=$("${SSH[@]}" "$host" "$cmd" 2>&1); then
    fail "$host: $cmd: failed: $out"
  elif grep -Eq -- "$pattern" <<<"$out"; then
    fail "$host: $cmd: unexpected /$pattern/ in: $out"
  else
    pass "$host: $cmd !~ /$pattern/"
  fi
}

# Directories the lab may create: note which exist now, so we can tell
# that `down` removed exactly the ones it made.
existed=()
for d in /var/lib/kubelet /var/lib/containerd; do
  [[ -e $d ]] && existed+=("$d")
done

# Whatever happens, do not leave a lab up.
trap '"$LAB" down >/dev/null 2>&1 || true' EXIT

echo "== up 7 --faults"
"$LAB" up 7 --faults
# The lab's id and kernel-wide names, for the checks after `down`.
# shellcheck source=/dev/null
. "$LAB_DIR/lab.env"

echo "== inventory"
check "hosts lists rblab1..rblab7" same "$(cat "$LAB_DIR/hosts")" "$(printf 'rblab%s\n' 1 2 3 4 5 6 7)"
expected_faults="rblab1 healthy
rblab2 ip-forward-off
rblab3 disk-full
rblab4 inodes-exhausted
rblab5 pod-cidr-overlap
rblab6 kubelet-port-blocked
rblab7 unreachable"
check "faults.txt lists one fault per host" same "$(cat "$LAB_DIR/faults.txt")" "$expected_faults"

echo "== every reachable host: own hostname, lean shell start-up"
for k in 1 2 3 4 5 6; do
  expect "rblab$k" hostname "^rblab$k\$"
  # An empty file is bind-mounted over root's .bashrc (no pyenv init).
  expect "rblab$k" 'test -s /root/.bashrc && echo non-empty || echo empty' '^empty$'
done

echo "== faults, and their absence on the healthy host"
expect     rblab2 'cat /proc/sys/net/ipv4/ip_forward' '^0$'
expect     rblab1 'cat /proc/sys/net/ipv4/ip_forward' '^1$'

expect     rblab3 'df -P /var/lib/kubelet | tail -n 1' ' 100% /var/lib/kubelet$'
expect_not rblab1 'df -P /var/lib/kubelet | tail -n 1' ' 100% '
expect_not rblab4 'df -P /var/lib/kubelet | tail -n 1' ' 100% '

expect     rblab4 'df -i /var/lib/containerd | tail -n 1' ' 100% /var/lib/containerd$'
expect_not rblab1 'df -i /var/lib/containerd | tail -n 1' ' 100% '
expect_not rblab3 'df -i /var/lib/containerd | tail -n 1' ' 100% '

expect     rblab5 'ip route' '^10\.244\.0\.0/16 '
expect_not rblab1 'ip route' '10\.244\.'

expect     rblab6 'iptables -S INPUT' '^-A INPUT .*--dport 10250 -j DROP$'
expect_not rblab1 'iptables -S INPUT' 'DROP'

expect     rblab7 true 'Connection refused'

echo "== the disk faults live only in their host's mount namespace"
for d in /var/lib/kubelet /var/lib/containerd; do
  check "root namespace: $d is not a mount point" not mountpoint -q "$d"
done

echo "== status"
"$LAB" status

echo "== down"
"$LAB" down

echo "== nothing left"
check "no $NS_PREFIX* network namespace" same "$(ip netns list | awk -v p="^$NS_PREFIX" '$1 ~ p')" ""
check "no bridge $BRIDGE" not ip link show "$BRIDGE"
check "no $VETH_PREFIX* links" same "$(ip -o link show | awk -F': ' -v p="^$VETH_PREFIX" '$2 ~ p {print $2}')" ""
# Any sshd (or ssh ControlMaster) of the lab names the state dir in its
# command line.
lab_procs=()
for p in /proc/[0-9]*; do
  [[ $(cat "$p/comm" 2>/dev/null) == ssh* ]] || continue
  if tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -q -- "$LAB_DIR"; then lab_procs+=("${p#/proc/}"); fi
done
check "no lab sshd/ssh process" same "${lab_procs[*]}" ""
check "state dir $LAB_DIR removed" not test -e "$LAB_DIR"
for d in /var/lib/kubelet /var/lib/containerd; do
  if [[ " ${existed[*]} " == *" $d "* ]]; then
    check "$d still there (it existed before)" test -e "$d"
  else
    check "$d (created by the lab) removed" not test -e "$d"
  fi
done

echo "== down again (idempotent)"
check "a second down succeeds" "$LAB" down

if ((failures)); then
  echo "check-lab: $failures of $checks checks FAILED" >&2
  exit 1
fi
echo "check-lab: all $checks checks passed"
