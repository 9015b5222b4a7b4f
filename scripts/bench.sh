#!/usr/bin/env bash
# `make bench`: run every benchmark program of BUILD_DIR (bench/bench_*), then
# time `serialtrack id parse -` end to end over a generated file of mixed
# identifier lines, beside `cat` and `wc -l` over the same file. Prints
# figures against their targets; never fails on timing.
#   usage: scripts/bench.sh BUILD_DIR        (BENCH_LINES=N changes the line count;
#   BENCH_STORE_EVENTS / BENCH_STORE_BIG / BENCH_STORE_DIR size the store benchmark, which
#   runs on SQLite and on a throwaway PostgreSQL server (or BENCH_STORE_DB=postgres://...;
#   BENCH_STORE_NO_PG=1: SQLite only);
#   BENCH_RECALL_UNITS / BENCH_RECALL_DIR the recall one (a 1,000,000-unit store, built once);
#   BENCH_HTTP_EVENTS / BENCH_HTTP_DIR / BENCH_HTTP_CONNS / BENCH_HTTP_SECONDS the HTTP one,
#   bench/bench_http.sh; BENCH_COMMISSION_UNITS the commissioning ones, bench/bench_commission.c
#   and bench/bench_commission_http.sh, which runs last)
set -euo pipefail
export LC_ALL=C
build=${1:?usage: scripts/bench.sh BUILD_DIR}
lines=${BENCH_LINES:-1000000}
target=500000 # lines/s, end to end
st=$build/serialtrack
gen=$build/bench/bench_ids
for f in "$st" "$gen"; do
    [ -x "$f" ] || { echo "bench: $f is missing; build first (make)" >&2; exit 1; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for b in "$build"/bench/bench_*; do
    [ -x "$b" ] || continue
    echo "== $(basename "$b")"
    if [ "$(basename "$b")" = bench_store ] && [ -z "${BENCH_STORE_NO_PG:-}" ]; then
        # SQLite and PostgreSQL side by side: a throwaway server with fsync on (as SQLite's
        # synchronous=FULL) and the recommended settings of docs/POSTGRES.md
        # (PG_TEST_TUNED=off: the server's defaults), or the one of BENCH_STORE_DB / ST_TEST_PG_URL
        PG_TEST_FSYNC=on PG_TEST_TUNED=${PG_TEST_TUNED:-on} bash "$(dirname "$0")/pg-test-server.sh" with -- \
            sh -c 'BENCH_STORE_DB=${BENCH_STORE_DB:-${ST_TEST_PG_URL:-}} exec "$0"' "$b" ||
            echo "bench: $b exited with status $?" >&2
    else
        "$b"
    fi
    echo
done

echo "== end to end: serialtrack id parse -"
"$gen" --gen-lines "$lines" "$tmp/ids.txt"
bytes=$(wc -c <"$tmp/ids.txt")
valid=$(head -n 20000 "$tmp/ids.txt" | "$st" id parse - | grep -c '"valid":true' || true)
echo "input: $lines lines, $bytes bytes (element strings, Digital Links, EPC URIs, tag URIs," \
     "hex); $valid of the first 20000 lines are valid"

run_st() { "$st" id parse - <"$tmp/ids.txt" >/dev/null; }
run_cat() { cat "$tmp/ids.txt" >/dev/null; }
run_wc() { wc -l <"$tmp/ids.txt" >/dev/null; }

# Best wall time in seconds of 3 runs of the function $1.
best_of_3() {
    local best="" t0 t1 d
    for _ in 1 2 3; do
        t0=$EPOCHREALTIME
        "$1" || echo "bench: $1 exited with status $?" >&2
        t1=$EPOCHREALTIME
        d=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')
        if [ -z "$best" ] || awk -v d="$d" -v b="$best" 'BEGIN { exit !(d < b) }'; then
            best=$d
        fi
    done
    echo "$best"
}

t_st=$(best_of_3 run_st)
t_cat=$(best_of_3 run_cat)
t_wc=$(best_of_3 run_wc)

awk -v n="$lines" -v st="$t_st" -v cat="$t_cat" -v wc="$t_wc" -v tgt="$target" 'BEGIN {
    printf "%-30s %10s %14s %10s %10s\n", "command (best of 3)", "seconds", "lines/s", "vs cat", "vs wc -l"
    printf "%-30s %10.3f %14.0f %9.0fx %9.0fx\n", "serialtrack id parse - >null", st, n / st, st / cat, st / wc
    printf "%-30s %10.3f %14.0f %10s %10s\n", "cat file >/dev/null", cat, n / cat, "1x", "-"
    printf "%-30s %10.3f %14.0f %10s %10s\n", "wc -l <file", wc, n / wc, "-", "1x"
    printf "target >= %d lines/s: %s (%.0f lines/s, %.2f us per line)\n", tgt,
           (n / st >= tgt) ? "meets target" : "below target", n / st, st / n * 1e6
}'

echo
bash "$(dirname "$0")/../bench/bench_http.sh" "$build" || echo "bench: bench_http.sh exited with status $?" >&2
echo
bash "$(dirname "$0")/../bench/bench_commission_http.sh" "$build" ||
    echo "bench: bench_commission_http.sh exited with status $?" >&2
echo
bash "$(dirname "$0")/../bench/bench_verify.sh" "$build" || echo "bench: bench_verify.sh exited with status $?" >&2
