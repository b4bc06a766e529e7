#!/usr/bin/env bash
# replay-matches-live.sh BIN [CLUSTER…]
#
# For every fixture cluster (runbooks/clusters/*, or the ones named): serve it with
# `runbook serve`, take a snapshot of it with `runbook snapshot` through the real kubectl,
# and run the cluster's scenarios twice: against the live fixture and with
# `runbook test --snapshot` against the replayed snapshot. The two reports must be the same
# (a scenario marked known-wrong must be wrong in the same words), so every shipped runbook
# reaches the same diagnosis on a replay as on the cluster it was recorded from.
set -uo pipefail
BIN="$(realpath "${1:?usage: replay-matches-live.sh BIN [CLUSTER…]}")"; shift
cd "$(dirname "$0")/../.."
work="$(mktemp -d "${TMPDIR:-/tmp}/runbook-replay-check.XXXXXX")"
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT INT TERM

clusters=("$@")
[ ${#clusters[@]} -eq 0 ] && for dir in runbooks/clusters/*/; do clusters+=("$(basename "$dir")"); done

# Seconds in a report ("(1.2 s)") vary from run to run; nothing else may.
normalise() { sed -E 's/[0-9]+(\.[0-9]+)? ?(s|ms)\b/N s/g'; }

failed=0 passed=0
for cluster in "${clusters[@]}"; do
    scenarios=(runbooks/scenarios/*/cluster-"$cluster".scenario)
    [ -e "${scenarios[0]}" ] || { echo "SKIP $cluster: no cluster-$cluster.scenario"; continue; }
    rm -f "$work/kubeconfig"
    "$BIN" serve "runbooks/clusters/$cluster" --kubeconfig "$work/kubeconfig" >"$work/serve.out" 2>"$work/serve.err" &
    server=$!
    for _ in $(seq 100); do [ -s "$work/kubeconfig" ] && break; sleep 0.05; done
    if ! (cd "$work" && KUBECONFIG="$work/kubeconfig" KUBECACHEDIR="$work/cache" HOME="$work" \
            "$BIN" snapshot -o "$work/$cluster.tar.gz" >"$work/snapshot.out" 2>&1); then
        echo "FAIL $cluster: runbook snapshot failed:"; sed 's/^/    /' "$work/snapshot.out"
        failed=$((failed + 1)); kill "$server"; wait "$server" 2>/dev/null; server=""; continue
    fi
    kill "$server"; wait "$server" 2>/dev/null; server=""
    "$BIN" test --no-color "${scenarios[@]}" 2>&1 | normalise >"$work/live.txt"
    "$BIN" test --no-color --snapshot "$work/$cluster.tar.gz" "${scenarios[@]}" 2>&1 | normalise >"$work/replay.txt"
    if diff -u "$work/live.txt" "$work/replay.txt" >"$work/diff.txt"; then
        passed=$((passed + 1)); echo "PASS $cluster: ${#scenarios[@]} scenarios, same report live and replayed"
    else
        failed=$((failed + 1)); echo "FAIL $cluster: the replay's report differs from the live one:"; sed 's/^/    /' "$work/diff.txt"
    fi
done
echo "replay matches live: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
