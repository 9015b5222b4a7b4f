# Helpers for the black-box HTTP tests: start the real server on a free
# loopback port with a temporary store, talk to it with curl, stop it by its
# process id. Source after lib.sh; requires curl and jq.
#   http_start [serve options...]   starts it; sets SERVER_PID, BASE (http://127.0.0.1:PORT)
#   http METHOD PATH [curl args...] sets status, out (body), hdrs (headers)
#   http_stop                       SIGTERM, and waits for a clean exit
need_tools curl jq

http_start() {
    "$BIN" serve --listen 127.0.0.1:0 --db "${HTTP_DB:-$TMP/http.db}" "$@" \
        >"$TMP/serve.out" 2>"$TMP/serve.err" &
    SERVER_PID=$!
    for _ in $(seq 1 300); do # 15 s: shared machines can be slow
        grep -q listening "$TMP/serve.out" 2>/dev/null && break
        sleep 0.05
    done
    BASE=$(jq -r .listening "$TMP/serve.out" 2>/dev/null)
    [ -n "$BASE" ] && [ "$BASE" != null ] || { echo "FAIL: the server did not start: $(cat "$TMP/serve.err")"; exit 1; }
    trap 'kill "$SERVER_PID" 2>/dev/null; rm -rf "$TMP"' EXIT
}

http() {
    local method=$1 path=$2
    shift 2
    status=$(curl -s -o "$TMP/body" -D "$TMP/hdrs" -w '%{http_code}' -X "$method" "$@" "$BASE$path")
    out=$(cat "$TMP/body")
    hdrs=$(tr -d '\r' <"$TMP/hdrs")
}

# expect_status NAME WANT: the last request answered WANT.
expect_status() {
    if [ "$status" = "$2" ]; then ok; else bad "$1: status $status, expected $2; body [$out]"; fi
}

http_stop() {
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID"
    stop_rc=$?
}
