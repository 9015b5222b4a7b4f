#!/usr/bin/env bash
# Black-box tests of `serialtrack events`: EPCIS query parameters on a
# store captured here, the EPCISQueryDocument in every format, paging with
# the token printed to stderr (events captured between pages stay out),
# and the exit codes: 2 for a bad parameter, 3 for a missing store, 1 when
# more events match than maxEventCount.
# Usage: events_test.sh PATH-TO-serialtrack
set -u
BIN=${1:?usage: events_test.sh PATH-TO-serialtrack}
. "$(dirname "$0")/lib.sh"
DB="$TMP/t.db"

# one event per day of January 2024, record order e1..e6
cat >"$TMP/ev.jsonld" <<'JSON'
{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
              {"ex": "https://ns.example.com/epcis/"}],
 "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2024-01-01T00:00:00Z",
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventID": "urn:test:e1", "eventTime": "2024-01-03T10:00:00Z",
   "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "epcList": ["urn:epc:id:sgtin:0614141.107346.1", "urn:epc:id:sgtin:0614141.107346.2"]},
  {"type": "ObjectEvent", "eventID": "urn:test:e2", "eventTime": "2024-01-01T10:00:00Z",
   "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
   "disposition": "in_transit", "epcList": ["urn:epc:id:sgtin:0614141.107346.1"],
   "readPoint": {"id": "urn:epc:id:sgln:0614141.00001.0"}, "ex:temp": 7},
  {"type": "AggregationEvent", "eventID": "urn:test:e3", "eventTime": "2024-01-05T10:00:00Z",
   "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "packing",
   "parentID": "urn:epc:id:sscc:0614141.1234567890",
   "childEPCs": ["urn:epc:id:sgtin:0614141.107346.2"]},
  {"type": "ObjectEvent", "eventID": "urn:test:e4", "eventTime": "2024-01-02T10:00:00Z",
   "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
   "epcList": ["urn:epc:id:sgtin:0614141.107346.3"]},
  {"type": "ObjectEvent", "eventID": "urn:test:e5", "eventTime": "2024-01-06T10:00:00Z",
   "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
   "epcList": ["urn:epc:id:sscc:0614141.1234567890"]},
  {"type": "ObjectEvent", "eventID": "urn:test:e6", "eventTime": "2024-01-04T10:00:00Z",
   "eventTimeZoneOffset": "+00:00", "action": "DELETE",
   "epcList": ["urn:epc:id:sgtin:0614141.107346.3"]}
 ]}}
JSON
# events captured later, one earlier and one later than all others
cat >"$TMP/new.jsonld" <<'JSON'
{"@context": "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
 "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2024-02-01T00:00:00Z",
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventID": "urn:test:n1", "eventTime": "2023-12-31T10:00:00Z",
   "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
   "epcList": ["urn:epc:id:sgtin:0614141.107346.1"]},
  {"type": "ObjectEvent", "eventID": "urn:test:n2", "eventTime": "2024-01-31T10:00:00Z",
   "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
   "epcList": ["urn:epc:id:sgtin:0614141.107346.1"]}
 ]}}
JSON

IDS='[.epcisBody.queryResults.resultsBody.eventList[].eventID] | join(" ")'

st capture --db "$DB" "$TMP/ev.jsonld"
expect_rc "capture" 0

# the document
st events --db "$DB"
expect_rc "all events" 0
expect_jq "type" .type EPCISQueryDocument
expect_jq "query name" .epcisBody.queryResults.queryName SimpleEventQuery
expect_jq "record order" "$IDS" "urn:test:e1 urn:test:e2 urn:test:e3 urn:test:e4 urn:test:e5 urn:test:e6"
expect_jq "recordTime on every event" \
    '[.epcisBody.queryResults.resultsBody.eventList[].recordTime | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$")] | all' true
[ -z "$err" ] && ok || bad "no token when everything fits: [$err]"
# the events read back keep their hash IDs
printf '%s' "$out" >"$TMP/out.jsonld"
[ "$("$BIN" hash "$TMP/out.jsonld")" = "$("$BIN" hash "$TMP/ev.jsonld")" ] && ok || bad "hash IDs kept"

# parameter families
st events --db "$DB" EQ_bizStep=shipping
expect_jq "EQ_bizStep" "$IDS" "urn:test:e2 urn:test:e5"
st events --db "$DB" 'EQ_bizStep=urn:epcglobal:cbv:bizstep:packing|receiving'
expect_jq "EQ_bizStep list, URN" "$IDS" "urn:test:e3 urn:test:e4"
st events --db "$DB" EQ_action=ADD,DELETE
expect_jq "EQ_action" "$IDS" "urn:test:e1 urn:test:e3 urn:test:e6"
st events --db "$DB" eventType=AggregationEvent
expect_jq "eventType" "$IDS" "urn:test:e3"
st events --db "$DB" GE_eventTime=2024-01-02T10:00:00Z LT_eventTime=2024-01-04T10:00:00Z
expect_jq "eventTime window" "$IDS" "urn:test:e1 urn:test:e4"
st events --db "$DB" MATCH_epc=urn:epc:id:sgtin:0614141.107346.2
expect_jq "MATCH_epc" "$IDS" "urn:test:e1 urn:test:e3"
st events --db "$DB" 'MATCH_anyEPC=urn:epc:idpat:sscc:0614141.*'
expect_jq "MATCH_anyEPC pattern" "$IDS" "urn:test:e3 urn:test:e5"
st events --db "$DB" EQ_readPoint=https://id.gs1.org/414/0614141000012
expect_jq "EQ_readPoint as a Digital Link" "$IDS" "urn:test:e2"
st events --db "$DB" EQ_disposition=in_transit
expect_jq "EQ_disposition" "$IDS" "urn:test:e2"
st events --db "$DB" 'EQ_ex:temp=7'
expect_jq "extension field" "$IDS" "urn:test:e2"
st events --db "$DB" EXISTS_ex:temp
expect_jq "EXISTS_ without a value" "$IDS" "urn:test:e2"
st events --db "$DB" 'EQ_eventID=urn:test:e6|urn:test:e4'
expect_jq "EQ_eventID" "$IDS" "urn:test:e4 urn:test:e6"
st events --db "$DB" orderBy=eventTime
expect_jq "orderBy eventTime (DESC)" "$IDS" \
    "urn:test:e5 urn:test:e3 urn:test:e6 urn:test:e1 urn:test:e4 urn:test:e2"
