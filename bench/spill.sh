#!/usr/bin/env bash
# spill.sh - a captured output larger than the memory a capture may use: `kubectl get pods -A`
# of 2,000,000 pods (about 170 MB, bench/gen-pods-listing.py) read with `pods = $ cat FILE`,
# table() and a loop over its rows. Measured against a baseline in the same run:
#
#   spill      the default: the first 16 MiB in memory, the rest in a nameless temporary
#              file under TMPDIR (here bench/out/spill/tmp), mapped when the command ends
#              and read in place;
#   in-memory  `--capture-memory 1024`: the whole output in memory (the baseline).
#
# The two are interleaved (the order alternates per round), ROUNDS times (default 3). Per run:
# wall time and peak RSS (GNU time), and the runner's peak anonymous memory (RssAnon) and
# file-backed resident memory (RssFile) from /proc/PID/status, sampled every ~20 ms. Peak RSS
# (VmHWM) counts the mapping's file pages, which the kernel may drop and read again, so it
# hides the difference; RssAnon is what the runner cannot give back. Reported: medians, and the
# median of the per-round ratios spill / in-memory. The counts the runbook concludes with are
# checked against the generator's and awk's; a wrong count fails the benchmark.
#
#   bench/spill.sh                 # writes bench/out/spill/results.md (about 2 minutes, and
#                                  # 30 s more for the listing, which is kept between runs)
#   ROUNDS=5 bench/spill.sh        # more interleaved rounds
#   PODS=500000 bench/spill.sh     # another size
#   BIN=/path/to/runbook bench/spill.sh
#
# Two more runbooks on the same capture are measured the same way, for context: the capture
# alone (what holding the output costs, before anything reads it), and
# `count(grep(pods, "CrashLoopBackOff"))` (grep() makes each line a string and matches a regex
# on it, where table() keeps byte offsets).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BIN=${BIN:-$HERE/../.build/release/runbook} ROUNDS=${ROUNDS:-3} PODS=${PODS:-2000000} OUT=$HERE/out/spill
die() { echo "bench/spill.sh: $*" >&2; exit 2; }
progress() { printf '%s\n' "bench/spill.sh: $(date -u +%H:%M:%S) $*" >&2; }
command -v python3 >/dev/null || die "python3 is missing (it writes the listing)"
[[ -x $BIN ]] || die "no release binary at $BIN (swift build -c release --static-swift-stdlib -j 2)"
[[ -x /usr/bin/time ]] || die "GNU time is missing (apt-get install time)"
[[ -r /proc/self/status ]] || die "/proc is not readable here: the anonymous memory cannot be sampled"

# The listing is kept between runs when the generator and the size are the same (writing it
# takes about 30 s and 0.9 GiB of Python); everything else is made anew.
mkdir -p "$OUT"
listing=$OUT/pods-$PODS.txt stamp=$OUT/pods-$PODS.counts
find "$OUT" -mindepth 1 -maxdepth 1 ! -name "pods-$PODS.txt" ! -name "pods-$PODS.counts" -exec rm -rf {} +
mkdir -p "$OUT/tmp" "$OUT/runs"
generator=$(sha256sum "$HERE/gen-pods-listing.py" | cut -c1-16)
if [[ ! -s $listing || ! -s $stamp || $(cut -d' ' -f1 "$stamp") != "$generator" ]]; then
  progress "writing the listing of $PODS pods"
  rm -f "$listing" "$stamp"
  counts=$(python3 "$HERE/gen-pods-listing.py" "$PODS" "$listing") || die "gen-pods-listing.py failed"
  echo "$generator $counts" >"$stamp"
