#!/usr/bin/env bash
# GET /stream, black box: a subscriber filtered with EQ_bizStep=shipping
# receives, as Server-Sent Events with the store's event ids, exactly the
# matching events captured after it connected (by another process, the CLI,
# on the same store file); a reconnection with Last-Event-ID receives what
# was stored after that id, then live events; bad parameters are refused
# with problems; the server stops promptly on SIGTERM with a stream open.
#   usage: http_stream_test.sh path/to/serialtrack
BIN=${1:?usage: http_stream_test.sh path/to/serialtrack}
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http_lib.sh"
HTTP_DB="$TMP/stream.db"

# doc NAME EVENT...: an EPCIS 2.0 JSON-LD document of ObjectEvents, one per
# argument "ID:BIZSTEP", in $TMP/NAME.jsonld. Every event differs (its own
# time and unit), so none is a duplicate of another.
NDOC=0
doc() {
    local name=$1 sep=""
    shift
    {
        printf '{"@context":"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",'
        printf '"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2024-03-01T00:00:00Z",'
        printf '"epcisBody":{"eventList":['
        for ev in "$@"; do
            NDOC=$((NDOC + 1))
            printf '%s{"type":"ObjectEvent","eventID":"urn:test:%s","eventTime":"2024-03-01T10:%02d:00Z",' \
                "$sep" "${ev%%:*}" "$NDOC"
            printf '"eventTimeZoneOffset":"+00:00","action":"OBSERVE","bizStep":"%s",' "${ev#*:}"
            printf '"epcList":["urn:epc:id:sgtin:0614141.107346.%s"]}' "$NDOC"
            sep=,
        done
        printf ']}}\n'
    } >"$TMP/$name.jsonld"
}

capture() {
    st capture --db "$HTTP_DB" "$TMP/$1.jsonld"
    expect_rc "capture $1" 0
}

# subscribe FILE [curl args...]: a stream in the background (bounded), its
# output in FILE; sets SUB_PID once the stream has answered.
subscribe() {
    local file=$1
    shift
    curl -s -N --max-time 20 "$@" -o "$file" &
    SUB_PID=$!
    for _ in $(seq 1 100); do
        grep -q '^retry:' "$file" 2>/dev/null && return 0
        sleep 0.05
    done
    bad "the stream did not answer: [$(cat "$file" 2>/dev/null)]"
}

# wait_events FILE N: until FILE holds N events (at most 5 s).
wait_events() {
    for _ in $(seq 1 100); do
        [ "$(grep -c '^event: epcis' "$1")" -ge "$2" ] && return 0
        sleep 0.05
    done
    return 1
}

event_ids() { grep '^data: ' "$1" | sed 's/^data: //' | jq -r .eventID | tr '\n' ' '; }
sse_ids() { grep '^id: ' "$1" | sed 's/^id: //' | tr '\n' ' '; }

doc pre p1:shipping p2:receiving
capture pre
http_start

# ---- a live subscriber sees only new matching events --------------------------------------
subscribe "$TMP/s1" "$BASE/stream?EQ_bizStep=shipping"
doc a a1:shipping a2:receiving a3:shipping
doc b b1:shipping b2:packing
capture a
capture b
wait_events "$TMP/s1" 3 || bad "3 events expected on the stream within 5 s: [$(cat "$TMP/s1")]"
sleep 0.5 # nothing else may follow
kill "$SUB_PID" 2>/dev/null
wait "$SUB_PID" 2>/dev/null
expect_contains "stream: the matching events, in order" "$(event_ids "$TMP/s1")" "urn:test:a1 urn:test:a3 urn:test:b1 "
got=$(event_ids "$TMP/s1")
[ "$got" = "urn:test:a1 urn:test:a3 urn:test:b1 " ] && ok || bad "stream: nothing else expected, got [$got]"
ids=($(sse_ids "$TMP/s1"))
[ "${#ids[@]}" = 3 ] && ok || bad "stream: 3 ids expected, got [${ids[*]}]"
# store ids: p1 p2 a1 a2 a3 b1 b2 -> 3 5 6
[ "${ids[*]}" = "3 5 6" ] && ok || bad "stream: ids are the store's event ids (3 5 6), got [${ids[*]}]"
expect_contains "stream: frames name their event type" "$(cat "$TMP/s1")" $'event: epcis\ndata: {'
bizsteps=$(grep '^data: ' "$TMP/s1" | sed 's/^data: //' | jq -r .bizStep | sort -u | tr '\n' ' ')
[ "$bizsteps" = "shipping " ] && ok || bad "stream: only shipping events, got [$bizsteps]"
rt=$(grep '^data: ' "$TMP/s1" | head -n 1 | sed 's/^data: //' | jq -r .recordTime)
case "$rt" in 20*Z) ok ;; *) bad "stream: events carry their recordTime, got [$rt]" ;; esac

