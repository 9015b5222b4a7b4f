#!/usr/bin/env bash
# `serialtrack serve` settings: a configuration file (--config or
# SERIALTRACK_CONFIG) sets what the command line can; the command line and
# the environment override it; every fault in the file is reported with its
# line; TLS with --tls-cert/--tls-key (a self-signed certificate made here)
# serves HTTPS that a client trusting that certificate accepts.
#   usage: serve_config_test.sh path/to/serialtrack
BIN=${1:?usage: serve_config_test.sh path/to/serialtrack}
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN") # absolute: some runs change folder
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http_lib.sh"
need_tools openssl

DB=$TMP/conf.db
st keys create --db "$DB" --name admin --role admin
expect_rc "an admin key" 0
KEY=$(jq -r .key <<<"$out")

# ---- a file sets the database, the address, the access log and the rate limit ---------------
cat >"$TMP/serve.conf" <<EOF
# serialtrack serve settings
db = $DB
listen=127.0.0.1:0
access-log = "$TMP/access#1.log"   # a quoted value may hold '#'
rate_limit = 0.5/2
key_cache_seconds = 1

EOF
HTTP_DB=/nonexistent/ignored.db # --config's db is used: http_start's --db is not passed here
start_with() { # start_with ARGS...: serve with exactly these arguments
    "$BIN" serve "$@" >"$TMP/serve.out" 2>"$TMP/serve.err" &
    SERVER_PID=$!
    for _ in $(seq 1 300); do # 15 s: shared machines can be slow
        grep -q listening "$TMP/serve.out" 2>/dev/null && break
        sleep 0.05
    done
    BASE=$(jq -r .listening "$TMP/serve.out" 2>/dev/null)
    [ -n "$BASE" ] && [ "$BASE" != null ] || { bad "the server did not start: $(cat "$TMP/serve.err")"; return 1; }
    trap 'kill "$SERVER_PID" 2>/dev/null; rm -rf "$TMP"' EXIT
}
start_with --config "$TMP/serve.conf"
http GET /events -H "Authorization: Bearer $KEY"
expect_status "the file's database (it holds the key)" 200
http GET /events -H "Authorization: Bearer $KEY"
expect_status "burst of 2" 200
http GET /events -H "Authorization: Bearer $KEY"
expect_status "the file's rate limit" 429
http_stop
[ "$(grep -c ' /events ' "$TMP/access#1.log" 2>/dev/null)" = 3 ] && ok ||
    bad "the file's access log holds the 3 requests: [$(cat "$TMP/access#1.log" 2>/dev/null)]"

# the environment overrides the file, the command line overrides both
SERIALTRACK_RATE_LIMIT=off SERIALTRACK_CONFIG="$TMP/serve.conf" start_with
for i in 1 2 3 4; do http GET /events -H "Authorization: Bearer $KEY"; done
expect_status "SERIALTRACK_RATE_LIMIT overrides the file" 200
http_stop
SERIALTRACK_RATE_LIMIT=off start_with --config "$TMP/serve.conf" --rate-limit 0.5/1
http GET /events -H "Authorization: Bearer $KEY"
http GET /events -H "Authorization: Bearer $KEY"
expect_status "--rate-limit overrides the environment" 429
http_stop
EMPTY=$TMP/empty.db
start_with --config "$TMP/serve.conf" --db "$EMPTY"
http GET /events -H "Authorization: Bearer $KEY"
expect_status "--db overrides the file (a store without keys is open)" 200
expect_contains "and says so" "$(cat "$TMP/serve.err")" "no API keys"
http_stop

# ---- faults in the file, each with its line ------------------------------------------------
conf_fault() { # conf_fault NAME CONTENT MESSAGE
    printf '%s\n' "$2" >"$TMP/bad.conf"
    # in $TMP: were the file accepted by mistake, the server's store would land there
    (cd "$TMP" && timeout 10 "$BIN" serve --config "$TMP/bad.conf" >"$TMP/o" 2>"$TMP/e")
    rc=$?
    [ "$rc" = 2 ] && ok || bad "$1: exit $rc, expected 2 [$(cat "$TMP/e")]"
    expect_contains "$1: message" "$(cat "$TMP/e")" "$3"
}
conf_fault "unknown setting" $'db = x.db\n\nport = 9' "bad.conf:3: unknown setting \"port\"; known: db, listen"
conf_fault "set twice" $'db = a.db\ndb = b.db' "bad.conf:2: \"db\" is already set on line 1"
conf_fault "no value" $'# c\nlisten' "bad.conf:2: expected \"name = value\""
conf_fault "open quote" 'db = "x.db' "bad.conf:1: the quoted value does not end"
conf_fault "an empty value" $'listen = 127.0.0.1:0\ndb =   # none' "bad.conf:2: \"db\" has no value"
conf_fault "bad threads" 'threads = many' "threads \"many\" is not a number"
timeout 10 "$BIN" serve --config "$TMP/none.conf" >"$TMP/o" 2>"$TMP/e"
rc=$?
expect_rc "a missing file" 2
expect_contains "a missing file: message" "$(cat "$TMP/e")" "none.conf: No such file"

# ---- TLS ---------------------------------------------------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/key.pem" -out "$TMP/cert.pem" -days 2 \
    -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null
start_with --db "$DB" --listen 127.0.0.1:0 --tls-cert "$TMP/cert.pem" --tls-key "$TMP/key.pem"
case "$BASE" in https://127.0.0.1:*) ok ;; *) bad "HTTPS announced, got [$BASE]" ;; esac
got=$(curl -s --cacert "$TMP/cert.pem" "$BASE/healthz")
expect_contains "HTTPS with the certificate trusted" "$got" '"status":"ok"'
curl -s "$BASE/healthz" >/dev/null 2>&1
[ $? = 60 ] && ok || bad "a client that does not trust the certificate is refused (curl exit 60)"
got=$(curl -s -o /dev/null -w '%{http_code}' "${BASE/https/http}/healthz")
[ "$got" != 200 ] && ok || bad "plain HTTP on the TLS port is not served"
http_stop
timeout 10 "$BIN" serve --db "$DB" --listen 127.0.0.1:0 --tls-cert "$TMP/cert.pem" >"$TMP/o" 2>"$TMP/e"
rc=$?
expect_rc "a certificate without its key" 3
expect_contains "names what is missing" "$(cat "$TMP/e")" "tls"
timeout 10 "$BIN" serve --db "$DB" --listen 127.0.0.1:0 --tls-cert "$TMP/nope.pem" --tls-key "$TMP/key.pem" >"$TMP/o" 2>"$TMP/e"
rc=$?
expect_rc "an unreadable certificate" 3
expect_contains "names the file" "$(cat "$TMP/e")" "nope.pem"

summary
