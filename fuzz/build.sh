#!/usr/bin/env bash
# build.sh - build the libFuzzer target fuzz/.build/runbook-fuzz from the RunbookKit sources
# and fuzz/FuzzMain.swift, with libFuzzer and AddressSanitizer.
#
#   fuzz/build.sh            # then: fuzz/run.sh SECONDS
#
# RunbookKit is compiled as part of the fuzz executable (one module, -parse-as-library), so
# the target sees its internal API as the package's own code does. Foundation comes from the
# toolchain, dynamically linked (its runtime path is added below).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
OUT="$HERE/.build"
mkdir -p "$OUT"

SWIFTC=${SWIFTC:-swiftc}
command -v "$SWIFTC" >/dev/null || { echo "fuzz/build.sh: $SWIFTC not found" >&2; exit 1; }

# The front end and what it needs to compile: RunbookKit is one module without dependencies.
# FUZZ_SOURCE_DIRS overrides the folder list (e.g. when a new folder joins the library).
dirs=${FUZZ_SOURCE_DIRS:-"Source Diagnostics Syntax Semantics Runtime Hosts Journal Engine"}
# Compiled from a snapshot, so that an edit made meanwhile cannot break the build.
SNAP="$OUT/src"
rm -rf "$SNAP"
sources=()
for d in $dirs; do
  [[ -d $ROOT/Sources/RunbookKit/$d ]] || continue
  # Subfolders too (Hosts/WebSocket): a folder's files keep their place under it.
  while IFS= read -r -d '' f; do
    rel=${f#"$ROOT/Sources/RunbookKit/"}
    mkdir -p "$SNAP/$(dirname "$rel")"
    cp "$f" "$SNAP/$rel"
    sources+=("$SNAP/$rel")
  done < <(find "$ROOT/Sources/RunbookKit/$d" -name '*.swift' -type f -print0 | sort -z)
done
((${#sources[@]})) || { echo "fuzz/build.sh: no sources under Sources/RunbookKit" >&2; exit 1; }

# The toolchain's Foundation for the run-time path (swiftc usually adds it; be explicit).
libdir=$(dirname "$(dirname "$(command -v "$SWIFTC")")")/lib/swift/linux

# -O with sanitizers keeps the fuzzer fast; -g keeps stack traces readable.
# -swift-version 5: the package builds RunbookKit in language mode 5.
"$SWIFTC" -O -g -parse-as-library -swift-version 5 \
  -sanitize=fuzzer,address \
  -module-name RunbookFuzz \
  -Xlinker -rpath -Xlinker "$libdir" \
  "${sources[@]}" "$HERE/FuzzMain.swift" \
  -o "$OUT/runbook-fuzz.tmp" 2> >(grep -v "Cannot export local symbol" >&2)
mv "$OUT/runbook-fuzz.tmp" "$OUT/runbook-fuzz"
echo "fuzz/build.sh: built $OUT/runbook-fuzz from ${#sources[@]} sources" >&2
