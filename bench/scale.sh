#!/usr/bin/env bash
# scale.sh - runbook on the pod list of a large cluster: `kubectl get pods -A` output for
# 10,000 pods over 300 nodes (and 100,000 pods), captured from a command, read with table(),
# one branch per row and one finding per failing pod. Measured against a baseline in the
# same run. bench/run.sh calls it as its last group; it also runs alone:
#
#   bench/scale.sh               # writes bench/out/scale/results.md
#   ROUNDS=5 bench/scale.sh      # more interleaved iterations
#   BIN=/path/to/runbook bench/scale.sh
#
# Baseline: the commands alone — `cat pods-N.txt` into an awk program that does the same
# classification (STATUS not Running/Completed) and prints one line per failing pod and the
# count. The fraction of wall time that is runbook's own work is (runbook − baseline) /
# runbook, one figure per iteration, median reported.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BIN=${BIN:-$HERE/../.build/release/runbook} ROUNDS=${ROUNDS:-3} OUT=$HERE/out/scale
die() { echo "bench/scale.sh: $*" >&2; exit 2; }
progress() { printf '%s\n' "bench/scale.sh: $*" >&2; }
command -v hyperfine >/dev/null || die "hyperfine is missing (apt-get install hyperfine)"
[[ -x $BIN ]] || die "no release binary at $BIN (swift build -c release --static-swift-stdlib)"
[[ -x /usr/bin/time ]] || die "GNU time is missing (apt-get install time)"

rm -rf "$OUT"
mkdir -p "$OUT/journal" "$OUT/rounds"
export RUNBOOK_JOURNAL_DIR="$OUT/journal"
export NO_COLOR=1
cd "$OUT"

# ---------------------------------------------------------------- inputs
# gen_pods PODS NODES: `kubectl get pods -A` as kubectl prints it — every column padded to
# its widest cell plus three spaces, the last one not padded. Per node a kube-proxy and a
# node-exporter pod (DaemonSets), the rest Deployment pods in 60 namespaces. One pod in 500
# fails, in turn CrashLoopBackOff (with restarts "N (Mm ago)"), Pending and ImagePullBackOff.
gen_pods() {
  awk -v pods="$1" -v nodes="$2" '
    function suffix(n, len,    s, a, i) {
      a = "bcdfghjklmnpqrstvwxz2456789"; s = ""
      for (i = 0; i < len; i++) { n = (n * 69069 + 12345) % 4294967296; s = s substr(a, int(n / 65536) % 27 + 1, 1) }
      return s
    }
    function age(i) { return (i % 5 == 0) ? (i % 59 + 1) "m" : (i % 4 == 0) ? (i % 23 + 1) "h" : (i % 90 + 1) "d" }
    BEGIN {
      split("api web worker cache auth search billing gateway ingest metrics", app, " ")
      n = 0
      for (k = 0; k < nodes && n < pods; k++) {
        ns[++n] = "kube-system"; nm[n] = "kube-proxy-" suffix(k * 31 + 7, 5)
        rd[n] = "1/1"; st[n] = "Running"; rs[n] = "0"; ag[n] = "120d"
        if (n < pods) { ns[++n] = "monitoring"; nm[n] = "node-exporter-" suffix(k * 37 + 11, 5)
          rd[n] = "1/1"; st[n] = "Running"; rs[n] = "0"; ag[n] = "120d" }
      }
      for (i = n + 1; i <= pods; i++) {
        ns[i] = "team-" (i % 60); a = app[i % 10 + 1]
        nm[i] = a "-" suffix(int(i / 7) * 131 + 17, 10) "-" suffix(i * 17 + 5, 5)
        c = (i % 3 == 0) ? 2 : 1
        rd[i] = c "/" c; st[i] = "Running"; rs[i] = "0"; ag[i] = age(i)
        if (i % 97 == 0) { rs[i] = (i % 5 + 1) " (" (i % 50 + 2) "h ago)" }
        if (i % 41 == 0) { st[i] = "Completed"; rd[i] = "0/" c }
        if (i % 500 == 0) {
          f++
          if (f % 3 == 1) { st[i] = "CrashLoopBackOff"; rd[i] = "0/" c; rs[i] = (i % 40 + 5) " (" (i % 5 + 1) "m ago)" }
          else if (f % 3 == 2) { st[i] = "Pending"; rd[i] = "0/" c; rs[i] = "0" }
          else { st[i] = "ImagePullBackOff"; rd[i] = "0/" c; rs[i] = "0" }
        }
      }
      h[1] = "NAMESPACE"; h[2] = "NAME"; h[3] = "READY"; h[4] = "STATUS"; h[5] = "RESTARTS"
      for (c = 1; c <= 5; c++) w[c] = length(h[c])
      for (i = 1; i <= pods; i++) {
        if (length(ns[i]) > w[1]) w[1] = length(ns[i]); if (length(nm[i]) > w[2]) w[2] = length(nm[i])
        if (length(rd[i]) > w[3]) w[3] = length(rd[i]); if (length(st[i]) > w[4]) w[4] = length(st[i])
        if (length(rs[i]) > w[5]) w[5] = length(rs[i])
      }
      fmt = "%-" w[1] + 3 "s%-" w[2] + 3 "s%-" w[3] + 3 "s%-" w[4] + 3 "s%-" w[5] + 3 "s%s\n"
      printf fmt, h[1], h[2], h[3], h[4], h[5], "AGE"
      for (i = 1; i <= pods; i++) printf fmt, ns[i], nm[i], rd[i], st[i], rs[i], ag[i]
    }'
}
gen_pods 10000 300 >pods-10000.txt
gen_pods 100000 3000 >pods-100000.txt

