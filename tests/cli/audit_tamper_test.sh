#!/usr/bin/env bash
# The tamper test of `serialtrack audit verify`: a store of four captured
# documents (four chain links, nine events) is changed behind the store's
# back, one way at a time, on a copy made with the sqlite3 shell: an event's
# columns, body or hash; events deleted, inserted, moved or reordered; chain
# links deleted or rewritten. Every change must fail the audit (exit 1,
# "ok":false) naming the first broken link and event; the untouched store
# verifies, its head is db info's chain_head, and --head catches a chain
# that was cut short.
# Usage: audit_tamper_test.sh PATH-TO-serialtrack
set -u
BIN=${1:?usage: audit_tamper_test.sh PATH-TO-serialtrack}
. "$(dirname "$0")/lib.sh"
need_tools jq sqlite3
unset SERIALTRACK_DB
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN") # the tests run inside $TMP
cd "$TMP" || exit 1

CTX='"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2024-01-01T00:00:00Z"'
TZ='"eventTimeZoneOffset":"+00:00"'
U=urn:epc:id:sgtin:0614141.107346
# obj TIME ACTION BIZSTEP EPC: one ObjectEvent
obj() {
    printf '{"type":"ObjectEvent","eventTime":"%s",%s,"epcList":["%s"],"action":"%s","bizStep":"%s"}' \
        "$1" "$TZ" "$4" "$2" "$3"
}
doc() { printf '{%s,"epcisBody":{"eventList":[%s]}}\n' "$CTX" "$1"; }

# link 1: events 1-3; link 2: events 4-5; link 3: events 6-8; link 4: event 9
doc "$(obj 2024-03-01T08:00:00Z ADD commissioning $U.5001),$(obj 2024-03-01T08:00:01Z ADD commissioning $U.5002),$(obj 2024-03-01T08:00:02Z ADD commissioning $U.5003)" >d1.jsonld
doc '{"type":"AggregationEvent","eventTime":"2024-03-01T09:00:00Z",'"$TZ"',"parentID":"urn:epc:id:sscc:0614141.1000000001","childEPCs":["'$U.5001'","'$U.5002'"],"action":"ADD","bizStep":"packing"},'"$(obj 2024-03-02T08:00:00Z OBSERVE shipping urn:epc:id:sscc:0614141.1000000001)" >d2.jsonld
doc "$(obj 2024-03-03T08:00:00Z OBSERVE receiving $U.5003),$(obj 2024-03-03T08:00:01Z OBSERVE storing $U.5004),$(obj 2024-03-03T08:00:02Z OBSERVE receiving $U.5005)" >d3.jsonld
doc "$(obj 2024-03-04T08:00:00Z DELETE decommissioning $U.5003)" >d4.jsonld

st capture --db base.db d1.jsonld d2.jsonld d3.jsonld d4.jsonld
expect_rc "capture" 0
expect_jq "captured" '[.documents, .stored, .rejected]|@csv' '4,9,0'
st db info --db base.db
expect_jq "four links" '[.events, .batches]|@csv' '9,4'
HEAD=$(printf '%s' "$out" | jq -r .chain_head)
[ "$(sqlite3 base.db 'SELECT group_concat(first_event || "-" || last_event, " ") FROM batch')" = "1-3 4-5 6-8 9-9" ] &&
    ok || bad "links do not hold the events expected"

# ---- the untouched store ---------------------------------------------------------------------

st audit verify --db base.db
expect_rc "clean store" 0
expect_jq "clean audit" '[.ok, .batches, .events]|@csv' 'true,4,9'
expect_jq "head is db info's chain_head" '.head' "$HEAD"
st audit verify --db base.db --head "$HEAD"
expect_rc "--head of db info" 0
WRONG=$(printf '%s' "$HEAD" | tr '0-9a-f' '1-9a-f0')
st audit verify --db base.db --head "$WRONG"
expect_rc "--head WRONGHEX" 1
expect_jq "--head WRONGHEX ok" '.ok' false
expect_contains "--head WRONGHEX reason" "$out" "no longer leads to head $WRONG"
st audit verify --db base.db --head 1234
expect_rc "--head too short" 1

# ---- tampering, one change per copy ---------------------------------------------------------------

# tamper NAME BATCH EVENT REASON SQL: run SQL on a fresh copy of the store;
# the audit must fail at link BATCH and event EVENT (0: none) with REASON in
# its reason.
tamper() {
    local name=$1 batch=$2 event=$3 reason=$4 sql=$5
    rm -f copy.db copy.db-wal copy.db-shm
    if ! sqlite3 base.db ".backup copy.db"; then
        bad "$name: cannot copy the store"
        return
    fi
    if ! sqlite3 copy.db "$sql"; then
        bad "$name: the tampering SQL failed"
        return
    fi
    st audit verify --db copy.db
    expect_rc "$name: exit" 1
    expect_jq "$name: ok" '.ok' false
    expect_jq "$name: first bad link and event" '[.first_bad_batch, .first_bad_event]|@csv' \
        "$batch,$event"
    local got
    got=$(printf '%s' "$out" | jq -r .reason)
    expect_contains "$name: reason" "$got" "$reason"
}

# copy ROW-SQL SET-SQL: the event rows selected by ROW-SQL, changed by SET-SQL
# (an UPDATE of the copies in temp table t), inserted again; whatever the columns.
copy() { printf 'CREATE TEMP TABLE t AS SELECT * FROM event WHERE %s; UPDATE t SET %s; INSERT INTO event SELECT * FROM t;' "$1" "$2"; }

tamper "event_time" 2 5 "event 5: an indexed column differs" \
    "UPDATE event SET event_time = event_time + 1 WHERE id = 5"

