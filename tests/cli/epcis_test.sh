#!/usr/bin/env bash
# Black-box tests of `serialtrack epcis validate|convert` and `serialtrack
# hash` on small documents written here: the output contract, every error of
# a bad document reported with its path, exit codes, and round trips.
# Usage: epcis_test.sh PATH-TO-serialtrack
set -u
BIN=${1:?usage: epcis_test.sh PATH-TO-serialtrack}
. "$(dirname "$0")/lib.sh"

cat >"$TMP/good.jsonld" <<'JSON'
{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
              {"ex": "https://ns.example.com/epcis/"}],
 "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-01-02T03:04:05Z",
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventTime": "2022-02-16T20:33:31.116-06:00",
   "eventTimeZoneOffset": "-06:00", "action": "OBSERVE", "bizStep": "shipping",
   "disposition": "in_transit",
   "epcList": ["urn:epc:id:sgtin:0614141.107346.2017", "urn:epc:id:sgtin:0614141.107346.2018"],
   "readPoint": {"id": "urn:epc:id:sgln:0614141.07346.1234"},
   "bizTransactionList": [{"type": "po", "bizTransaction": "http://transaction.acme.com/po/12345678"}]},
  {"type": "AggregationEvent", "eventTime": "2022-02-17T10:00:00Z", "eventTimeZoneOffset": "+00:00",
   "action": "ADD", "bizStep": "packing", "parentID": "urn:epc:id:sscc:0614141.1234567890",
   "childEPCs": ["urn:epc:id:sgtin:0614141.107346.2017"], "ex:line": 7}
 ]}}
JSON

st epcis validate "$TMP/good.jsonld"
expect_rc "validate good" 0
expect_contains "validate line" "$out" "good.jsonld: jsonld, 2 events, valid"

# The reference event of the CBV 2.0 hash algorithm (its published hash).
st hash "$TMP/good.jsonld"
expect_rc "hash exit" 0
first=$(printf '%s\n' "$out" | head -1)
[ "$first" = "ni:///sha-256;ffa491b16867e34a7791a8d5389d826afc24e63a121026b6a4004ace38631b4b?ver=CBV2.0" ] &&
    ok || bad "reference hash: $first"
[ "$(printf '%s\n' "$out" | wc -l)" -eq 2 ] && ok || bad "two hash lines: $out"
st hash --prehash "$TMP/good.jsonld"
expect_contains "prehash" "$out" "eventType=ObjectEventeventTime=2022-02-17T02:33:31.116ZeventTimeZoneOffset=-06:00epcListepc=https://id.gs1.org/01/10614141073464/21/2017"

# Conversions keep every event's hash ID.
orig=$("$BIN" hash "$TMP/good.jsonld")
for to in jsonld xml xml12; do
    "$BIN" epcis convert --to $to "$TMP/good.jsonld" >"$TMP/conv.$to" 2>"$TMP/notes"
    rc=$?
    expect_rc "convert to $to" 0
    again=$("$BIN" hash "$TMP/conv.$to")
    [ "$again" = "$orig" ] && ok || bad "hash after $to: [$again] vs [$orig]"
    st epcis validate "$TMP/conv.$to"
    expect_rc "converted $to validates" 0
done
grep -q 'xmlns:epcis="urn:epcglobal:epcis:xsd:1"' "$TMP/conv.xml12" && ok || bad "xml12 namespace"
grep -q 'urn:epcglobal:cbv:bizstep:shipping' "$TMP/conv.xml12" && ok || bad "xml12 uses 1.x URNs"
"$BIN" epcis convert --to jsonld --ids dl "$TMP/good.jsonld" >"$TMP/dl.jsonld"
grep -q 'https://id.gs1.org/01/10614141073464/21/2017' "$TMP/dl.jsonld" && ok || bad "--ids dl"
again=$("$BIN" hash "$TMP/dl.jsonld")
[ "$again" = "$orig" ] && ok || bad "hash after --ids dl"
"$BIN" epcis convert --to xml --ids urn "$TMP/dl.jsonld" >/dev/null 2>"$TMP/notes"
expect_rc "ids urn from dl" 0

# A document with several faults: every one reported with its path, exit 1.
cat >"$TMP/bad.jsonld" <<'JSON'
{"@context": "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
 "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-01-02T03:04:05Z",
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventTime": "2022-02-16T20:33:31.116-06:00",
   "eventTimeZoneOffset": "-06:00", "action": "OBSERVE", "bizStep": "shiping",
   "epcList": ["urn:epc:id:sgtin:0614141.107346.2017"]},
  {"type": "ObjectEvent", "eventTime": "2022-02-30T20:33:31Z",
   "eventTimeZoneOffset": "-06:00", "action": "OBSERVE",
   "epcList": ["urn:epc:id:sgtin:0614141.107346.2017"]},
  {"type": "ObjectEvent", "eventTime": "2022-02-16T20:33:31Z", "eventTimeZoneOffset": "+01:00",
   "action": "LOOK", "epcList": ["(01)09520123456787(21)1"]}
 ]}}
JSON
st epcis validate "$TMP/bad.jsonld"
expect_rc "validate bad" 1
expect_contains "event count" "$out" "3 events"
expect_contains "typo path" "$out" "event 0: /epcisBody/eventList/0/bizStep: "
expect_contains "did you mean" "$out" 'did you mean "shipping"'
expect_contains "bad date" "$out" "event 1: /epcisBody/eventList/1/eventTime"
expect_contains "bad action" "$out" "event 2: /epcisBody/eventList/2/action"
expect_contains "bad epc" "$out" "/epcisBody/eventList/2/epcList/0"
st epcis convert --to xml "$TMP/bad.jsonld"
expect_rc "invalid document is not converted" 1
[ -z "$out" ] && ok || bad "nothing written for an invalid document"

printf 'not a document' >"$TMP/junk.txt"
st epcis validate "$TMP/junk.txt"
expect_rc "junk" 1
expect_contains "junk message" "$out" "not an EPCIS document"
st epcis validate "$TMP/missing.json"
expect_rc "missing file" 1
expect_contains "missing message" "$out" "cannot open"
st epcis validate "$TMP/good.jsonld" "$TMP/bad.jsonld"
expect_rc "one bad of two" 1

# stdin
"$BIN" hash - <"$TMP/good.jsonld" >"$TMP/h"
[ "$(cat "$TMP/h")" = "$orig" ] && ok || bad "hash from stdin"

# usage errors: exit 2
st epcis convert --to yaml "$TMP/good.jsonld"
expect_rc "bad --to" 2
st epcis convert "$TMP/good.jsonld"
expect_rc "no --to" 2
st epcis
expect_rc "no subcommand" 2
st hash
expect_rc "hash without file" 2

summary