# The runbook: capture, table(), a branch per row, a finding per failing pod.
cat >scale.runbook <<'EOF'
runbook "Failing pods of a large cluster"
param file = "pods-10000.txt"

step scan "Which pods are failing?"
  pods = $ cat "$file"
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

# Baseline: the same command and classification without runbook.
cat >baseline.sh <<'EOF'
cat "$1" | awk 'NR > 1 { if ($4 == "Running" || $4 == "Completed") h++; else { f++; print $1 "/" $2 " is " $4 } }
  END { print h + f " pods: " h " running or completed, " f " failing" }'
EOF

expected() { awk 'NR > 1 && $4 != "Running" && $4 != "Completed"' "$1" | wc -l; }
fail10k=$(expected pods-10000.txt)
fail100k=$(expected pods-100000.txt)
bytes10k=$(stat -c %s pods-10000.txt)
bytes100k=$(stat -c %s pods-100000.txt)

printf 'runbook "One step"\nstep one "One"\n  $ true\n' >one.runbook
"$BIN" check scale.runbook >/dev/null || die "scale.runbook does not check"

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
progress "10,000 pods: $((3 * ROUNDS)) interleaved iterations"
measure pods10k $((3 * ROUNDS)) 3 \
  "baseline=sh baseline.sh pods-10000.txt" \
  "runbook=$BIN run scale.runbook file=pods-10000.txt" \
  "one-step=$BIN run one.runbook"
