#!/usr/bin/env bash
# Two `serialtrack serve` nodes on different ports against one PostgreSQL
# store, black box: a capture on node A is queryable on node B at once (and
# the other way round); node B's event stream carries events captured on A;
# captures on both nodes at the same time, and by the command line beside
# them, leave one chain that `audit verify` accepts, with every event stored
# once and dense event ids. Needs $ST_TEST_PG_URL (make test starts a server:
# scripts/pg-test-server.sh); skips without it, fails without it when CI=true.
#   usage: http_multinode_test.sh path/to/serialtrack
BIN=${1:?usage: http_multinode_test.sh path/to/serialtrack}
. "$(dirname "$0")/lib.sh"
need_tools curl jq

if [ -z "${ST_TEST_PG_URL:-}" ]; then
    echo "SKIP: ST_TEST_PG_URL is not set: the two-node PostgreSQL test did not run" \
        "(make test starts a server; or point ST_TEST_PG_URL at one)"
    [ "${CI:-}" = true ] && { echo "FAIL: CI=true: a PostgreSQL server is required"; exit 1; }
    exit 77
fi
case "$ST_TEST_PG_URL" in *\?*) sep='&' ;; *) sep='?' ;; esac
SCHEMA="st_multinode_$$_$RANDOM"
DB="$ST_TEST_PG_URL${sep}schema=$SCHEMA"

PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
    # the developer's server keeps nothing of the test
    command -v psql >/dev/null && psql -qAt "$ST_TEST_PG_URL" \
        -c "DROP SCHEMA IF EXISTS \"$SCHEMA\" CASCADE" >/dev/null 2>&1
    rm -rf "$TMP"
}
trap cleanup EXIT

# node NAME: start a server on a free loopback port; sets NAME_URL.
node() {
    "$BIN" serve --listen 127.0.0.1:0 --db "$DB" >"$TMP/$1.out" 2>"$TMP/$1.err" &
    PIDS+=($!)
    for _ in $(seq 1 100); do
        grep -q listening "$TMP/$1.out" 2>/dev/null && break
        sleep 0.05
    done
    local base
    base=$(jq -r .listening "$TMP/$1.out" 2>/dev/null)
    [ -n "$base" ] && [ "$base" != null ] ||
        { echo "FAIL: node $1 did not start: $(cat "$TMP/$1.err")"; exit 1; }
    printf -v "$1_URL" '%s' "$base"
}

# doc FILE TAG N: an EPCIS 2.0 JSON-LD document of N shipping ObjectEvents,
# each its own unit and eventID (urn:test:TAG-i).
doc() {
    local file=$1 tag=$2 n=$3 sep="" i
    {
        printf '{"@context":"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",'
        printf '"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2024-03-01T00:00:00Z",'
        printf '"epcisBody":{"eventList":['
        for i in $(seq 1 "$n"); do
            printf '%s{"type":"ObjectEvent","eventID":"urn:test:%s-%d","eventTime":"2024-03-01T10:00:%02d.%03dZ",' \
                "$sep" "$tag" "$i" $((i % 60)) $((RANDOM % 1000))
            printf '"eventTimeZoneOffset":"+00:00","action":"OBSERVE","bizStep":"shipping",'
            printf '"epcList":["urn:epc:id:sgtin:0614141.107346.%s%d"]}' "$tag" "$i"
            sep=,
        done
        printf ']}}\n'
    } >"$file"
}

JSONLD=(-H 'Content-Type: application/ld+json')

# post NODE_URL FILE: a synchronous capture; prints the HTTP status.
post() {
    curl -s -o "$TMP/post.$$.$RANDOM" -w '%{http_code}' "${JSONLD[@]}" \
        --data-binary "@$2" "$1/capture?sync=true"
}

# count NODE_URL EVENT_ID: how many events with that eventID the node finds.
count() {
    curl -s "$1/events?EQ_eventID=$2" | jq '.epcisBody.queryResults.resultsBody.eventList | length'
}

st capture --db "$DB" /dev/null >/dev/null 2>&1 # the schema exists before two nodes race for it
node A
node B

# ---- a capture on one node is queryable on the other at once ---------------------------------
doc "$TMP/a1.jsonld" a1 3
status=$(post "$A_URL" "$TMP/a1.jsonld")
[ "$status" = 201 ] && ok || bad "capture on A: status $status"
got=$(count "$B_URL" urn:test:a1-2)
[ "$got" = 1 ] && ok || bad "B finds the event captured on A at once: $got"
doc "$TMP/b1.jsonld" b1 2
status=$(post "$B_URL" "$TMP/b1.jsonld")
[ "$status" = 201 ] && ok || bad "capture on B: status $status"
got=$(count "$A_URL" urn:test:b1-1)
[ "$got" = 1 ] && ok || bad "A finds the event captured on B at once: $got"
got=$(curl -s "$B_URL/items/urn%3Aepc%3Aid%3Asgtin%3A0614141.107346.a13" | jq -r .key)
[ "$got" = "https://id.gs1.org/01/10614141073464/21/a13" ] && ok || bad "B traces A's unit: [$got]"
# the same document again on the other node: duplicates, not stored twice
curl -s -o "$TMP/dup.json" "${JSONLD[@]}" --data-binary "@$TMP/a1.jsonld" "$B_URL/capture?sync=true"
got=$(jq -r '"\(.stored // .result.stored) \(.duplicates // .result.duplicates)"' "$TMP/dup.json")
[ "$got" = "0 3" ] && ok || bad "A's document sent to B: stored/duplicates [$got]: $(cat "$TMP/dup.json")"

