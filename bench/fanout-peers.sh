#!/usr/bin/env bash
# fanout-peers.sh - time one trivial command (`true`) over ssh on 1, 8 and N
# lab hosts, with fresh connections, for the tools runbook is compared to.
#
#   lab/lab.sh up 32 && bench/fanout-peers.sh 32; lab/lab.sh down
#
# Prints the median wall time of each tool at each host count. Uses
# hyperfine when installed (apt-get install -y hyperfine), else a plain
# loop (or when NO_HYPERFINE=1). RUNS (default 10) sets the number of timed
# runs.
#
# To add a tool, add one `bench` line to tools() below.
set -euo pipefail

N=${1:-32}
LAB_DIR="${RUNBOOK_LAB_DIR:-/tmp/runbook-lab}"
CFG="$LAB_DIR/ssh_config"
RUNS=${RUNS:-10}

# Fresh connections every time: only the lab's ssh_config is read (-F), and
# connection sharing is switched off explicitly.
SSH_ARGS="-F $CFG -o ControlMaster=no -o ControlPath=none"

# The tools, each running `true` on every host in the file $1 with a fan-out
# of $2 (the host count, so all hosts are contacted at once).
tools() {
  local hosts=$1 n=$2
  # Baseline: plain ssh, one background process per host ($1 is split on
  # purpose: it is the ssh options). Each ssh gets its own session, as
  # parallel-ssh and pdsh do for theirs: with the kernel's sched_autogroup,
  # each session is a scheduling group, so on a machine busy with other
  # work, 32 ssh clients sharing one session get less CPU than 32 separate
  # sessions do (measured here: ~2.9 s vs ~2.2 s for 32 hosts under load;
  # equal on a quiet machine). Compare tools on a quiet machine, and mind
  # this when adding one.
  # (One line: hyperfine cannot parse the $'...' quoting of a newline.)
  # shellcheck disable=SC2016
  bench "ssh &" "$n" bash -c 'pids=(); while read -r h; do setsid ssh -n $1 "$h" true & pids+=($!); done <"$2"; for p in "${pids[@]}"; do wait "$p" || exit 1; done' _ "$SSH_ARGS" "$hosts"
  bench parallel-ssh "$n" parallel-ssh -h "$hosts" -p "$n" -t 60 -x "$SSH_ARGS" true
  # pdsh builds its own ssh command line; PDSH_SSH_ARGS_APPEND adds ours.
  # -S: exit non-zero if any host fails, so a broken run is not timed.
  bench pdsh "$n" env PDSH_SSH_ARGS_APPEND="$SSH_ARGS" pdsh -S -R ssh -f "$n" -w "^$hosts" true
  # runbook: a one-step runbook (`$ true`) on every host. Each run opens its own shared
  # connections (a fresh private ControlPath directory) and closes them at the end, so this
  # is the cost of a first step with fresh connections, clean-up included.
  local list
  list=$(paste -sd, "$hosts")
  bench runbook "$n" "$RUNBOOK" run "$WORK/one-step.runbook" --hosts "$list" --ssh-config "$CFG" \
    --parallel "$n" --no-journal --no-color
  # The same with a second step: the difference is what a step costs over the shared
  # connections the first step opened.
  bench "runbook 2 steps" "$n" "$RUNBOOK" run "$WORK/two-steps.runbook" --hosts "$list" --ssh-config "$CFG" \
    --parallel "$n" --no-journal --no-color
}

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
: >"$WORK/summary"

# The runbook binary under test (the release build, as users run it).
RUNBOOK=${RUNBOOK:-$(cd "$(dirname "$0")/.." && pwd)/.build/release/runbook}
[[ -x $RUNBOOK ]] || { echo "fanout-peers: build $RUNBOOK first (make release)" >&2; exit 1; }
printf 'runbook "one step"\nstep first "First"\n  $ true\n' >"$WORK/one-step.runbook"
printf 'runbook "two steps"\nstep first "First"\n  $ true\nstep second "Second"\n  $ true\n' >"$WORK/two-steps.runbook"

