#!/usr/bin/env bash
# scale.sh - runbook on the pods of a large cluster: 10,000 pods over 300 nodes (and 100,000
# over 3,000), listed by the real `kubectl get pods -A` from runbook's own API server
# (`runbook serve` on a generated cluster directory), read with table(), one branch per row
# and one finding per failing pod. Measured against a baseline in the same run.
# bench/run.sh calls it as its last group; it also runs alone:
#
#   bench/scale.sh               # writes bench/out/scale/results.md
#   ROUNDS=5 bench/scale.sh      # more interleaved iterations
#   BIN=/path/to/runbook bench/scale.sh
#
# Two variants, each against its own baseline:
#   kubectl  `pods = $ kubectl get pods -A` against the served cluster; baseline
#            `kubectl get pods -A | awk …` with the same classification (STATUS not
#            Running/Completed), one line per failing pod and the counts.
#   cat      the same listing saved to a file, `pods = $ cat FILE`; baseline `cat FILE | awk …`.
#            Without the server's and kubectl's time, this isolates the interpreter's cost.
# The fraction of wall time that is runbook's own work is (runbook − baseline) / runbook,
# one figure per iteration, median reported.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BIN=${BIN:-$HERE/../.build/release/runbook} ROUNDS=${ROUNDS:-3} OUT=$HERE/out/scale
die() { echo "bench/scale.sh: $*" >&2; exit 2; }
progress() { printf '%s\n' "bench/scale.sh: $(date -u +%H:%M:%S) $*" >&2; }
command -v hyperfine >/dev/null || die "hyperfine is missing (apt-get install hyperfine)"
command -v kubectl >/dev/null || die "kubectl is missing"
command -v python3 >/dev/null || die "python3 is missing (it writes the cluster directories)"
[[ -x $BIN ]] || die "no release binary at $BIN (swift build -c release --static-swift-stdlib)"
[[ -x /usr/bin/time ]] || die "GNU time is missing (apt-get install time)"