fi
read -r _ want_pods want_failing want_crash <"$stamp"
# The generator's counts, checked once more from the file itself.
read -r awk_pods awk_failing awk_crash < <(awk 'NR > 1 { n++; if ($4 != "Running" && $4 != "Completed") f++; if ($4 == "CrashLoopBackOff") c++ }
  END { print n, f, c }' "$listing")
[[ "$awk_pods $awk_failing $awk_crash" == "$want_pods $want_failing $want_crash" ]] \
  || die "the listing has $awk_pods pods, $awk_failing failing, $awk_crash crash-looping; the generator said $want_pods, $want_failing, $want_crash"
bytes=$(stat -c %s "$listing")

export TMPDIR=$OUT/tmp NO_COLOR=1
cd "$OUT"
cat >table.runbook <<'EOF'
runbook "Failing pods in a large listing"
param file = "pods.txt"

step scan "How many pods fail?"
  pods = $ cat "$file"
  rows = table(pods)
  failing = 0
  crashing = 0
  foreach p in rows
    if p.STATUS != "Running" and p.STATUS != "Completed"
      failing = failing + 1
      if p.STATUS == "CrashLoopBackOff"
        crashing = crashing + 1
  if failing > 0
    diagnose "{count(rows)} pods: {failing} failing, {crashing} in CrashLoopBackOff"
  conclude ok "{count(rows)} pods: {failing} failing, {crashing} in CrashLoopBackOff"
EOF
cat >capture.runbook <<'EOF'
runbook "A large listing, captured"
param file = "pods.txt"

step scan "How large is it?"
  pods = $ cat "$file"
  conclude ok "{pods.bytes} bytes captured"
EOF
cat >grep.runbook <<'EOF'
runbook "Crash-looping pods in a large listing"
param file = "pods.txt"

step scan "How many pods crash-loop?"
  pods = $ cat "$file"
  crashing = count(grep(pods, "CrashLoopBackOff"))
  if crashing > 0
    diagnose "{crashing} in CrashLoopBackOff"
  conclude ok "{crashing} in CrashLoopBackOff"
EOF
# The runner's own memory, for scale: a run of one step that waits half a second (long enough
# to be sampled; `$ true` is over before the first sample).
printf 'runbook "One step"\nparam file = "pods.txt"\nstep one "One"\n  $ sleep 0.5\n  conclude ok "done"\n' >one.runbook
runbooks=(table capture grep)
"$BIN" check one.runbook "${runbooks[@]/%/.runbook}" >/dev/null || die "the runbooks do not check"

# sample PID: until the process is gone, its RssAnon and RssFile every ~20 ms; prints
# "peak_anon_kb peak_file_kb samples".
sample() {
  local pid=$1 anon=0 file=0 n=0 key value
  while [[ -e /proc/$pid/status ]]; do
    { while read -r key value _; do
        case $key in
          RssAnon:) ((value > anon)) && anon=$value ;;
          RssFile:) ((value > file)) && file=$value ;;
        esac
      done 2>/dev/null </proc/"$pid"/status; } 2>/dev/null || true
    n=$((n + 1))
    sleep 0.02
  done
  echo "$anon $file $n"
}

# run_one RUNBOOK MODE ROUND: one run of RUNBOOK (table, capture, grep or one) with MODE
# (spill, memory or base), sampled; checks the exit code and the conclusion; appends
# "runbook mode round wall_s maxrss_kb peak_anon_kb peak_file_kb samples" to results.tsv.
# RUNNER is the runner's pid while it runs: the benchmark stopping early (an error, Ctrl-C,
# SIGTERM) stops it too (a background job of a script ignores SIGINT).
RUNNER=
trap 'if [[ -n $RUNNER ]]; then kill "$RUNNER" 2>/dev/null || true; fi' EXIT
trap 'exit 130' INT TERM
: >results.tsv
run_one() {
  local runbook=$1 mode=$2 round=$3 name=runs/$1-$2-$3 args=() timer pid i peaks
  [[ $mode == memory ]] && args=(--capture-memory 1024)
  # bash writes its pid and becomes the runner (exec), so the pid sampled is the runner's.
  # GNU time writes "Command exited with non-zero status 1" first: its last line is the figures.
  /usr/bin/time -f '%e %M' -o "$name.time" bash -c 'echo $$ >"$0"; exec "$@"' "$name.pid" \
    "$BIN" run "$runbook.runbook" "file=$listing" --no-journal "${args[@]}" >"$name.out" 2>&1 &
  timer=$!
  for ((i = 0; i < 500; i++)); do [[ -s $name.pid ]] && break; sleep 0.01; done
  [[ -s $name.pid ]] || die "$name: the runner did not start"
  pid=$(cat "$name.pid")
  RUNNER=$pid
  # The sampler runs in the background and is waited for: `wait` returns at once on a signal
  # the script traps, where a foreground command would hold the trap until the run ends.
  sample "$pid" >"$name.peaks" &
  wait $!
  peaks=$(cat "$name.peaks")
  local status=0 want found
  wait "$timer" || status=$?
  RUNNER=
  # diagnose (exit 1) when something fails, conclude ok (exit 0) when nothing does.
  case $runbook in
    table) want="$want_pods pods: $want_failing failing, $want_crash in CrashLoopBackOff" found=$want_failing ;;
    capture) want="$bytes bytes captured" found=0 ;;
    grep) want="$want_crash in CrashLoopBackOff" found=$want_crash ;;
    one) want="done" found=0 ;;
  esac
  ((status == (found > 0 ? 1 : 0))) || die "$name: runbook exited $status (see bench/out/spill/$name.out)"
  grep -q "conclusion: $want" "$name.out" || die "$name: the conclusion is not '$want' (see bench/out/spill/$name.out)"
  printf '%s\t%s\t%s\t%s\t%s\n' "$runbook" "$mode" "$round" "$(tail -1 "$name.time" | tr ' ' '\t')" "$(echo "$peaks" | tr ' ' '\t')" >>results.tsv
}