body=$(sqlite3 base.db "SELECT hex(body) FROM event WHERE id = 7")
changed=${body/2E35303034/2E35303039} # the serial .5004 becomes .5009
[ "$changed" != "$body" ] && ok || bad "serial 5004 not found in the body of event 7: $body"
tamper "a byte of a body" 3 7 "event 7: body does not match its hash ID" \
    "UPDATE event SET body = X'$changed' WHERE id = 7"
tamper "a body cut short" 1 3 "event 3: body cannot be decoded" \
    "UPDATE event SET body = substr(body, 1, length(body) - 3) WHERE id = 3"

tamper "an event's hash" 1 2 "event 2: body does not match its hash ID" \
    "UPDATE event SET hash = zeroblob(32) WHERE id = 2"

tamper "biz_step" 3 6 "event 6: an indexed column differs" \
    "UPDATE event SET biz_step = (SELECT biz_step FROM event WHERE id = 7) WHERE id = 6"
tamper "a vocabulary term" 2 5 "event 5: an indexed column differs" \
    "UPDATE ident SET key = 'https://ref.gs1.org/cbv/BizStep-receiving#' WHERE key = 'https://ref.gs1.org/cbv/BizStep-shipping'"

tamper "record_time of one event" 2 4 "event 4: record time changed" \
    "UPDATE event SET record_time = record_time + 1 WHERE id = 4"

tamper "an event moved to another link" 3 6 "event 6 says it belongs to link 2" \
    "UPDATE event SET batch = 2 WHERE id = 6"

tamper "an event row deleted" 3 0 "link 3 holds 3 events but 2 are stored in its range (events deleted)" \
    "DELETE FROM event WHERE id = 7"

tamper "a copied event inserted at the end" 0 10 "event 10 lies after the last link" \
    "$(copy 'id = 3' 'id = 10, hash = randomblob(32)')"

tamper "a copied event inserted in the last link's range" 4 10 \
    "event 10: body does not match its hash ID" \
    "$(copy 'id = 3' 'id = 10, batch = 4, record_time = (SELECT record_time FROM batch WHERE id = 4),
                      hash = randomblob(32)')
     UPDATE batch SET last_event = 10 WHERE id = 4"

tamper "a copied event in a link's range, its count fixed" 4 0 "link 4: recomputed hash differs" \
    "DROP INDEX event_hash;
     $(copy 'id = 3' 'id = 10, batch = 4, record_time = (SELECT record_time FROM batch WHERE id = 4)')
     UPDATE batch SET last_event = 10, events = 2 WHERE id = 4"

tamper "an event replaced inside a link with a fresh hash" 2 5 "event 5: body does not match its hash ID" \
    "DELETE FROM event WHERE id = 5;
     $(copy 'id = 2' 'id = 5, batch = 2, record_time = (SELECT record_time FROM batch WHERE id = 2),
                      hash = randomblob(32)')"

tamper "a link deleted" 2 0 "link 2 is missing (the chain jumps to 3)" \
    "DELETE FROM batch WHERE id = 2"
tamper "the last link deleted" 0 9 "event 9 lies after the last link" \
    "DELETE FROM batch WHERE id = 4"

tamper "a link's record_time" 3 6 "event 6: record time changed" \
    "UPDATE batch SET record_time = record_time + 1 WHERE id = 3"
tamper "a link's and its events' record_time" 3 0 "link 3: recomputed hash differs" \
    "UPDATE batch SET record_time = record_time + 1 WHERE id = 3;
     UPDATE event SET record_time = record_time + 1 WHERE batch = 3"

tamper "a link's hash" 2 0 "link 2: recomputed hash differs" \
    "UPDATE batch SET hash = zeroblob(32) WHERE id = 2"
tamper "a link's previous hash" 3 0 "link 3 does not follow link 2" \
    "UPDATE batch SET prev_hash = zeroblob(32) WHERE id = 3"
tamper "a link's event count" 1 0 "link 1 holds 2 events but 3 are stored in its range" \
    "UPDATE batch SET events = 2 WHERE id = 1"

tamper "two bodies swapped" 3 6 "event 6: body does not match its hash ID" \
    "CREATE TEMP TABLE t AS SELECT id, body FROM event WHERE id IN (6, 7);
     UPDATE event SET body = (SELECT body FROM t WHERE t.id = 13 - event.id) WHERE id IN (6, 7)"
tamper "two events reordered" 3 0 "link 3: recomputed hash differs" \
    "CREATE TEMP TABLE t AS SELECT * FROM event WHERE id IN (6, 7);
     DELETE FROM event WHERE id IN (6, 7);
     UPDATE t SET id = 13 - id;
     INSERT INTO event SELECT * FROM t"

# Cutting the chain short (the last link and its event) leaves a chain that
# verifies on its own: the head recorded earlier is what catches it.
rm -f copy.db copy.db-wal copy.db-shm
sqlite3 base.db ".backup copy.db" && sqlite3 copy.db "DELETE FROM event WHERE id = 9; DELETE FROM batch WHERE id = 4"
st audit verify --db copy.db
expect_rc "a chain cut short verifies alone" 0
expect_jq "a chain cut short" '[.ok, .batches, .events]|@csv' 'true,3,8'
st audit verify --db copy.db --head "$HEAD"
expect_rc "a chain cut short, --head" 1
expect_jq "a chain cut short, --head ok" '.ok' false
expect_contains "a chain cut short, --head reason" "$out" "no longer leads to head $HEAD"

# The store itself was never touched.
st audit verify --db base.db --head "$HEAD"
expect_rc "the original still verifies" 0

summary