# bench LABEL HOSTCOUNT COMMAND...: check the command works, time it, and
# note its median.
bench() {
  local label=$1 n=$2 median
  shift 2
  if ! "$@" </dev/null >"$WORK/out" 2>&1; then
    echo "fanout-peers: '$label' on $n hosts failed:" >&2
    sed 's/^/    /' "$WORK/out" >&2
    exit 1
  fi
  if [[ -z ${NO_HYPERFINE:-} ]] && command -v hyperfine >/dev/null 2>&1; then
    # -N: no intermediate shell; the command string is split like a shell
    # would, so quote each word with printf %q.
    hyperfine -N --style basic --warmup 1 --runs "$RUNS" -n "$label ($n)" \
      --export-csv "$WORK/run.csv" -- "$(printf '%q ' "$@")" >&2
    # CSV columns: command,mean,stddev,median,user,system,min,max (seconds);
    # count from the end, since the command name may hold commas.
    median=$(awk -F, 'NR == 2 {printf "%.1f", $(NF-4) * 1000}' "$WORK/run.csv")
  else
    local i t0 times=()
    for ((i = 0; i < RUNS; i++)); do
      t0=$(date +%s%N)
      "$@" </dev/null >/dev/null 2>&1
      times+=($((($(date +%s%N) - t0) / 1000)))
    done
    median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR] = $1} END {m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.1f", m / 1000}')
  fi
  printf '%-16s %5s %10s\n' "$label" "$n" "$median" >>"$WORK/summary"
}

# The peers come from Debian packages: install them on a fresh machine
# (waiting for apt's lock if another process holds it).
missing=()
command -v parallel-ssh >/dev/null 2>&1 || missing+=(pssh)
command -v pdsh >/dev/null 2>&1 || missing+=(pdsh)
if ((${#missing[@]})); then
  echo "fanout-peers: installing ${missing[*]}" >&2
  apt-get -o DPkg::Lock::Timeout=600 update -qq >&2 || true
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" >&2 \
    || { echo "fanout-peers: could not install ${missing[*]}" >&2; exit 1; }
fi

# The lab must be up with at least N hosts.
[[ -f $LAB_DIR/hosts ]] || { echo "fanout-peers: no lab in $LAB_DIR (run: lab/lab.sh up $N)" >&2; exit 1; }
mapfile -t all_hosts <"$LAB_DIR/hosts"
((${#all_hosts[@]} >= N)) || { echo "fanout-peers: the lab has ${#all_hosts[@]} hosts, need $N" >&2; exit 1; }

# Other work on the machine skews these figures (see tools()): show the load.
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

for n in $(printf '%s\n' 1 8 "$N" | awk -v max="$N" '$1 <= max' | sort -nu); do
  printf '%s\n' "${all_hosts[@]:0:n}" >"$WORK/hosts-$n"
  tools "$WORK/hosts-$n" "$n"
done

echo
echo "median wall time of \`true\` on every host, fresh ssh connections"
echo "(load average before the runs: $load_before)"
printf '%-16s %5s %10s\n' TOOL HOSTS MEDIAN_MS
cat "$WORK/summary"

# Ratios the targets are stated in: runbook's first step against parallel-ssh, and the
# second step (two-step run minus one-step run) against the first.
echo
awk '{ label = $1; for (i = 2; i < NF - 1; i++) label = label " " $i; m[label, $(NF-1)] = $NF; hosts[$(NF-1)] = 1 }
     END { for (n in hosts) if (m["runbook", n] != "" && m["parallel-ssh", n] != "") {
             second = m["runbook 2 steps", n] - m["runbook", n]
             printf "%3d hosts: runbook first step / parallel-ssh = %.2f; second step = %.0f ms = %.0f%% of the first\n",
                    n, m["runbook", n] / m["parallel-ssh", n], second, 100 * second / m["runbook", n] } }' "$WORK/summary" | sort -n
