#!/usr/bin/env bash
# Run one libFuzzer target for a bounded time over a scratch copy of its seed
# corpus. A crash is saved under tests/fuzz/regressions/NAME/ (so every later
# test run replays it) and fails the run.
#   usage: fuzz-run.sh FUZZER_BINARY NAME SECONDS
set -euo pipefail
bin=$1 name=$2 secs=$3
src=${ST_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
seeds=$src/tests/fuzz/corpus/$name
regs=$src/tests/fuzz/regressions/$name
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$work/artifacts"
[ -d "$seeds" ] && cp -r "$seeds/." "$work/corpus/" 2>/dev/null || true
[ -d "$regs" ] && cp -r "$regs/." "$work/corpus/" 2>/dev/null || true
set +e
"$bin" -max_total_time="$secs" -max_len=4096 -rss_limit_mb=1024 -timeout=10 \
       -artifact_prefix="$work/artifacts/" "$work/corpus" >"$work/log" 2>&1
rc=$?
set -e
if [ $rc -ne 0 ]; then
    mkdir -p "$regs"
    for a in "$work"/artifacts/*; do
        [ -e "$a" ] || continue
        cp "$a" "$regs/"
        echo "fuzz/$name: crash input saved as tests/fuzz/regressions/$name/$(basename "$a")"
    done
    tail -40 "$work/log"
    exit 1
fi
grep -E '^(Done|#[0-9]+.*DONE)' "$work/log" | tail -1 || true
echo "fuzz/$name: ${secs}s without a crash"
