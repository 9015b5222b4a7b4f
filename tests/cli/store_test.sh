#!/usr/bin/env bash
# Black-box tests of the event store commands: `capture` (its JSON summary,
# the errors of rejected documents, exit codes), choosing the store (--db
# sqlite:PATH, a bare path, $SERIALTRACK_DB), `db info` and `db migrate`,
# `trace` with every identifier form, and `audit verify` on a clean store.
# Usage: store_test.sh PATH-TO-serialtrack
set -u
BIN=${1:?usage: store_test.sh PATH-TO-serialtrack}
. "$(dirname "$0")/lib.sh"
need_tools jq sqlite3
unset SERIALTRACK_DB
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN") # the tests run inside $TMP
cd "$TMP" || exit 1

CTX='"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2024-01-01T00:00:00Z"'
TZ='"eventTimeZoneOffset":"+00:00"'
U=urn:epc:id:sgtin:0614141.107346 # GTIN 10614141073464
KEY=https://id.gs1.org/01/10614141073464/21/1001

# Commissioning of three units with a lot, packing two into a case.
cat >one.jsonld <<EOF
{$CTX,"epcisBody":{"eventList":[
 {"type":"ObjectEvent","eventTime":"2024-03-01T08:00:00Z",$TZ,"epcList":["$U.1001","$U.1002","$U.1003"],
  "action":"ADD","bizStep":"commissioning","disposition":"active","bizLocation":{"id":"urn:epc:id:sgln:0614141.00001.0"},
  "ilmd":{"cbvmda:lotNumber":"LOTA"}},
 {"type":"AggregationEvent","eventTime":"2024-03-01T09:00:00Z",$TZ,"parentID":"urn:epc:id:sscc:0614141.1000000001",
  "childEPCs":["$U.1001","$U.1002"],"action":"ADD","bizStep":"packing"}]}}
EOF
# The same packing in XML 2.0 (a duplicate) and a new shipping event.
cat >two.xml <<EOF
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0" creationDate="2024-01-01T00:00:00Z"><EPCISBody><EventList>
<AggregationEvent><eventTime>2024-03-01T09:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset>
<parentID>urn:epc:id:sscc:0614141.1000000001</parentID><childEPCs><epc>$U.1001</epc><epc>$U.1002</epc></childEPCs>
<action>ADD</action><bizStep>urn:epcglobal:cbv:bizstep:packing</bizStep></AggregationEvent>
<ObjectEvent><eventTime>2024-03-02T08:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset>
<epcList><epc>urn:epc:id:sscc:0614141.1000000001</epc></epcList><action>OBSERVE</action>
<bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep><bizLocation><id>urn:epc:id:sgln:0614141.00002.0</id></bizLocation></ObjectEvent>
</EventList></EPCISBody></epcis:EPCISDocument>
EOF
# Three events, the second with two faults.
cat >bad.jsonld <<EOF
{$CTX,"epcisBody":{"eventList":[
 {"type":"ObjectEvent","eventTime":"2024-03-05T08:00:00Z",$TZ,"epcList":["$U.4001"],"action":"OBSERVE"},
 {"type":"ObjectEvent","eventTime":"2024-03-05T08:01:00Z",$TZ,"epcList":["$U.4002"],"action":"OBSERVE","bizStep":"shiping","disposition":"activ"},
 {"type":"ObjectEvent","eventTime":"2024-03-05T08:02:00Z",$TZ,"epcList":["$U.4003"],"action":"OBSERVE"}]}}
EOF

# ---- capture ------------------------------------------------------------------------------

st capture --db sqlite:a.db one.jsonld
expect_rc "capture" 0
expect_jq "capture summary" '[.documents, .events, .stored, .duplicates, .rejected, (.errors|length)]|@csv' '1,2,2,0,0,0'
[ -s a.db ] && ok || bad "sqlite:a.db was not created"

st capture --db sqlite:a.db two.xml one.jsonld
expect_rc "capture duplicates" 0
expect_jq "duplicates summary" '[.documents, .events, .stored, .duplicates, .rejected]|@csv' '2,4,1,3,0'

st capture --db a.db bad.jsonld one.jsonld
expect_rc "capture with a rejected document" 1
expect_jq "rejected summary" '[.documents, .events, .stored, .duplicates, .rejected]|@csv' '2,5,0,2,1'
expect_jq "two errors" '.errors|length' 2
expect_jq "error file" '[.errors[].file]|unique|.[]' 'bad.jsonld'
expect_jq "error event" '[.errors[].event]|unique|.[]' 1
expect_jq "error paths" '[.errors[].path]|sort|join(" ")' \
    '/epcisBody/eventList/1/bizStep /epcisBody/eventList/1/disposition'