rm -rf "$OUT"
mkdir -p "$OUT/journal" "$OUT/rounds"
export RUNBOOK_JOURNAL_DIR="$OUT/journal"
export NO_COLOR=1
# kubectl reads and writes only these: the user's ~/.kube is never touched.
KTMP=$(mktemp -d)
export KUBECACHEDIR=$KTMP/cache
SERVER_PID=
stop_server() {
  if [[ -n $SERVER_PID ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  SERVER_PID=
}
trap 'stop_server; rm -rf "$KTMP"' EXIT
cd "$OUT"

# ---------------------------------------------------------------- inputs
# Cluster directories (docs/SNAPSHOTS.md): pods as one PodList, nodes, namespaces. One pod in
# 500 fails, in turn CrashLoopBackOff, Pending (unschedulable) and ImagePullBackOff.
progress "writing the cluster directories"
python3 "$HERE/gen-cluster.py" 10000 300 cluster-10000 >/dev/null
python3 "$HERE/gen-cluster.py" 100000 3000 cluster-100000 >/dev/null

# serve N: starts `runbook serve` on cluster-N, waits for its kubeconfig (the server writes it
# once every object is loaded), warms kubectl's discovery cache and saves the listing as
# pods-N.txt (the `cat` variant's input). Sets KUBECONFIG; load-N.txt: seconds to load.
serve() {
  local n=$1 start i
  export KUBECONFIG=$KTMP/kubeconfig-$n
  start=$(date +%s.%N)
  "$BIN" serve "cluster-$n" --kubeconfig "$KUBECONFIG" >"serve-$n.out" 2>"serve-$n.err" &
  SERVER_PID=$!
  for ((i = 0; i < 6000; i++)); do
    [[ -s $KUBECONFIG ]] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "serve-$n.err" >&2; die "runbook serve cluster-$n exited"; }
    sleep 0.1
  done
  [[ -s $KUBECONFIG ]] || die "runbook serve cluster-$n did not load in 10 minutes"
  awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f\n", e - s }' >"load-$n.txt"
  ps -o rss= -p "$SERVER_PID" >"server-rss-$n.txt"
  kubectl api-resources >/dev/null
  kubectl get pods -A >"pods-$n.txt"
  # The server's part of a listing: the Table kubectl asks for, fetched alone (median of 3).
  local url
  url=$(awk '/server:/ {print $2; exit}' "$KUBECONFIG")
  for i in 1 2 3; do
    curl -s -o /dev/null -w '%{time_total}\n' \
      -H 'Accept: application/json;as=Table;v=v1;g=meta.k8s.io,application/json' "$url/api/v1/pods?limit=500"
  done | sort -n | sed -n 2p >"table-time-$n.txt"
}

# The runbook: capture, table(), a branch per row, a finding per failing pod. $1 is the
# capture's command.
write_runbook() {
  cat <<EOF
runbook "Failing pods of a large cluster"
param file = "pods-10000.txt"

step scan "Which pods are failing?"
  pods = \$ $1
  healthy = 0
  failing = 0
  foreach p in table(pods)
    if p.STATUS == "Running" or p.STATUS == "Completed"
      healthy = healthy + 1
    else
      failing = failing + 1
      expect p.STATUS == "Running" else "{p.NAMESPACE}/{p.NAME} is {p.STATUS} (ready {p.READY}, restarts {p.RESTARTS})"
  print "{healthy + failing} pods: {healthy} running or completed, {failing} failing"
  if failing > 0
    diagnose "{failing} failing pods"
  conclude ok "no failing pods"
EOF
}
write_runbook 'cat "$file"' >scale.runbook
write_runbook 'kubectl get pods -A' >scale-kubectl.runbook

# Baselines: the same command and classification without runbook.
classify='NR > 1 { if ($4 == "Running" || $4 == "Completed") h++; else { f++; print $1 "/" $2 " is " $4 } }
  END { print h + f " pods: " h " running or completed, " f " failing" }'
printf '%s | awk '"'"'%s'"'"'\n' 'cat "$1"' "$classify" >baseline.sh
printf '%s | awk '"'"'%s'"'"'\n' 'kubectl get pods -A' "$classify" >baseline-kubectl.sh

expected() { awk 'NR > 1 && $4 != "Running" && $4 != "Completed"' "$1" | wc -l; }
printf 'runbook "One step"\nstep one "One"\n  $ true\n' >one.runbook
"$BIN" check scale.runbook scale-kubectl.runbook >/dev/null || die "the runbooks do not check"

# ---------------------------------------------------------------- time
# Interleaved like bench/run.sh: each iteration runs the baseline and runbook once through
# hyperfine (rotating order); runbook exits 1 (failing findings), hence -i.
: >results.tsv
measure() {   # measure GROUP ITERATIONS RUNS LABEL=COMMAND...
  local group=$1 iterations=$2 runs=$3
  shift 3
  local specs=("$@") n=$# i k spec label csv
  for spec in "${specs[@]}"; do hyperfine -N -i --style none --warmup 1 --runs 1 "${spec#*=}" >/dev/null 2>&1; done
  for ((i = 1; i <= iterations; i++)); do
    for ((k = 0; k < n; k++)); do
      spec=${specs[$(((k + i) % n))]}
      label=${spec%%=*}
      csv="rounds/$group-$i-$label.csv"
      hyperfine -N -i --style none --runs "$runs" --export-csv "$csv" "${spec#*=}" >/dev/null 2>"rounds/$group.err" \
        || { cat "rounds/$group.err" >&2; die "hyperfine failed for $group/$label"; }
      awk -F, -v g="$group" -v r="$i" -v l="$label" 'NR == 2 { printf "%s\t%s\t%s\t%.3f\n", g, r, l, $(NF-4) * 1000 }' "$csv" >>results.tsv
    done
  done
}
median_of() {   # median_of GROUP LABEL BASE -> "median_ms base_ms own_fraction"
  awk -F'\t' -v g="$1" -v l="$2" -v b="$3" '
    function median(a, n,    i, j, t) {
      for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    $1 == g && $3 == l { v[$2] = $4 }
    $1 == g && $3 == b { base[$2] = $4 }
    END {
      n = 0
      for (r in v) { n++; vals[n] = v[r]; bs[n] = base[r]; own[n] = (v[r] - base[r]) / v[r] }
      printf "%.1f %.1f %.3f\n", median(vals, n), median(bs, n), median(own, n)
    }' results.tsv
}

# ---------------------------------------------------------------- one run each: RSS, findings, lines
one_run() {   # one_run NAME RUNBOOK [ARGS…] -> NAME.out (the terminal), .jsonl, .time, .status
  local name=$1
  shift
  set +e
  /usr/bin/time -v -o "$name.time" "$BIN" run "$@" --journal "$name.jsonl" >"$name.out" 2>&1
  echo $? >"$name.status"
  set -e
}
rss_kb() { awk -F': ' '/Maximum resident set size/ {print $2}' "$1.time"; }
wall() { awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$1.time"; }
concluded() { grep -o '[0-9]* failing pods' "$1.out" | tail -1 | cut -d' ' -f1; }
findings() { grep -c '"type":"finding"' "$1.jsonl" || true; }

# group N ITERATIONS RUNS: serve the N-pod cluster, time both variants and their baselines
# interleaved, then one run of each for memory, findings and lines.
group() {
  local n=$1 iterations=$2 runs=$3
  progress "$n pods: loading the cluster into runbook serve"
  serve "$n"
  progress "$n pods: loaded in $(cat "load-$n.txt") s; $iterations interleaved iterations"
  local specs=("kubectl-baseline=bash baseline-kubectl.sh" "kubectl-runbook=$BIN run scale-kubectl.runbook"
    "cat-baseline=bash baseline.sh pods-$n.txt" "cat-runbook=$BIN run scale.runbook file=pods-$n.txt")
  if [[ $n == 10000 ]]; then specs+=("one-step=$BIN run one.runbook"); fi
  measure "pods$n" "$iterations" "$runs" "${specs[@]}"
  rm -f journal/*
  progress "$n pods: one run each for peak RSS, findings and terminal lines"
  one_run "kubectl-$n" scale-kubectl.runbook
  one_run "cat-$n" scale.runbook "file=pods-$n.txt"
  if [[ $n == 10000 ]]; then one_run one-step one.runbook; fi
  stop_server
}
group 10000 $((3 * ROUNDS)) 3
group 100000 "$ROUNDS" 1

# ---------------------------------------------------------------- results
verdict() { awk -v v="$1" -v lim="$2" 'BEGIN { printf (v <= lim) ? "met" : "not met" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
pct() { awk -v f="$1" 'BEGIN { printf "%.0f %%", f * 100 }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
base_rss=$(rss_kb one-step)
read -r one10 _ _ < <(median_of pods10000 one-step kubectl-baseline)

row_time() {   # row_time VARIANT: the time rows of one variant
  local v=$1 rb10 base10 own10 rb100 base100 own100
  read -r rb10 base10 own10 < <(median_of pods10000 "$v-runbook" "$v-baseline")
  read -r rb100 base100 own100 < <(median_of pods100000 "$v-runbook" "$v-baseline")
  printf '| %s: baseline (`%s` into awk) | %s ms | %s ms | | |\n' "$v" "$([[ $v == cat ]] && echo 'cat FILE' || echo 'kubectl get pods -A')" "$base10" "$base100"
  printf '| %s: runbook run, journal on | %s ms | %s ms | | |\n' "$v" "$rb10" "$rb100"
  printf '| %s: runbook'"'"'s own work, (runbook − baseline) / runbook | %s | %s | ≤ 25 %% | %s / %s |\n' \
    "$v" "$(pct "$own10")" "$(pct "$own100")" "$(verdict "$own10" 0.25)" "$(verdict "$own100" 0.25)"
}
row_memory() {   # row_memory VARIANT
  local v=$1 cells=() verdicts=() n rss bytes
  for n in 10000 100000; do
    rss=$(rss_kb "$v-$n") bytes=$(stat -c %s "pods-$n.txt")
    cells+=("$(mib "$rss") MiB; − base $(mib $((rss - base_rss))) MiB = $(ratio $(((rss - base_rss) * 1024)) "$bytes")× the output")
    verdicts+=("$(verdict "$(ratio $(((rss - base_rss) * 1024)) "$bytes")" 3)")
  done
  printf '| %s: peak RSS of the runner; the increment over a one-step run | %s | %s | ≤ 3× the output | %s / %s |\n' \
    "$v" "${cells[0]}" "${cells[1]}" "${verdicts[0]}" "${verdicts[1]}"
}
row_count() {   # row_count VARIANT
  local v=$1 cells=() verdicts=() n want got found
  for n in 10000 100000; do
    want=$(expected "pods-$n.txt") got=$(concluded "$v-$n") found=$(findings "$v-$n")
    cells+=("$want / ${got:-?} / $found (exit $(cat "$v-$n.status"), $(wall "$v-$n"))")
    verdicts+=("$([[ $want == "${got:-}" && $want == "$found" ]] && echo met || echo 'not met')")
  done
  printf '| %s: failing pods expected / concluded / findings journaled (exit, wall) | %s | %s | correct count | %s / %s |\n' \
    "$v" "${cells[0]}" "${cells[1]}" "${verdicts[0]}" "${verdicts[1]}"
}
row_lines() {   # row_lines VARIANT
  local v=$1 l10 l100
  l10=$(wc -l <"$v-10000.out") l100=$(wc -l <"$v-100000.out")
  printf '| %s: terminal lines at the default level | %s | %s | ≤ 100 | %s / %s |\n' \
    "$v" "$l10" "$l100" "$(verdict "$l10" 100)" "$(verdict "$l100" 100)"
}

{
  echo "# runbook at scale: 10,000 and 100,000 pods"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) · $(nproc) cores · load at the end $(cut -d' ' -f1-3 /proc/loadavg) · ROUNDS=$ROUNDS · binary $BIN"
  echo
  echo "| measure | 10,000 pods | 100,000 pods | target | verdict (10k / 100k) |"
  echo "|---|---:|---:|---|---|"
  printf '| `kubectl get pods -A` output | %s bytes | %s bytes | | |\n' "$(stat -c %s pods-10000.txt)" "$(stat -c %s pods-100000.txt)"
  printf '| cluster directory: objects/pods.json | %s bytes | %s bytes | | |\n' \
    "$(stat -c %s cluster-10000/objects/pods.json)" "$(stat -c %s cluster-100000/objects/pods.json)"
  printf '| `runbook serve`: load time; its RSS after loading | %s s; %s MiB | %s s; %s MiB | | |\n' \
    "$(cat load-10000.txt)" "$(mib "$(cat server-rss-10000.txt)")" "$(cat load-100000.txt)" "$(mib "$(cat server-rss-100000.txt)")"
  printf '| (context) `runbook run` of one `$ true` step: time; peak RSS (the base) | %s ms; %s MiB | | | |\n' "$one10" "$(mib "$base_rss")"
  printf '| `runbook serve`: the Table of all pods, one request (curl; kubectl parses it after) | %s s | %s s | | |\n' \
    "$(cat table-time-10000.txt)" "$(cat table-time-100000.txt)"
  for v in kubectl cat; do row_time "$v"; done
  # On a loaded machine kubectl's own time varies more than runbook's whole work, so the
  # kubectl row's difference is noisy; the cat variant measures runbook's work on the same
  # bytes, set here against the kubectl variant's time.
  read -r cat10 catb10 _ < <(median_of pods10000 cat-runbook cat-baseline)
  read -r cat100 catb100 _ < <(median_of pods100000 cat-runbook cat-baseline)
  read -r kub10 _ _ < <(median_of pods10000 kubectl-runbook kubectl-baseline)
  read -r kub100 _ _ < <(median_of pods100000 kubectl-runbook kubectl-baseline)
  own_est10=$(awk -v a="$cat10" -v b="$catb10" -v k="$kub10" 'BEGIN { print (a - b) / k }')
  own_est100=$(awk -v a="$cat100" -v b="$catb100" -v k="$kub100" 'BEGIN { print (a - b) / k }')
  printf '| kubectl: runbook'"'"'s own work from the cat variant, (cat runbook − cat baseline) / kubectl runbook | %s | %s | ≤ 25 %% | %s / %s |\n' \
    "$(pct "$own_est10")" "$(pct "$own_est100")" "$(verdict "$own_est10" 0.25)" "$(verdict "$own_est100" 0.25)"
  # GNU time's maximum resident set is the largest of the process and its children: in the
  # kubectl variant that is kubectl (a Go binary, about 50 MiB), so the runner's memory is
  # read from the cat variant, whose child is far smaller than the runner.
  row_memory cat
  printf '| (context) kubectl variant: peak RSS of the largest process of the run (kubectl) | %s MiB | %s MiB | | |\n' \
    "$(mib "$(rss_kb kubectl-10000)")" "$(mib "$(rss_kb kubectl-100000)")"
  for v in kubectl cat; do row_count "$v"; done
  for v in kubectl cat; do row_lines "$v"; done
} | tee results.md