st events --db "$DB" orderBy=eventTime orderDirection=ASC eventCountLimit=2
expect_jq "eventCountLimit" "$IDS" "urn:test:e2 urn:test:e4"
[ -z "$err" ] && ok || bad "no token past eventCountLimit: [$err]"
SERIALTRACK_DB="$DB" st events EQ_bizStep=receiving
expect_jq "store from SERIALTRACK_DB" "$IDS" "urn:test:e4"

# other formats
st events --db "$DB" --format xml EQ_bizStep=shipping
expect_rc "xml" 0
expect_contains "xml query document" "$out" "EPCISQueryDocument"
printf '%s' "$out" >"$TMP/out.xml"
st epcis validate "$TMP/out.xml"
expect_contains "xml reads back" "$out" "out.xml: xml, 2 events, valid"
st events --db "$DB" --format=xml12 EQ_action=ADD
expect_rc "xml12" 0
expect_contains "xml12 namespace" "$out" "urn:epcglobal:epcis-query:xsd:1"
printf '%s' "$out" >"$TMP/out12.xml"
st epcis validate "$TMP/out12.xml"
expect_contains "xml12 reads back" "$out" "out12.xml: xml12, 2 events, valid"

# paging: the token on stderr; events captured between pages stay out;
# the pages together are the result, in order
args=(--db "$DB" orderBy=eventTime orderDirection=ASC 'EQ_bizStep=shipping|commissioning|receiving|packing' perPage=2)
all=""
tok=""
captured=0
for page in 1 2 3 4; do
    if [ -n "$tok" ]; then st events "${args[@]}" "nextPageToken=$tok"; else st events "${args[@]}"; fi
    expect_rc "page $page" 0
    all="$all $(printf '%s' "$out" | jq -r "$IDS")"
    tok=$(printf '%s\n' "$err" | sed -n 's/^nextPageToken=//p')
    if [ "$captured" -eq 0 ]; then
        "$BIN" capture --db "$DB" "$TMP/new.jsonld" >/dev/null
        captured=1
    fi
    [ -n "$tok" ] || break
done
[ "$page" -eq 3 ] && ok || bad "three pages, got $page"
[ "$all" = " urn:test:e2 urn:test:e4 urn:test:e1 urn:test:e3 urn:test:e5" ] && ok ||
    bad "pages together: [$all]"
st events "${args[@]}"
expect_jq "a new first page sees the new events" "$IDS" "urn:test:n1 urn:test:e2"
first_tok=$(printf '%s\n' "$err" | sed -n 's/^nextPageToken=//p')
[ -n "$first_tok" ] && ok || bad "a token for the second page"

# bad parameters: exit 2, the parameter named, nothing on stdout
for case in 'EQ_foo=1|unknown query parameter EQ_foo' \
    'GE_eventTime=yesterday|GE_eventTime: "yesterday" is not a date-time' \
    'EQ_action=LOOK|EQ_action: "LOOK" is not an action' \
    'EQ_bizStep=shiping|did you mean "shipping"' \
    'perPage=0|perPage' \
    'orderDirection=UP|orderDirection' \
    'EQ_bizStep|EQ_bizStep needs a value' \
    'nextPageToken=xyz|nextPageToken is not a token'; do
    param=${case%%|*}
    msg=${case#*|}
    st events --db "$DB" "$param"
    expect_rc "bad $param" 2
    expect_contains "bad $param message" "$err" "$msg"
    [ -z "$out" ] && ok || bad "bad $param: nothing on stdout"
done
st events --db "$DB" eventCountLimit=2
expect_rc "eventCountLimit without orderBy" 2
expect_contains "eventCountLimit message" "$err" "eventCountLimit needs orderBy"
st events --db "$DB" EQ_bizStep=shipping "nextPageToken=$first_tok"
expect_rc "token of another query" 2
expect_contains "token message" "$err" "belongs to another query"
st events --db "$DB" --format yaml
expect_rc "bad format" 2
st events --db "$DB" --bogus
expect_rc "unknown option" 2
st events --db "$DB" =x
expect_rc "no name" 2

# maxEventCount: exit 1, nothing written
st events --db "$DB" maxEventCount=3
expect_rc "maxEventCount exceeded" 1
expect_contains "maxEventCount message" "$err" "more than maxEventCount=3"
[ -z "$out" ] && ok || bad "maxEventCount: nothing on stdout"
st events --db "$DB" maxEventCount=8
expect_rc "maxEventCount kept" 0

# no store: exit 3, and none is created
st events --db "$TMP/missing.db"
expect_rc "missing store" 3
expect_contains "missing store message" "$err" "no store"
[ ! -e "$TMP/missing.db" ] && ok || bad "no store created"

st events --help
expect_rc "help" 0
expect_contains "help text" "$out" "usage: serialtrack events"

summary
