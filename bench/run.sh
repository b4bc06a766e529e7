#!/usr/bin/env bash
# run.sh - measure runbook against plain shell baselines and print a table with a verdict
# per target. `make bench` builds the release binary first, then calls this.
#
#   bench/run.sh                 # everything (about 4 minutes; Ansible adds about 3)
#   ROUNDS=5 bench/run.sh        # more rounds for a noisy machine
#   BENCH_ANSIBLE=0 bench/run.sh # skip the Ansible comparison
#   BENCH_SCALE=0 bench/run.sh   # skip bench/scale.sh (10,000 and 100,000 pods served to kubectl, about 6 minutes)
#   BENCH_SPILL=0 bench/run.sh   # skip bench/spill.sh (2,000,000 pods captured, spilled against in memory, about 3 minutes)
#   BIN=/path/to/runbook bench/run.sh
#
# Every figure is a median. The commands of a comparison are interleaved (one hyperfine
# call per command per iteration, in rotating order), so a machine that gets busier affects
# the baseline and runbook alike; each iteration gives a ratio against the baseline measured
# next to it, and the median of those ratios is reported. ROUNDS (default 3) scales the
# number of iterations. Raw data: bench/out/ (gitignored): hyperfine CSV per command and
# iteration (rounds/), results.tsv, results.md.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
OUT="$HERE/out"
BIN=${BIN:-$ROOT/.build/release/runbook}
ROUNDS=${ROUNDS:-3}
BENCH_ANSIBLE=${BENCH_ANSIBLE:-1}

die() { echo "bench/run.sh: $*" >&2; exit 2; }
command -v hyperfine >/dev/null || die "hyperfine is missing (apt-get install hyperfine)"
if [[ ! -x $BIN ]]; then
  echo "bench/run.sh: no release binary at $BIN; building it (swift build -c release --static-swift-stdlib)" >&2
  (cd "$ROOT" && swift build -c release --static-swift-stdlib -j 2) >&2 || die "the release build failed"
fi
if [[ ! -x /usr/bin/time ]]; then
  echo "bench/run.sh: installing Debian's time (for peak RSS)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq time >&2 || die "cannot install time"
fi

rm -rf "$OUT"
mkdir -p "$OUT/journal" "$OUT/rounds"
export RUNBOOK_JOURNAL_DIR="$OUT/journal"
export NO_COLOR=1
cd "$OUT"