# ---- B's event stream carries what A captures --------------------------------------------------
curl -s -N --max-time 20 -o "$TMP/sse" "$B_URL/stream?EQ_bizStep=shipping" &
SUB=$!
for _ in $(seq 1 100); do
    grep -q '^retry:' "$TMP/sse" 2>/dev/null && break
    sleep 0.05
done
doc "$TMP/a2.jsonld" a2 2
status=$(post "$A_URL" "$TMP/a2.jsonld")
[ "$status" = 201 ] && ok || bad "second capture on A: status $status"
for _ in $(seq 1 100); do
    [ "$(cat "$TMP/sse" 2>/dev/null | grep -c '^event: epcis')" -ge 2 ] && break
    sleep 0.05
done
kill "$SUB" 2>/dev/null
wait "$SUB" 2>/dev/null
got=$(grep '^data: ' "$TMP/sse" | sed 's/^data: //' | jq -r .eventID | tr '\n' ' ')
[ "$got" = "urn:test:a2-1 urn:test:a2-2 " ] && ok || bad "B's stream: A's events, got [$got]"

# ---- concurrent captures on both nodes and the command line: one chain -------------------------
ROUNDS=8
for i in $(seq 1 $ROUNDS); do
    doc "$TMP/ca$i.jsonld" ca$i 25
    doc "$TMP/cb$i.jsonld" cb$i 25
    doc "$TMP/cc$i.jsonld" cc$i 25
done
(for i in $(seq 1 $ROUNDS); do post "$A_URL" "$TMP/ca$i.jsonld" >>"$TMP/ca.status"; echo >>"$TMP/ca.status"; done) &
P1=$!
(for i in $(seq 1 $ROUNDS); do post "$B_URL" "$TMP/cb$i.jsonld" >>"$TMP/cb.status"; echo >>"$TMP/cb.status"; done) &
P2=$!
(for i in $(seq 1 $ROUNDS); do "$BIN" capture --db "$DB" "$TMP/cc$i.jsonld" >/dev/null || echo fail; done) >"$TMP/cc.status" &
P3=$!
wait $P1 $P2 $P3
[ "$(grep -c '^201$' "$TMP/ca.status")" = $ROUNDS ] && ok || bad "node A concurrent captures: [$(tr '\n' ' ' <"$TMP/ca.status")]"
[ "$(grep -c '^201$' "$TMP/cb.status")" = $ROUNDS ] && ok || bad "node B concurrent captures: [$(tr '\n' ' ' <"$TMP/cb.status")]"
[ ! -s "$TMP/cc.status" ] && ok || bad "command-line captures beside the nodes failed"

want=$((3 + 2 + 2 + 3 * ROUNDS * 25))
st audit verify --db "$DB"
expect_rc "audit verify after concurrent captures" 0
expect_jq "one chain, every event once" '"\(.ok) \(.events)"' "true $want"
expect_jq "one link per stored document" .batches $((3 + 3 * ROUNDS))
st db info --db "$DB"
expect_jq "db info agrees" '"\(.backend) \(.events)"' "postgres $want"
# event ids are dense and in commit order: a stream from the start on B
# carries every event, ids 1..N without a gap
curl -s -N --max-time 20 -o "$TMP/all" "$B_URL/stream?lastEventId=0" &
SUB=$!
for _ in $(seq 1 200); do
    [ "$(cat "$TMP/all" 2>/dev/null | grep -c '^event: epcis')" -ge "$want" ] && break
    sleep 0.05
done
kill "$SUB" 2>/dev/null
wait "$SUB" 2>/dev/null
got=$(grep '^id: ' "$TMP/all" | sed 's/^id: //' | tr '\n' ' ')
[ "$got" = "$(seq 1 "$want" | tr '\n' ' ')" ] && ok || bad "B's stream from the start: ids 1..$want, got [$got]"
got=$(curl -s "$A_URL/events?perPage=1000&orderBy=eventTime" |
    jq '[.epcisBody.queryResults.resultsBody.eventList[]] | length')
[ "$got" = "$want" ] && ok || bad "A sees all $want events: $got"
got=$(curl -s "$B_URL/events?perPage=1000&EQ_bizStep=shipping" |
    jq '[.epcisBody.queryResults.resultsBody.eventList[]] | length')
[ "$got" = "$want" ] && ok || bad "B sees all $want events: $got"

for p in "${PIDS[@]}"; do kill -TERM "$p"; done
for p in "${PIDS[@]}"; do
    wait "$p"
    [ $? = 0 ] && ok || bad "a node did not exit cleanly"
done
PIDS=()
summary
