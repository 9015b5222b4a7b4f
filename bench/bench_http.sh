#!/usr/bin/env bash
# HTTP benchmark (run by scripts/bench.sh): the server on a store of
# BENCH_HTTP_EVENTS events (default 1,000,000; `serialtrack demo`, cached in
# BENCH_HTTP_DIR across runs), driven by wrk at BENCH_HTTP_CONNS connections
# for BENCH_HTTP_SECONDS each: GET /healthz (the frame's baseline) and GET
# /items/{id}/history over many units (a Lua script cycles through unit ids
# read from the store); then capture over HTTP (POST /capture, polled to
# completion) of 10,000-event documents beside `serialtrack capture` of the
# same documents in-process. Prints figures beside their targets; never
# fails on timing.
#   usage: bench/bench_http.sh BUILD_DIR
set -uo pipefail
export LC_ALL=C
build=${1:?usage: bench/bench_http.sh BUILD_DIR}
st=$build/serialtrack
events=${BENCH_HTTP_EVENTS:-1000000}
conns=${BENCH_HTTP_CONNS:-32}
secs=${BENCH_HTTP_SECONDS:-10}
dir=${BENCH_HTTP_DIR:-${TMPDIR:-/tmp}/serialtrack-bench}
target_rps=20000 # history requests/s
target_p99=5     # ms

[ -x "$st" ] || { echo "bench_http: $st is missing; build first" >&2; exit 1; }
for tool in wrk curl jq sqlite3; do
    command -v "$tool" >/dev/null || { echo "bench_http: $tool is not installed; skipped"; exit 0; }
done
mkdir -p "$dir"
tmp=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

db=$dir/http-$events.db
if [ ! -s "$db" ]; then
    echo "building the store: serialtrack demo --events $events (cached as $db)"
    "$st" demo --db "$db.part" --events "$events" >/dev/null || { echo "bench_http: demo failed"; exit 0; }
    for f in "$db.part"*; do mv "$f" "${f/.part/}"; done
fi

# start_server DB: sets pid and base
start_server() {
    "$st" serve --listen 127.0.0.1:0 --db "$1" >"$tmp/serve.out" 2>"$tmp/serve.err" &
    pid=$!
    for _ in $(seq 1 200); do
        grep -q listening "$tmp/serve.out" 2>/dev/null && break
        sleep 0.05
    done
    base=$(jq -r .listening "$tmp/serve.out" 2>/dev/null)
    [ -n "$base" ] && [ "$base" != null ]
}

stop_server() {
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    pid=
}

# wrk_run NAME URL [SCRIPT]: requests/s and p99 (ms) as "RPS P99 NON2XX"
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

echo "== HTTP: serialtrack serve on a store of $events events, wrk -c $conns -d ${secs}s"
start_server "$db" || { echo "bench_http: the server did not start: $(cat "$tmp/serve.err")"; exit 0; }

# unit ids: serialised GTINs (canonical keys), percent-encoded for a path segment
sqlite3 "file:$db?mode=ro" "SELECT key FROM ident WHERE key LIKE 'https://id.gs1.org/01/%/21/%' LIMIT 20000" \
    2>/dev/null | jq -Rr '@uri' >"$tmp/ids.txt"
nids=$(wc -l <"$tmp/ids.txt")
cat >"$tmp/history.lua" <<LUA
local ids = {}
for line in io.lines("$tmp/ids.txt") do ids[#ids + 1] = line end
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/items/" .. ids[(n * 7919) % #ids + 1] .. "/history")
end
LUA

read -r h_rps h_p99 h_bad < <(wrk_run healthz "$base/healthz")
printf '%-34s %12s %10s %8s\n' "endpoint" "requests/s" "p99 ms" "non-2xx"
printf '%-34s %12.0f %10.2f %8s\n' "GET /healthz (baseline)" "$h_rps" "$h_p99" "$h_bad"
first=$(head -n 1 "$tmp/ids.txt")
code=$(curl -s -o /dev/null -w '%{http_code}' "$base/items/$first/history")
if [ "$nids" -gt 0 ] && [ "$code" = 200 ]; then
    read -r i_rps i_p99 i_bad < <(wrk_run history "$base" "$tmp/history.lua")
    printf '%-34s %12.0f %10.2f %8s\n' "GET /items/{id}/history ($nids ids)" "$i_rps" "$i_p99" "$i_bad"
    awk -v r="$i_rps" -v p="$i_p99" -v tr="$target_rps" -v tp="$target_p99" 'BEGIN {
        printf "target history >= %d req/s: %s; p99 <= %d ms: %s\n", tr,
               (r >= tr) ? "meets target" : "below target", tp, (p <= tp) ? "meets target" : "above target" }'
else
    echo "GET /items/{id}/history: not measured (ids found: $nids; GET answered $code)"
fi
stop_server

# ---- capture over HTTP vs in-process --------------------------------------------------------
echo
echo "== capture: 3 documents of 10,000 events, over HTTP (POST /capture) vs in-process (serialtrack capture)"
mkdir -p "$tmp/docs"
"$st" demo --out "$tmp/docs" --events 30000 --per-doc 10000 >/dev/null 2>&1
docs=("$tmp"/docs/*.xml)
if [ ! -f "${docs[0]}" ]; then
    echo "capture: skipped (demo --out wrote no documents)"
    exit 0
fi
start_server "$tmp/http.db" || { echo "capture: skipped (server did not start)"; exit 0; }
code=$(curl -s -o /dev/null -w '%{http_code}' -X OPTIONS "$base/capture")
if [ "$code" = 404 ] || [ "$code" = 405 ]; then
    echo "capture: skipped (POST /capture is not there yet)"
    exit 0
fi
t0=$EPOCHREALTIME
n_http=0
for d in "${docs[@]}"; do
    loc=$(curl -s -D - -o /dev/null -X POST -H 'Content-Type: application/xml' --data-binary "@$d" \
        "$base/capture" | tr -d '\r' | awk 'tolower($1) == "location:" { print $2 }')
    [ -n "$loc" ] || { echo "capture: POST /capture gave no Location; skipped"; exit 0; }
    for _ in $(seq 1 6000); do
        job=$(curl -s "$base$loc")
        [ "$(printf '%s' "$job" | jq -r .running)" = false ] && break
        sleep 0.01
    done
    n_http=$((n_http + $(printf '%s' "$job" | jq -r '.stored // 0')))
done
t1=$EPOCHREALTIME
stop_server
t2=$EPOCHREALTIME
n_cli=0
for d in "${docs[@]}"; do
    "$st" capture --db "$tmp/cli.db" "$d" >"$tmp/cap.out" 2>&1
    n_cli=$((n_cli + $(jq -r '.stored // 0' "$tmp/cap.out" 2>/dev/null || echo 0)))
done
t3=$EPOCHREALTIME
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v nh="$n_http" -v nc="$n_cli" 'BEGIN {
    h = b - a; c = d - c
    printf "%-34s %10s %14s\n", "capture of 30,000 events", "seconds", "events/s"
    printf "%-34s %10.3f %14.0f  (%d stored)\n", "POST /capture (async, polled)", h, nh / h, nh
    printf "%-34s %10.3f %14.0f  (%d stored)\n", "serialtrack capture (in-process)", c, nc / c, nc
    if (nc > 0 && nh > 0) printf "HTTP capture runs at %.0f%% of in-process\n", 100 * (nh / h) / (nc / c)
}'
