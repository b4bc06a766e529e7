#!/usr/bin/env bash
# profile.sh SCENARIO - count instructions with valgrind's callgrind (repeatable, unlike
# timings on a shared machine) and print the most expensive functions, inclusive.
#
#   bench/profile.sh version    # runbook --version
#   bench/profile.sh check      # runbook check runbooks/*.runbook
#   bench/profile.sh run        # runbook run of one `$ true` step, journal on
#   bench/profile.sh steps      # 500 `$ true` steps, journal on (per step: divide by 500)
#   bench/profile.sh big        # a command printing 64 MiB
#
# The raw profile stays in bench/out/callgrind.SCENARIO for callgrind_annotate
# (e.g. `callgrind_annotate --auto=yes --inclusive=yes bench/out/callgrind.run`).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BIN=${BIN:-$ROOT/.build/release/runbook}
OUT="$HERE/out"
mkdir -p "$OUT/profile-journal"
command -v valgrind >/dev/null || { echo "profile.sh: valgrind is missing (apt-get install valgrind)" >&2; exit 2; }
[[ -x $BIN ]] || { echo "profile.sh: no binary at $BIN (make release)" >&2; exit 2; }
export RUNBOOK_JOURNAL_DIR="$OUT/profile-journal" NO_COLOR=1
cd "$OUT"
printf 'runbook "One step"\nstep one "One"\n  $ true\n' >profile-one.runbook
{ echo 'runbook "500 steps"'; for i in $(seq 1 500); do printf 'step s%d "S"\n  $ true\n' "$i"; done; } >profile-steps.runbook
printf 'runbook "Big"\nstep big "Big"\n  $ head -c 67108864 /dev/zero\n' >profile-big.runbook
case ${1:-} in
  version) cmd=("$BIN" --version) ;;
  check) cmd=("$BIN" check "$ROOT"/runbooks/*.runbook) ;;
  run) cmd=("$BIN" run profile-one.runbook) ;;
  steps) cmd=("$BIN" run profile-steps.runbook) ;;
  big) cmd=("$BIN" run profile-big.runbook) ;;
  *) sed -n '2,13p' "$0" >&2; exit 2 ;;
esac
valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.$1" "${cmd[@]}" >/dev/null 2>"$OUT/callgrind.$1.log" || true
grep -E "Collected" "$OUT/callgrind.$1.log" | sed 's/.*Collected :/instructions:/'
callgrind_annotate --inclusive=yes "$OUT/callgrind.$1" 2>/dev/null | sed -n '/^Ir/,$p' | sed -n '3,40p' \
  | sed -E "s#$ROOT/##g; s# \[[^]]*\]\$##" | cut -c1-180
rm -rf "$OUT/profile-journal"