expect_jq "error message" '.errors[]|select(.path|endswith("bizStep"))|.message' \
    'unknown bizStep "shiping" (did you mean "shipping"?)'
st trace --db a.db "$U.4001"
expect_rc "nothing of a rejected document is stored" 1

st capture --db a.db does-not-exist.jsonld
expect_rc "unreadable file" 3
expect_jq "unreadable file error" '.errors[0].file + " " + (.errors[0].event|tostring)' 'does-not-exist.jsonld null'
expect_jq "unreadable file counted" '.rejected' 1

st capture --db a.db
expect_rc "capture without files" 2
expect_contains "usage text" "$err" "usage: serialtrack capture"
st capture --db a.db --bogus one.jsonld
expect_rc "unknown option" 2
st capture --db
expect_rc "--db without a value" 2

# standard input, --db=, sqlite://ABSOLUTE
st capture --db=sqlite://"$TMP/b.db" - <two.xml
expect_rc "capture from stdin" 0
expect_jq "stdin summary" '[.events, .stored]|@csv' '2,2'
[ -s "$TMP/b.db" ] && ok || bad "sqlite://ABSOLUTE was not created"

# $SERIALTRACK_DB, and --db over it
SERIALTRACK_DB=env.db st capture one.jsonld
expect_rc "capture into \$SERIALTRACK_DB" 0
[ -s env.db ] && ok || bad "\$SERIALTRACK_DB store was not created"
SERIALTRACK_DB=env.db st capture --db c.db one.jsonld
expect_jq "--db wins over \$SERIALTRACK_DB" '.stored' 2
SERIALTRACK_DB=env.db st db info
expect_jq "info of \$SERIALTRACK_DB" '[.location, .events]|@csv' '"env.db",2'
# with neither: serialtrack.db in the current folder
mkdir -p here && (cd here && "$BIN" capture ../one.jsonld >/dev/null)
[ -s here/serialtrack.db ] && ok || bad "default store serialtrack.db was not created"

st db info --db mysql://localhost/st
expect_rc "unknown URL scheme" 3
expect_contains "unknown scheme message" "$err" "unknown store URL scheme"

# ---- db info ---------------------------------------------------------------------------------

st db info --db a.db
expect_rc "db info" 0
expect_jq "info backend" '.backend' sqlite
expect_jq "info location" '.location' a.db
expect_jq "info schema" '[.schema_version, .schema_latest]|@csv' '3,3'
expect_jq "info counts" '[.events, .batches, .items]|@csv' '3,2,4'
expect_jq "info identifiers" '.identifiers > 5' true
expect_jq "info bytes" '.bytes > 0' true
expect_jq "info chain head" '.chain_head|test("^[0-9a-f]{64}$")' true
expect_jq "info last record time" '.last_record_time|test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{12}Z$")' true
head_a=$(printf '%s' "$out" | jq -r .chain_head)

st db info --db missing.db
expect_rc "db info of a missing store" 3
expect_contains "missing store message" "$err" "no store at missing.db"
[ ! -e missing.db ] && ok || bad "db info created a store"

st db info --db sqlite:
expect_rc "empty sqlite path" 3

# ---- db migrate -------------------------------------------------------------------------------

st db migrate --db sqlite:fresh.db
expect_rc "migrate a new store" 0
expect_jq "new store schema" '.schema_version' 3
expect_jq "new store migrated is a boolean" '.migrated|type' boolean
st db info --db fresh.db
expect_jq "new store is empty" '[.schema_version, .events, .batches, .chain_head, .last_record_time]|@csv' '3,0,0,"",'
st db migrate --db a.db
expect_rc "migrate a current store" 0
expect_jq "current store" '[.schema_version, .migrated]|@csv' '3,false'
st db info --db a.db
expect_jq "migrate keeps the data" '[.events, .chain_head]|@csv' "3,\"$head_a\""
st db migrate
expect_rc "db migrate default store" 0
st db frobnicate --db a.db
expect_rc "db unknown subcommand" 2
st db
expect_rc "db without subcommand" 2

# a store written by a newer serialtrack is refused, not damaged
cp fresh.db newer.db && sqlite3 newer.db "PRAGMA user_version = 99"
st db info --db newer.db
expect_rc "newer schema" 3
expect_contains "newer schema message" "$err" "schema version 99"
st capture --db newer.db one.jsonld
expect_rc "capture into a newer schema" 3
st db migrate --db newer.db
expect_rc "migrate a newer schema" 3
[ "$(sqlite3 newer.db 'PRAGMA user_version')" = 99 ] && ok || bad "newer store was changed"

