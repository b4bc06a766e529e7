#!/usr/bin/env bash
# run.sh [SECONDS] - fuzz the lexer, parser and checker for SECONDS (default 300).
#
#   fuzz/run.sh 300      # `make fuzz`
#   fuzz/run.sh 60       # the smoke run of `make test`
#
# Builds fuzz/.build/runbook-fuzz when a source is newer than it (fuzz/build.sh). The seed
# corpus is every .runbook file in the repository plus the regression inputs in
# Tests/fuzz-corpus/, copied at run time into fuzz/corpus-work/ (gitignored), where the
# growing corpus is kept between runs. Crashes, hangs (more than FUZZ_TIMEOUT seconds on
# one input, default 10) and out-of-memory inputs land in fuzz/corpus-work/artifacts/.
# The regression inputs are first run one by one; one that still fails is reported and left
# out of the seeds. Exit status: 0 when nothing was found, 1 when an artifact was written
# or a regression input still fails, 2 on setup errors.
# The summary (executions, seconds, corpus size, findings) is also kept in
# fuzz/corpus-work/last-run.txt.
set -euo pipefail
SECONDS_TO_FUZZ=${1:-300}
[[ $SECONDS_TO_FUZZ =~ ^[0-9]+$ ]] || { echo "usage: fuzz/run.sh [SECONDS]" >&2; exit 2; }
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BIN="$HERE/.build/runbook-fuzz"
WORK="$HERE/corpus-work"
CORPUS="$WORK/corpus"
SEEDS="$WORK/seeds"
ARTIFACTS="$WORK/artifacts"

# Rebuild when the target is missing or older than any library source or FuzzMain.swift.
if [[ ! -x $BIN ]] || [[ -n $(find "$ROOT/Sources/RunbookKit" "$HERE/FuzzMain.swift" -name '*.swift' -newer "$BIN" -print -quit) ]]; then
  "$HERE/build.sh" || { echo "fuzz/run.sh: the fuzz target does not build" >&2; exit 2; }
fi

mkdir -p "$CORPUS" "$SEEDS" "$ARTIFACTS"
rm -f "$SEEDS"/*
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}

# 1. The regression inputs (Tests/fuzz-corpus/) one by one: each once crashed or hung. One
#    that still does is reported (and left out of the seeds, so fuzzing can go on).
still_failing=()
regressions=0
for f in "$ROOT"/Tests/fuzz-corpus/*; do
  [[ -f $f && $(basename "$f") != README.md ]] || continue
  regressions=$((regressions + 1))
  if timeout 120 "$BIN" -runs=1 -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb="${FUZZ_RSS_MB:-2048}" "$f" \
       </dev/null >"$WORK/regression.log" 2>&1; then
    cp "$f" "$SEEDS/regression-$(basename "$f")"
  else
    still_failing+=("$f")
    { echo "== $f"; grep -E "ERROR: (AddressSanitizer|libFuzzer)|SUMMARY" "$WORK/regression.log" | head -3; } >>"$WORK/regressions-failing.txt"
  fi
done

# 2. Seeds: every runbook in the repository (not build products, not the work dir itself).
n=0
while IFS= read -r -d '' f; do
  cp "$f" "$SEEDS/seed-$n-$(basename "$f")"
  n=$((n + 1))
done < <(find "$ROOT" \( -path "$ROOT/.build" -o -path "$ROOT/.git" -o -path "$WORK" -o -path "$HERE/.build" \
           -o -path "$ROOT/Tests/fuzz-corpus" \) -prune -o -type f -name '*.runbook' -print0)
echo "fuzz/run.sh: $n seed runbooks, $((regressions - ${#still_failing[@]}))/$regressions regression inputs pass," \
     "$(find "$CORPUS" -type f | wc -l) inputs kept from earlier runs" >&2

before=$(find "$ARTIFACTS" -type f | wc -l)
LOG="$WORK/last-run.log"
start=$(date +%s)
# 3. Fuzz. detect_leaks=0 (above): Swift's runtime and Foundation keep caches for the life
# of the process, which LeakSanitizer reports; memory growth is caught by -rss_limit_mb.
# stdin is /dev/null so that an input that reads a runbook from /dev/stdin cannot block.
set +e
"$BIN" "$CORPUS" "$SEEDS" \
  -dict="$HERE/runbook.dict" \
  -max_total_time="$SECONDS_TO_FUZZ" \
  -timeout="${FUZZ_TIMEOUT:-10}" \
  -rss_limit_mb="${FUZZ_RSS_MB:-2048}" \
  -max_len="${FUZZ_MAX_LEN:-16384}" \
  -print_final_stats=1 \
  -artifact_prefix="$ARTIFACTS/" \
  </dev/null >"$LOG" 2>&1
status=$?
set -e
elapsed=$(($(date +%s) - start))
execs=$(awk '/stat::number_of_executed_units:/ {print $2}' "$LOG" | tail -1)
rate=$(awk '/stat::average_exec_per_sec:/ {print $2}' "$LOG" | tail -1)
after=$(find "$ARTIFACTS" -type f | wc -l)
new=$((after - before))
{
  echo "date:        $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "seconds:     $elapsed (asked $SECONDS_TO_FUZZ)"
  echo "executions:  ${execs:-unknown} (${rate:-?}/s)"
  echo "corpus:      $(find "$CORPUS" -type f | wc -l) inputs"
  echo "new findings: $new"
  echo "regression inputs still failing: ${#still_failing[@]} of $regressions"
  echo "libFuzzer exit status: $status"
} | tee "$WORK/last-run.txt"
if ((${#still_failing[@]})); then
  echo >&2
  echo "fuzz/run.sh: regression inputs that still crash or hang (Tests/fuzz-corpus/README.md says what each did):" >&2
  sed 's/^/  /' "$WORK/regressions-failing.txt" >&2
fi
rm -f "$WORK/regressions-failing.txt"
if ((new > 0 || status != 0 || ${#still_failing[@]})); then
  echo >&2
  echo "fuzz/run.sh: findings (full log: $LOG):" >&2
  grep -E "ERROR: (AddressSanitizer|libFuzzer)|SUMMARY|Fatal error|Test unit written" "$LOG" | head -20 >&2 || true
  find "$ARTIFACTS" -type f -newer "$WORK/seeds" -printf '  %p\n' >&2
  ((new > 0)) && echo "Keep each new input in Tests/fuzz-corpus/ (the hardening tests run 'runbook check' on them)." >&2
  exit 1
fi
