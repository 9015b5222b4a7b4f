#!/usr/bin/env bash
# Lifecycle rules benchmark (run by scripts/bench.sh): GET /verify/{id}
# throughput with wrk over many units of a demo store (BENCH_VERIFY_UNITS,
# default 20,000), beside GET /healthz in the same run; then the capture
# cost of the rules: the same generated documents (BENCH_VERIFY_EVENTS,
# default 200,000, in documents of 10,000) captured into fresh stores with
# every rule off and with every rule on (flag), alternately, best of
# BENCH_VERIFY_ROUNDS (default 3), in wall and CPU time. Prints figures;
# never fails on timing.
#   usage: bench/bench_verify.sh BUILD_DIR
set -uo pipefail
export LC_ALL=C
build=${1:?usage: bench/bench_verify.sh BUILD_DIR}
st=$build/serialtrack
units=${BENCH_VERIFY_UNITS:-20000}
events=${BENCH_VERIFY_EVENTS:-200000}
rounds=${BENCH_VERIFY_ROUNDS:-3}
conns=${BENCH_HTTP_CONNS:-32}
secs=${BENCH_HTTP_SECONDS:-10}

[ -x "$st" ] || { echo "bench_verify: $st is missing; build first" >&2; exit 1; }
for tool in wrk curl jq sqlite3; do
    command -v "$tool" >/dev/null || { echo "bench_verify: $tool is not installed; skipped"; exit 0; }
done
tmp=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

# wrk_run NAME URL [SCRIPT]: "RPS P99_MS NON2XX"
wrk_run() {
    local args=(-t 2 -c "$conns" -d "${secs}s" --latency)
    [ -n "${3:-}" ] && args+=(-s "$3")
    wrk "${args[@]}" "$2" >"$tmp/$1.wrk" 2>&1
    awk '
        /Requests\/sec:/ { rps = $2 }
        /^ +99%/ { v = $2; if (v ~ /us$/) p = v / 1000; else if (v ~ /ms$/) p = v + 0; else if (v ~ /s$/) p = v * 1000; }
        /Non-2xx or 3xx responses:/ { bad = $5 }
        END { printf "%s %s %s\n", rps ? rps : 0, p ? p : 0, bad ? bad : 0 }' "$tmp/$1.wrk"
}

echo "== GET /verify/{id}: serialtrack serve on a demo store of $units units, wrk -c $conns -d ${secs}s"
"$st" demo --db "$tmp/v.db" --units "$units" >/dev/null || { echo "bench_verify: demo failed"; exit 0; }
SERIALTRACK_VERIFY_RATE_LIMIT=off "$st" serve --listen 127.0.0.1:0 --db "$tmp/v.db" \
    >"$tmp/serve.out" 2>"$tmp/serve.err" &
pid=$!
for _ in $(seq 1 200); do
    grep -q listening "$tmp/serve.out" 2>/dev/null && break
    sleep 0.05
done
base=$(jq -r .listening "$tmp/serve.out" 2>/dev/null)
[ -n "$base" ] && [ "$base" != null ] || { echo "bench_verify: the server did not start"; exit 0; }
sqlite3 "file:$tmp/v.db?mode=ro" \
    "SELECT key FROM ident WHERE key LIKE 'https://id.gs1.org/01/%/21/%' LIMIT 20000" |
    jq -Rr '@uri' >"$tmp/ids.txt"
nids=$(wc -l <"$tmp/ids.txt")
cat >"$tmp/verify.lua" <<LUA
local ids = {}
for line in io.lines("$tmp/ids.txt") do ids[#ids + 1] = line end
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/verify/" .. ids[(n * 7919) % #ids + 1])
end
LUA
read -r h_rps h_p99 h_bad < <(wrk_run healthz "$base/healthz")
read -r v_rps v_p99 v_bad < <(wrk_run verify "$base" "$tmp/verify.lua")
printf '%-34s %12s %10s %8s\n' "endpoint" "requests/s" "p99 ms" "non-2xx"
printf '%-34s %12.0f %10.2f %8s\n' "GET /healthz (baseline)" "$h_rps" "$h_p99" "$h_bad"
printf '%-34s %12.0f %10.2f %8s\n' "GET /verify/{id} ($nids ids)" "$v_rps" "$v_p99" "$v_bad"
awk -v v="$v_rps" -v h="$h_rps" 'BEGIN { if (h > 0) printf "verify runs at %.0f%% of the healthz baseline\n", 100 * v / h }'
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
pid=

echo
echo "== capture with the lifecycle rules off and on: $events events in documents of 10,000, best of $rounds"
mkdir -p "$tmp/docs"
"$st" demo --out "$tmp/docs" --events "$events" --per-doc 10000 >/dev/null 2>&1
docs=("$tmp"/docs/*.xml)
[ -f "${docs[0]}" ] || { echo "capture: skipped (demo --out wrote no documents)"; exit 0; }
# capture_run RULES: "WALL CPU" seconds (CPU: user + system) to capture every
# document into a fresh store. The wall time includes the fsync of each
# commit and whatever else the machine runs; the CPU time is the work.
capture_run() {
    rm -f "$tmp/c.db" "$tmp/c.db-wal" "$tmp/c.db-shm"
    local TIMEFORMAT="%R %U %S"
    { time SERIALTRACK_RULES=$1 "$st" capture --db "$tmp/c.db" "${docs[@]}" >"$tmp/cap.out" 2>&1; } 2>"$tmp/time.out"
    awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' "$tmp/time.out"
}
best_off="999999 999999"
best_on="999999 999999"
min2() { awk -v a="$1" -v b="$2" -v c="$3" -v d="$4" 'BEGIN { printf "%s %s\n", (c < a) ? c : a, (d < b) ? d : b }'; }
for _ in $(seq 1 "$rounds"); do
    best_off=$(min2 $best_off $(capture_run all=off))
    best_on=$(min2 $best_on $(capture_run all=flag))
done
stored=$(jq -r .stored "$tmp/cap.out")
found=$("$st" anomalies --db "$tmp/c.db" | wc -l)
read -r off_w off_c <<<"$best_off"
read -r on_w on_c <<<"$best_on"
awk -v ow="$off_w" -v oc="$off_c" -v nw="$on_w" -v nc="$on_c" -v n="$stored" -v f="$found" 'BEGIN {
    printf "%-24s %10s %14s %10s %14s\n", "serialtrack capture", "wall s", "events/s", "CPU s", "events/CPU s"
    printf "%-24s %10.3f %14.0f %10.3f %14.0f\n", "rules off", ow, n / ow, oc, n / oc
    printf "%-24s %10.3f %14.0f %10.3f %14.0f  (%d anomalies)\n", "rules on (flag)", nw, n / nw, nc, n / nc, f
    printf "the rules cost %.1f%% of the CPU time of capture (%.1f us per event); wall time %+.1f%%\n",
           100 * (nc - oc) / nc, (nc - oc) / n * 1e6, 100 * (nw - ow) / ow
}'