rm -f journal/*
progress "100,000 pods: $ROUNDS interleaved iterations"
measure pods100k "$ROUNDS" 1 \
  "baseline=sh baseline.sh pods-100000.txt" \
  "runbook=$BIN run scale.runbook file=pods-100000.txt"
rm -f journal/*

# median of a label, and median over iterations of (label − base) / label
stat() {   # stat GROUP LABEL BASE -> "median_ms base_ms own_fraction"
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
read -r rb10 base10 own10 < <(stat pods10k runbook baseline)
read -r rb100 base100 own100 < <(stat pods100k runbook baseline)
read -r one10 _ _ < <(stat pods10k one-step baseline)

# ---------------------------------------------------------------- one run each: RSS, findings, lines
one_run() {   # one_run N -> run-N.out (the terminal), run-N.jsonl, time-N.txt, status-N.txt
  set +e
  /usr/bin/time -v -o "time-$1.txt" "$BIN" run scale.runbook "file=pods-$1.txt" --journal "run-$1.jsonl" >"run-$1.out" 2>&1
  echo $? >"status-$1.txt"
  set -e
}
progress "one run each for peak RSS, findings and terminal lines"
one_run 10000
one_run 100000
rss_kb() { awk -F': ' '/Maximum resident set size/ {print $2}' "time-$1.txt"; }
concl10k=$(grep -o '[0-9]* failing pods' run-10000.out | tail -1 | cut -d' ' -f1)
concl100k=$(grep -o '[0-9]* failing pods' run-100000.out | tail -1 | cut -d' ' -f1)
found10k=$(grep -c '"type":"finding"' run-10000.jsonl || true)
found100k=$(grep -c '"type":"finding"' run-100000.jsonl || true)
lines10k=$(wc -l <run-10000.out)
lines100k=$(wc -l <run-100000.out)
rss10k=$(rss_kb 10000)
rss100k=$(rss_kb 100000)
wall100k=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' time-100000.txt)

verdict() { awk -v v="$1" -v lim="$2" 'BEGIN { printf (v <= lim) ? "met" : "not met" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
x10=$(ratio "$((rss10k * 1024))" "$bytes10k")
x100=$(ratio "$((rss100k * 1024))" "$bytes100k")
pct() { awk -v f="$1" 'BEGIN { printf "%.0f %%", f * 100 }'; }

{
  echo "# runbook at scale: 10,000 and 100,000 pods"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) · $(nproc) cores · load at the end $(cut -d' ' -f1-3 /proc/loadavg) · ROUNDS=$ROUNDS · binary $BIN"
  echo
  echo "| measure | 10,000 pods | 100,000 pods | target | verdict (10k / 100k) |"
  echo "|---|---:|---:|---|---|"
  printf '| captured output | %s bytes | %s bytes | | |\n' "$bytes10k" "$bytes100k"
  printf '| baseline (`cat` into awk, same classification) | %s ms | %s ms | | |\n' "$base10" "$base100"
  printf '| runbook run, journal on | %s ms | %s ms | | |\n' "$rb10" "$rb100"
  printf '| (context) `runbook run` of one `$ true` step: start-up and journal | %s ms | | | |\n' "$one10"
  printf '| runbook'"'"'s own work, (runbook − baseline) / runbook | %s | %s | ≤ 25 %% | %s / %s |\n' \
    "$(pct "$own10")" "$(pct "$own100")" "$(verdict "$own10" 0.25)" "$(verdict "$own100" 0.25)"
  printf '| peak RSS of the runner | %.1f MiB (%s× the output) | %.1f MiB (%s× the output) | ≤ 3× the output | %s / %s |\n' \
    "$(awk -v k="$rss10k" 'BEGIN { print k / 1024 }')" "$x10" "$(awk -v k="$rss100k" 'BEGIN { print k / 1024 }')" "$x100" \
    "$(verdict "$x10" 3)" "$(verdict "$x100" 3)"
  printf '| failing pods: expected / concluded / findings journaled (exit) | %s / %s / %s (exit %s) | %s / %s / %s (exit %s, %s) | correct count | %s / %s |\n' \
    "$fail10k" "${concl10k:-?}" "$found10k" "$(cat status-10000.txt)" \
    "$fail100k" "${concl100k:-?}" "$found100k" "$(cat status-100000.txt)" "$wall100k" \
    "$([[ $fail10k == "${concl10k:-}" && $fail10k == "$found10k" ]] && echo met || echo 'not met')" \
    "$([[ $fail100k == "${concl100k:-}" && $fail100k == "$found100k" ]] && echo met || echo 'not met')"
  printf '| terminal lines at default verbosity | %s | %s | ≤ 100 | %s / %s |\n' \
    "$lines10k" "$lines100k" "$(verdict "$lines10k" 100)" "$(verdict "$lines100k" 100)"
} | tee results.md