# ---- reconnecting with Last-Event-ID: what came after it, then live ---------------------------
subscribe "$TMP/s2" -H "Last-Event-ID: ${ids[0]}" "$BASE/stream?EQ_bizStep=shipping"
wait_events "$TMP/s2" 2 || bad "resume: 2 stored events expected: [$(cat "$TMP/s2")]"
doc c c1:receiving c2:shipping
capture c
wait_events "$TMP/s2" 3 || bad "resume: then the live one: [$(cat "$TMP/s2")]"
sleep 0.3
kill "$SUB_PID" 2>/dev/null
wait "$SUB_PID" 2>/dev/null
got=$(event_ids "$TMP/s2")
[ "$got" = "urn:test:a3 urn:test:b1 urn:test:c2 " ] && ok ||
    bad "resume: events after id ${ids[0]}, then live: got [$got]"
got=$(sse_ids "$TMP/s2")
[ "$got" = "5 6 9 " ] && ok || bad "resume: ids 5 6 9 expected, got [$got]"

# the same through the query parameter (EventSource cannot set headers on its first request)
subscribe "$TMP/s3" "$BASE/stream?EQ_bizStep=shipping&lastEventId=6"
wait_events "$TMP/s3" 1 || bad "lastEventId: 1 event expected: [$(cat "$TMP/s3")]"
kill "$SUB_PID" 2>/dev/null
wait "$SUB_PID" 2>/dev/null
[ "$(event_ids "$TMP/s3")" = "urn:test:c2 " ] && ok || bad "lastEventId=6: [$(event_ids "$TMP/s3")]"

# an unfiltered stream sees every event type and step
subscribe "$TMP/s4" -H "Last-Event-ID: 7" "$BASE/stream"
wait_events "$TMP/s4" 2 || bad "unfiltered: 2 events expected: [$(cat "$TMP/s4")]"
kill "$SUB_PID" 2>/dev/null
wait "$SUB_PID" 2>/dev/null
[ "$(event_ids "$TMP/s4")" = "urn:test:c1 urn:test:c2 " ] && ok || bad "unfiltered: [$(event_ids "$TMP/s4")]"

# ---- refused requests -------------------------------------------------------------------------
http GET "/stream" -H "Last-Event-ID: abc"
expect_status "bad Last-Event-ID" 400
expect_jq "bad Last-Event-ID field" .field "Last-Event-ID"
http GET "/stream?orderBy=eventTime"
expect_status "orderBy on a stream" 400
expect_jq "orderBy field" .field "orderBy"
http GET "/stream?EQ_bizStep=shipping&GE_eventTime=yesterday"
expect_status "malformed parameter" 400
expect_jq "malformed parameter field" .field "GE_eventTime"
http GET "/stream?NO_such=1"
expect_status "unknown parameter" 400
http POST "/stream"
expect_status "POST /stream" 405

# ---- headers ----------------------------------------------------------------------------------
curl -s -N --max-time 1 -D "$TMP/s5.h" -o /dev/null "$BASE/stream"
h=$(tr -d '\r' <"$TMP/s5.h")
expect_contains "content type" "$h" "Content-Type: text/event-stream"
expect_contains "no caching" "$h" "Cache-Control: no-cache"

# ---- SIGTERM with streams open: the server ends them and stops promptly ---------------------------
subscribe "$TMP/s6" "$BASE/stream?EQ_bizStep=shipping"
S6=$SUB_PID
subscribe "$TMP/s7" "$BASE/stream"
S7=$SUB_PID
t0=$(date +%s%N)
http_stop
t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))
[ "$stop_rc" = 0 ] && ok || bad "clean exit on SIGTERM with streams open: rc $stop_rc"
[ "$ms" -lt 3000 ] && ok || bad "SIGTERM with streams open took ${ms} ms (expected < 3000)"
wait "$S6"
rc6=$?
wait "$S7"
[ "$rc6" = 0 ] && ok || bad "the stream ended cleanly at shutdown (curl exit $rc6, 28 = timed out)"
summary