# ---------------------------------------------------------------- inputs
{
  echo 'runbook "500 trivial steps"'
  for i in $(seq 1 500); do printf 'step s%d "Step %d"\n  $ true\n' "$i" "$i"; done
} >steps500.runbook
for _ in $(seq 1 500); do echo 'sh -c true'; done >sh500.sh
printf 'runbook "One step"\nstep one "One"\n  $ true\n' >one.runbook
for n in 1000 10000 100000; do "$HERE/gen-runbook.sh" "$n" >"gen$n.runbook"; done
printf 'runbook "A command that prints 1 GiB"\nstep big "Big output"\n  $ head -c 1073741824 /dev/zero\n' >big.runbook
mapfile -t shipped < <(ls "$ROOT"/runbooks/*.runbook)

# Sanity: everything the benchmarks run must work (a failing command would time its error).
"$BIN" run steps500.runbook >/dev/null || die "the 500-step runbook does not run"
"$BIN" run one.runbook >/dev/null || die "the one-step runbook does not run"
"$BIN" check "${shipped[@]}" >/dev/null || die "runbook check of runbooks/*.runbook fails"
for n in 1000 10000 100000; do "$BIN" check "gen$n.runbook" >/dev/null || die "gen$n.runbook does not check"; done

# ---------------------------------------------------------------- measuring
# measure GROUP ITERATIONS RUNS LABEL=COMMAND... : the first command is the group's baseline.
# The commands are interleaved: each iteration runs every command once through hyperfine
# (RUNS timed runs each, in an order that rotates), so a machine that gets busier or quieter
# affects all of them alike, and each iteration gives one ratio against the baseline.
# Appends "group iteration label median_ms" to results.tsv.
: >results.tsv
measure() {
  local group=$1 iterations=$2 runs=$3
  shift 3
  local specs=("$@") n=$# i k spec label csv
  # Warm-up: each command a few times (page cache, first-run effects), not timed.
  for spec in "${specs[@]}"; do
    hyperfine -N --style none --warmup 2 --runs 1 "${spec#*=}" >/dev/null 2>&1 \
      || { echo "bench/run.sh: '${spec#*=}' fails" >&2; exit 2; }
  done
  for ((i = 1; i <= iterations; i++)); do
    for ((k = 0; k < n; k++)); do
      spec=${specs[$(((k + i) % n))]}
      label=${spec%%=*}
      csv="rounds/$group-$i-$label.csv"
      hyperfine -N --style none --runs "$runs" --export-csv "$csv" "${spec#*=}" >/dev/null 2>"rounds/$group.err" \
        || { cat "rounds/$group.err" >&2; die "hyperfine failed for $group/$label"; }
      # CSV: command,mean,stddev,median,user,system,min,max (seconds); count from the end,
      # since the command may hold commas.
      awk -F, -v g="$group" -v r="$i" -v l="$label" 'NR == 2 { printf "%s\t%s\t%s\t%.3f\n", g, r, l, $(NF-4) * 1000 }' "$csv" >>results.tsv
    done
  done
}

progress() { printf '%s\n' "bench/run.sh: $*" >&2; }

progress "step overhead: 500 steps, $((3 * ROUNDS)) interleaved iterations"
steps=("sh=sh sh500.sh"
       "runbook=$BIN run steps500.runbook"
       "no-journal=$BIN run steps500.runbook --no-journal"
       "sync-fsync=env RUNBOOK_JOURNAL_FSYNC=sync $BIN run steps500.runbook")
measure steps $((3 * ROUNDS)) 1 "${steps[@]}"
rm -f "$OUT"/journal/*

progress "start-up: $((5 * ROUNDS)) interleaved iterations"
measure startup $((5 * ROUNDS)) 5 \
  "sh=sh -c true" \
  "version=$BIN --version" \
  "check=$BIN check ${shipped[*]}" \
  "run=$BIN run one.runbook"
rm -f "$OUT"/journal/*

progress "parse and check: $((2 * ROUNDS)) interleaved iterations"
measure parse $((2 * ROUNDS)) 3 \
  "1k=$BIN check gen1000.runbook" \
  "10k=$BIN check gen10000.runbook" \
  "100k=$BIN check gen100000.runbook"

# ---------------------------------------------------------------- memory
progress "memory: a command printing 1 GiB, output to /dev/null"
set +e
/usr/bin/time -v -o time-big.txt "$BIN" run big.runbook >/dev/null 2>big.err
big_status=$?
set -e
rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' time-big.txt)
big_wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' time-big.txt)
big_bytes=$(grep -ho '"stdoutBytes":[0-9]*' "$OUT"/journal/*big*.jsonl 2>/dev/null | head -1 | cut -d: -f2)
rm -f "$OUT"/journal/*

# ---------------------------------------------------------------- Ansible (context only)
ansible_line="Ansible: not measured (BENCH_ANSIBLE=0)"
if [[ $BENCH_ANSIBLE != 0 ]]; then
  playbook_cmd=$(command -v ansible-playbook || true)
  if [[ -z $playbook_cmd && -x $HERE/.ansible-venv/bin/ansible-playbook ]]; then playbook_cmd=$HERE/.ansible-venv/bin/ansible-playbook; fi
  if [[ -z $playbook_cmd ]]; then
    progress "Ansible: pip install ansible-core into bench/.ansible-venv (once)"
    if python3 -m venv "$HERE/.ansible-venv" >ansible-install.log 2>&1 \
       && "$HERE/.ansible-venv/bin/pip" install -q ansible-core >>ansible-install.log 2>&1; then
      playbook_cmd=$HERE/.ansible-venv/bin/ansible-playbook
    fi
  fi
  if [[ -n $playbook_cmd ]]; then
    progress "Ansible: 500 local 'command: true' tasks (one run, a few minutes)"
    {
      echo '- hosts: localhost'
      echo '  connection: local'
      echo '  gather_facts: false'
      echo '  tasks:'
      for i in $(seq 1 500); do printf '    - name: task %d\n      command: "true"\n' "$i"; done
    } >ansible500.yml
    # The modules run with the Python that runs Ansible (interpreter discovery can pick a
    # broken shim, e.g. pyenv's).
    py=$(dirname "$playbook_cmd")/python3
    [[ -x $py ]] || py=$(command -v python3)
    start=$(date +%s%N)
    if ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false \
       "$playbook_cmd" -i localhost, -e "ansible_python_interpreter=$py" ansible500.yml >ansible.log 2>&1; then
      ms=$((($(date +%s%N) - start) / 1000000))
      ansible_line=$(awk -v ms="$ms" 'BEGIN { printf "Ansible (ansible-core, 500 local command: true tasks, one run): %.1f s, %.0f ms per task", ms / 1000, ms / 500 }')
      printf 'ansible\t1\tansible500\t%s\n' "$ms" >>results.tsv
    else
      ansible_line="Ansible: the playbook failed (bench/out/ansible.log)"
    fi
  else
    ansible_line="Ansible: not measured: pip install ansible-core failed (bench/out/ansible-install.log)"
  fi
fi

# ---------------------------------------------------------------- report
# median over rounds of a label's median, and median over rounds of label/base ratios.
stat() {   # stat GROUP LABEL [BASE] -> "median_ms ratio"
  awk -F'\t' -v g="$1" -v l="$2" -v b="${3:-}" '
    function median(a, n,    i, j, t) {
      for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    $1 == g && $3 == l { v[$2] = $4; rounds[$2] = 1 }
    $1 == g && $3 == b { base[$2] = $4 }
    END {
      n = 0; m = 0
      for (r in rounds) { vals[++n] = v[r]; if (b != "" && base[r] > 0) ratios[++m] = v[r] / base[r] }
      printf "%.3f %.3f\n", median(vals, n), (m ? median(ratios, m) : 0)
    }' results.tsv
}
verdict() {   # verdict VALUE LIMIT UNIT -> "met" or "not met (…)"
  awk -v v="$1" -v lim="$2" -v u="$3" 'BEGIN {
    if (v <= lim) printf "met"; else printf "not met (%.2f%s over)", v - lim, u }'
}

read -r sh_ms _ < <(stat steps sh)
read -r rb_ms rb_x < <(stat steps runbook sh)
read -r nj_ms nj_x < <(stat steps no-journal sh)
read -r sf_ms sf_x < <(stat steps sync-fsync sh)
read -r shs_ms _ < <(stat startup sh)
read -r ver_ms ver_x < <(stat startup version sh)
read -r chk_ms chk_x < <(stat startup check sh)
read -r run_ms run_x < <(stat startup run sh)
read -r p1_ms _ < <(stat parse 1k)
read -r p10_ms _ < <(stat parse 10k)
read -r p100_ms p100_x < <(stat parse 100k 10k)
rss_mib=$(awk -v k="${rss_kb:-0}" 'BEGIN { printf "%.1f", k / 1024 }')
per_step() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (a - b) * 1000 / 500 }'; }

{
  echo "# runbook benchmarks"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) · $(nproc) cores · load at the end $(cut -d' ' -f1-3 /proc/loadavg) · ROUNDS=$ROUNDS ·" \
       "binary $BIN ($("$BIN" --version))"
  echo
  echo "| measure | runbook | baseline | ratio | target | verdict |"
  echo "|---|---:|---:|---:|---|---|"
  printf '| 500 steps of `$ true`, journal on | %.0f ms | %.0f ms (`sh -c true` ×500) | %.2f× | ≤ 1.2× | %s |\n' \
    "$rb_ms" "$sh_ms" "$rb_x" "$(verdict "$rb_x" 1.2 ×)"
  printf '| … with `--no-journal` | %.0f ms | | %.2f× | (context) | |\n' "$nj_ms" "$nj_x"
  printf '| … journal with fsync on the runner'"'"'s thread (`RUNBOOK_JOURNAL_FSYNC=sync`, the old behaviour) | %.0f ms | | %.2f× | (context) | |\n' "$sf_ms" "$sf_x"
  printf '| `runbook --version` | %.2f ms | %.2f ms (`sh -c true`) | %.2f× | ≤ 3× | %s |\n' "$ver_ms" "$shs_ms" "$ver_x" "$(verdict "$ver_x" 3 ×)"
  printf '| `runbook check runbooks/*.runbook` (%d files) | %.2f ms | %.2f ms | %.2f× | ≤ 5× | %s |\n' "${#shipped[@]}" "$chk_ms" "$shs_ms" "$chk_x" "$(verdict "$chk_x" 5 ×)"
  printf '| `runbook run` of one `$ true` step, journal on | %.2f ms | %.2f ms | %.2f× | ≤ 5× | %s |\n' "$run_ms" "$shs_ms" "$run_x" "$(verdict "$run_x" 5 ×)"
  printf '| `check` of 1k lines | %.1f ms | | | | |\n' "$p1_ms"
  printf '| `check` of 10k lines | %.1f ms | | | | |\n' "$p10_ms"
  printf '| `check` of 100k lines | %.1f ms | 10k: %.1f ms | %.2f× the 10k time | ≤ 12× | %s |\n' "$p100_ms" "$p10_ms" "$p100_x" "$(verdict "$p100_x" 12 ×)"
  printf '| `check` of 100k lines, absolute | %.1f ms | | | < 1000 ms | %s |\n' "$p100_ms" "$(verdict "$p100_ms" 999.999 ' ms')"
  printf '| peak RSS, a command printing 1 GiB (exit %s, %s, %s bytes seen) | %s MiB | | | < 64 MiB and finishes | %s |\n' \
    "$big_status" "${big_wall:-?}" "${big_bytes:-?}" "$rss_mib" \
    "$( ((big_status == 0)) && verdict "$rss_mib" 63.999 ' MiB' || echo "not met (exit $big_status)")"
  echo
  echo "Per step: runbook adds $(per_step "$rb_ms" "$sh_ms") µs over \`sh -c true\` with the journal," \
       "$(per_step "$nj_ms" "$sh_ms") µs without it; fsync on the runner's thread would add" \
       "$(per_step "$sf_ms" "$rb_ms") µs more."
  echo
  echo "$ansible_line"
  echo
  echo "Verdicts:"
  echo "- step overhead ≤ 1.2×: $(verdict "$rb_x" 1.2 ×)"
  echo "- start-up --version ≤ 3×: $(verdict "$ver_x" 3 ×)"
  echo "- start-up check ≤ 5×: $(verdict "$chk_x" 5 ×)"
  echo "- start-up run ≤ 5×: $(verdict "$run_x" 5 ×)"
  echo "- parse 100k ≤ 12× 10k: $(verdict "$p100_x" 12 ×)"
  echo "- parse 100k < 1 s: $(verdict "$p100_ms" 999.999 ' ms')"
  echo "- 1 GiB output, RSS < 64 MiB and finishes: $( ((big_status == 0)) && verdict "$rss_mib" 63.999 ' MiB' || echo "not met (exit $big_status)")"
} | tee results.md

# ---------------------------------------------------------------- scale (its own script)
if [[ ${BENCH_SCALE:-1} != 0 ]]; then
  progress "scale: 10,000 and 100,000 pods (bench/scale.sh)"
  echo
  BIN=$BIN ROUNDS=$ROUNDS "$HERE/scale.sh" | tee -a results.md
fi

# ---------------------------------------------------------------- spilled output (its own script)
if [[ ${BENCH_SPILL:-1} != 0 ]]; then
  progress "spill: 2,000,000 pods captured, spilled to a file against in memory (bench/spill.sh)"
  echo
  BIN=$BIN ROUNDS=$ROUNDS "$HERE/spill.sh" | tee -a results.md
fi