# ---- trace --------------------------------------------------------------------------------------

HEX=$("$BIN" id encode --scheme sgtin-96 --filter 3 --gcp-len 7 "$U.1001")
[ "$HEX" = 3074257BF468D480000003E9 ] && ok || bad "SGTIN-96 of $U.1001: $HEX"
st trace --db a.db "$U.1001"
expect_rc "trace by EPC URI" 0
expect_jq "trace key" '.key' "$KEY"
expect_jq "trace state" '[.state.status, .state.lot, .state.container]|@csv' \
    '"active","https://id.gs1.org/01/10614141073464/10/LOTA","https://id.gs1.org/00/106141410000000019"'
expect_jq "trace location through the case" '[.state.location.from, .state.location.biz_location]|@csv' \
    '"https://id.gs1.org/00/106141410000000019","https://id.gs1.org/414/0614141000029"'
expect_jq "trace history" '[.history[].bizStep]|join(",")' 'commissioning,packing,shipping'
expect_jq "trace container" '.container|join(",")' 'https://id.gs1.org/00/106141410000000019'
expect_jq "trace genealogy" '[.genealogy.up, .genealogy.down]|map(length)|@csv' '0,0'
want=$out
for form in "$KEY" "https://brand.example.com/01/10614141073464/21/1001" \
    "(01)10614141073464(21)1001" "$HEX" "urn:epc:tag:sgtin-96:3.0614141.107346.1001"; do
    st trace --db a.db "$form"
    expect_rc "trace $form" 0
    [ "$out" = "$want" ] && ok || bad "trace $form differs: $out"
done
st trace --db a.db --only state "(01)10614141073464(21)1001"
expect_jq "--only state" 'keys|join(",")' 'key,state'
st trace --db a.db --only containers urn:epc:id:sscc:0614141.1000000001
expect_jq "case contents" '[.children[].key]|join(",")' \
    "https://id.gs1.org/01/10614141073464/21/1001,https://id.gs1.org/01/10614141073464/21/1002"
st trace --db a.db '(01)10614141073464(10)LOTA'
expect_rc "trace a lot" 0
expect_jq "lot units" '.state.lot_units' 3
st trace --db a.db "$U.9999"
expect_rc "trace unknown unit" 1
expect_contains "unknown unit message" "$err" "https://id.gs1.org/01/10614141073464/21/9999"
[ -z "$out" ] && ok || bad "trace of an unknown unit printed [$out]"
st trace --db a.db 'not an identifier'
expect_rc "trace garbage" 2
st trace --db a.db '(01)10614141073463(21)1001'
expect_rc "trace bad check digit" 2
expect_contains "bad check digit names the AI" "$err" "AI 01: check digit is 3, expected 4"
# a faulty GS1 identifier is refused with its reason, not looked up as a private URI
st trace --db a.db 'urn:epc:id:sgtin:0614141.107346'
expect_rc "trace EPC URI without serial" 2
expect_contains "EPC URI reason" "$err" "not a valid identifier"
st trace --db a.db 'https://id.gs1.org/01/10614141073463/21/1001'
expect_rc "trace Digital Link with bad check digit" 2
expect_contains "Digital Link reason" "$err" "check digit"
st trace --db a.db 'https://example.com/things/1'
expect_rc "a private URI is a key of its own (unknown here)" 1
st trace --db a.db
expect_rc "trace without id" 2
st trace --db a.db --only everything "$U.1001"
expect_rc "trace bad --only" 2
st trace --db missing.db "$U.1001"
expect_rc "trace missing store" 3
[ ! -e missing.db ] && ok || bad "trace created a store"

# ---- audit verify --------------------------------------------------------------------------------

st audit verify --db a.db
expect_rc "audit verify" 0
expect_jq "audit result" '[.ok, .batches, .events]|@csv' 'true,2,3'
expect_jq "audit head" '.head' "$head_a"
expect_jq "audit reason absent" 'has("reason")' false
st audit verify --db a.db --head "$head_a"
expect_rc "audit verify --head" 0
st audit verify --db fresh.db
expect_rc "audit of an empty store" 0
expect_jq "empty store audit" '[.ok, .batches, .events, .head]|@csv' 'true,0,0,""'
st audit verify --db fresh.db --head ""
expect_rc "empty store --head from db info" 0
st audit verify --db missing.db
expect_rc "audit of a missing store" 3
st audit --db a.db
expect_rc "audit without verify" 2

summary