progress "$PODS pods, $bytes bytes; warming up (one run of each, not counted)"
for runbook in "${runbooks[@]}"; do for mode in spill memory; do run_one "$runbook" "$mode" 0; done; done
: >results.tsv
for ((round = 1; round <= ROUNDS; round++)); do
  progress "round $round of $ROUNDS"
  if ((round % 2)); then modes=(spill memory); else modes=(memory spill); fi
  for runbook in "${runbooks[@]}"; do for mode in "${modes[@]}"; do run_one "$runbook" "$mode" "$round"; done; done
  run_one one base "$round"
done
left=$(find tmp -mindepth 1 | wc -l)
((left == 0)) || die "the spill directory holds $left files after the runs: a spill file was left behind"

# ---------------------------------------------------------------- results
# stat RUNBOOK COLUMN -> "spill_median memory_median ratio_median" (the ratio per round, then
# its median). Columns of results.tsv: 4 wall s, 5 maxrss KB, 6 peak anon KB, 7 peak file KB.
stat() {
  awk -F'\t' -v rb="$1" -v c="$2" '
    function median(a, n,    s, i, j, t) {
      for (i = 1; i <= n; i++) s[i] = a[i]
      for (i = 2; i <= n; i++) for (j = i; j > 1 && s[j-1] > s[j]; j--) { t = s[j]; s[j] = s[j-1]; s[j-1] = t }
      return n % 2 ? s[(n + 1) / 2] : (s[n / 2] + s[n / 2 + 1]) / 2
    }
    $1 == rb && $2 == "spill" { sp[$3] = $c }
    $1 == rb && $2 == "memory" { mem[$3] = $c }
    END {
      n = 0
      for (r in sp) { n++; a[n] = sp[r]; b[n] = mem[r]; q[n] = mem[r] > 0 ? sp[r] / mem[r] : 0 }
      printf "%s %s %.2f\n", median(a, n), median(b, n), median(q, n)
    }' results.tsv
}
mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
row() {   # row RUNBOOK COLUMN LABEL UNIT(s|kb)
  local spill memory ratio
  read -r spill memory ratio < <(stat "$1" "$2")
  if [[ $4 == s ]]; then printf '| %s | %.2f s | %.2f s | %s× |\n' "$3" "$spill" "$memory" "$ratio"
  else printf '| %s | %s MiB | %s MiB | %s× |\n' "$3" "$(mib "$spill")" "$(mib "$memory")" "$ratio"; fi
}
base_anon=$(awk -F'\t' '$2 == "base" { print $6 }' results.tsv | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
samples=$(awk -F'\t' '$2 != "base" { s += $8; n++ } END { printf "%.0f", s / n }' results.tsv)
{
  echo "# runbook: a captured output spilled to a file, against the same output in memory"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) · $(nproc) cores · load at the end $(cut -d' ' -f1-3 /proc/loadavg) · ROUNDS=$ROUNDS · binary $BIN ($("$BIN" --version))"
  echo
  printf '`kubectl get pods -A` of %s pods: %s bytes (%s MiB) captured by `pods = $ cat FILE`; %s failing, %s in CrashLoopBackOff (concluded correctly in every run).\n' \
    "$want_pods" "$bytes" "$(mib $((bytes / 1024)))" "$want_failing" "$want_crash"
  echo "spill: the default (16 MiB in memory, the rest in a nameless file under TMPDIR); in-memory: \`--capture-memory 1024\`."
  echo "The runner's own base: a run of one step (\`\$ sleep 0.5\`) peaks at $(mib "$base_anon") MiB of anonymous memory."
  echo "Medians of $ROUNDS interleaved rounds; the ratio is the median of the per-round ratios. About $samples samples of /proc/PID/status per run."
  echo
  for runbook in "${runbooks[@]}"; do
    case $runbook in
      table) echo "| \`rows = table(pods)\`, a loop over the rows, the counts | spill | in-memory | spill / in-memory |" ;;
      capture) echo "| the capture alone | spill | in-memory | spill / in-memory |" ;;
      grep) echo "| \`count(grep(pods, \"CrashLoopBackOff\"))\` | spill | in-memory | spill / in-memory |" ;;
    esac
    echo "|---|---:|---:|---:|"
    row "$runbook" 4 "wall time" s
    row "$runbook" 6 "**peak anonymous memory of the runner (RssAnon)**" kb
    row "$runbook" 7 "peak file-backed resident memory (RssFile: the mapping, reclaimable)" kb
    row "$runbook" 5 "peak RSS (GNU time: VmHWM, counts both)" kb
    echo
  done
  echo "Raw figures: bench/out/spill/results.tsv (runbook, mode, round, wall s, max RSS KB, peak RssAnon KB, peak RssFile KB, samples)."
} | tee results.md
