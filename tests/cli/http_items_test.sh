#!/usr/bin/env bash
# The item endpoints over a demo supply chain: GET /items/{id} (state,
# container chain, contents), /history (time order, containers' events,
# ?limit), /genealogy (?direction, ?depth), the same through the server's
# own Digital Link paths (/01/{gtin}/21/{serial}, /00/{sscc}), one answer
# for every form of an identifier, and RFC 7807 problems for bad input.
#   usage: http_items_test.sh path/to/serialtrack
BIN=${1:?usage: http_items_test.sh path/to/serialtrack}
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http_lib.sh"

HTTP_DB=$TMP/items.db
st demo --db "$HTTP_DB" --units 200
expect_rc "demo" 0
demo=$out
UNIT=$(jq -r .unit <<<"$demo")
CASE=$(jq -r .case <<<"$demo")
PALLET=$(jq -r .pallet <<<"$demo")
LOT=$(jq -r .component_lot <<<"$demo")
LOT_UNITS=$(jq -r .component_lot_units <<<"$demo")

# Beside the demo (whose cases are all unpacked by the end): a case that
# still holds two units, and a two-level transformation 2001 -> 2002 -> 2003.
U=urn:epc:id:sgtin:0614141.107346 # GTIN 10614141073464
UKEY=https://id.gs1.org/01/10614141073464/21
BOX=urn:epc:id:sscc:0614141.5555555555
CTX='"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2024-01-01T00:00:00Z"'
TZ='"eventTimeZoneOffset":"+00:00"'
cat >"$TMP/extra.jsonld" <<EOF
{$CTX,"epcisBody":{"eventList":[
 {"type":"ObjectEvent","eventTime":"2024-03-01T08:00:00Z",$TZ,"epcList":["$U.1001","$U.1002","$U.2001"],
  "action":"ADD","bizStep":"commissioning","disposition":"active"},
 {"type":"AggregationEvent","eventTime":"2024-03-01T09:00:00Z",$TZ,"parentID":"$BOX",
  "childEPCs":["$U.1001","$U.1002"],"action":"ADD","bizStep":"packing"},
 {"type":"TransformationEvent","eventTime":"2024-03-01T10:00:00Z",$TZ,
  "inputEPCList":["$U.2001"],"outputEPCList":["$U.2002"]},
 {"type":"TransformationEvent","eventTime":"2024-03-01T11:00:00Z",$TZ,
  "inputEPCList":["$U.2002"],"outputEPCList":["$U.2003"]}]}}
EOF
st capture --db "$HTTP_DB" "$TMP/extra.jsonld"
expect_rc "capture extra" 0

uri() { jq -rn --arg v "$1" '$v|@uri'; }
st id parse --gcp-len 7 "$UNIT"
KEY=$(jq -r .key <<<"$out")
HRI=$(jq -r .hri <<<"$out")
GTIN=$(jq -r '.ais[] | select(.ai == "01") | .value' <<<"$out")
SERIAL=$(jq -r '.ais[] | select(.ai == "21") | .value' <<<"$out")
st id encode --scheme sgtin-198 --filter 3 --gcp-len 7 "$HRI"
HEX=$out
st id parse "$CASE"
CASE_KEY=$(jq -r .key <<<"$out")
CASE_SSCC=$(jq -r '.ais[0].value' <<<"$out")
st id parse "$LOT"
LOT_GTIN=$(jq -r '.ais[] | select(.ai == "01") | .value' <<<"$out")

http_start

# ---- one unit, every form of its identifier, one answer ----------------------------
http GET "/items/$(uri "$UNIT")"
expect_status "by EPC URI" 200
expect_contains "JSON" "$hdrs" "Content-Type: application/json"
expect_jq "members" 'keys | join(",")' "children,container,key,state"
expect_jq "canonical key" .key "$KEY"
expect_jq "state is an object" '.state | type' object
expect_jq "sold unit: no container" '.container | length' 0
by_epc=$out
for form in "$KEY" "$HRI" "$HEX" "https://brand.example.com/01/$GTIN/21/$SERIAL?17=290101"; do
    http GET "/items/$(uri "$form")"
    expect_status "by $form" 200
    if [ "$out" = "$by_epc" ]; then ok; else bad "by $form: body differs: [$out] vs [$by_epc]"; fi
done
http GET "/01/$GTIN/21/$SERIAL"
expect_status "Digital Link path" 200
if [ "$out" = "$by_epc" ]; then ok; else bad "Digital Link path: body differs: [$out]"; fi
http GET "/01/$GTIN/21/$SERIAL?17=290101&linkType=all"
expect_status "Digital Link path with query attributes" 200
if [ "$out" = "$by_epc" ]; then ok; else bad "Digital Link path with query: body differs: [$out]"; fi

# ---- containers and contents ------------------------------------------------------------
http GET "/items/$(uri "$CASE")"
expect_status "demo case" 200
expect_jq "demo case key" .key "$CASE_KEY"
expect_jq "demo case: unpacked, no children" '.children | length' 0
by_case=$out
http GET "/00/$CASE_SSCC"
expect_status "case by /00 path" 200
if [ "$out" = "$by_case" ]; then ok; else bad "case by /00 path: body differs: [$out]"; fi

http GET "/items/$(uri "$BOX")"
expect_status "open case" 200
expect_jq "open case children" '[.children[].key] | join(" ")' "$UKEY/1001 $UKEY/1002"
BOX_KEY=$(jq -r .key <<<"$out")
http GET "/items/$(uri "$U.1001")"
expect_status "packed unit" 200
expect_jq "packed unit's container" '.container | join(" ")' "$BOX_KEY"

# ---- history ----------------------------------------------------------------------------
# eventTime (with its offset) as milliseconds since 1970
MS='def ms: capture("^(?<d>[0-9-]+T[0-9:]+)(?<f>[.][0-9]+)?(?<z>Z|[+-][0-9][0-9]:[0-9][0-9])$") as $c
  | ($c.d + "Z" | fromdateiso8601) * 1000 + ("0" + ($c.f // ".0") | tonumber * 1000 | round)
  - (if $c.z == "Z" then 0 else (if $c.z[0:1] == "-" then -1 else 1 end)
     * (($c.z[1:3] | tonumber) * 60 + ($c.z[4:6] | tonumber)) * 60000 end);'
http GET "/items/$(uri "$UNIT")/history"
expect_status "history" 200
expect_jq "history members" 'keys | join(",")' "history,key"
expect_jq "history key" .key "$KEY"
expect_jq "history is long" '.history | length > 5' true
expect_jq "history in eventTime order" "$MS"' [.history[].eventTime | ms] | . == sort' true
expect_jq "history starts with commissioning" '.history[0].bizStep' commissioning
expect_jq "the pallet's shipping is in it" \
    "[.history[] | select(.bizStep == \"shipping\" and ((.epcList // []) | index(\"$PALLET\")))] | length > 0" true
full=$out
http GET "/items/$(uri "$UNIT")/history?limit=3"
expect_status "history limit" 200
expect_jq "limit: three events" '.history | length' 3
expect_jq "limit: flagged" .history_truncated true
got=$(jq -c .history <<<"$out")
want=$(jq -c '.history[0:3]' <<<"$full")
if [ "$got" = "$want" ]; then ok; else bad "limit: not the first three events: [$got] vs [$want]"; fi
http GET "/items/$(uri "$UNIT")/history?limit=10000"
expect_status "history limit at the cap" 200
if [ "$out" = "$full" ]; then ok; else bad "limit at the cap: body differs"; fi
http GET "/01/$GTIN/21/$SERIAL/history"
expect_status "history by Digital Link path" 200
if [ "$out" = "$full" ]; then ok; else bad "history by Digital Link path: body differs"; fi

# ---- genealogy ---------------------------------------------------------------------------
http GET "/items/$(uri "$UNIT")/genealogy?direction=up"
expect_status "genealogy up" 200
expect_jq "genealogy members" 'keys | join(",")' "genealogy,key"
expect_jq "up only" '.genealogy | keys | join(",")' up
expect_jq "up lists cells" \
    "[.genealogy.up[].key | select(startswith(\"https://id.gs1.org/01/$LOT_GTIN/21/\"))] | length > 0" true
http GET "/items/$(uri "$LOT")/genealogy?direction=down"
expect_status "genealogy down from a lot" 200
expect_jq "down only" '.genealogy | keys | join(",")' down
# the demo assembles two levels: cells into packs (depth 1), packs into units (depth 2)
expect_jq "down lists the lot's packs" '[.genealogy.down[] | select(.depth == 1)] | length' "$LOT_UNITS"
expect_jq "down lists the lot's units" '[.genealogy.down[] | select(.depth == 2)] | length' "$LOT_UNITS"
expect_jq "down includes the unit" "[.genealogy.down[].key] | index(\"$KEY\") != null" true
http GET "/items/$(uri "$UNIT")/genealogy"
expect_status "genealogy both ways" 200
expect_jq "both directions" '.genealogy | keys | join(",")' down,up

http GET "/items/$(uri "$U.2003")/genealogy?direction=up"
expect_status "two levels up" 200
expect_jq "two levels" '[.genealogy.up[] | "\(.key)@\(.depth)"] | join(" ")' "$UKEY/2002@1 $UKEY/2001@2"
http GET "/items/$(uri "$U.2003")/genealogy?direction=up&depth=1"
expect_status "depth=1" 200
expect_jq "depth=1 stops after one level" '[.genealogy.up[] | "\(.key)@\(.depth)"] | join(" ")' "$UKEY/2002@1"
http GET "/items/$(uri "$U.2001")/genealogy?direction=down&depth=2"
expect_status "down depth=2" 200
expect_jq "down two levels" '[.genealogy.down[] | "\(.key)@\(.depth)"] | join(" ")' "$UKEY/2002@1 $UKEY/2003@2"

# ---- problems ------------------------------------------------------------------------------
http GET "/items/$(uri 'hello world')"
expect_status "garbage" 400
expect_contains "problem+json" "$hdrs" "Content-Type: application/problem+json"
expect_jq "garbage field" .field id
expect_jq "garbage reason" '.detail | startswith("not an identifier")' true
http GET "/items/$(uri '(01)80614141123457(21)6789')"
expect_status "bad check digit" 400
expect_jq "check digit reason" '.detail | contains("check digit is 7, expected 8")' true
http GET "/items/$(uri 'hello world')/history"
expect_status "garbage with a suffix" 400
http GET "/items/$(uri '(01)80614141123458(21)NOSUCH')"
expect_status "unknown" 404
expect_jq "unknown names the key" '.detail | contains("https://id.gs1.org/01/80614141123458/21/NOSUCH")' true
http GET "/01/80614141123458/21/NOSUCH/history"
expect_status "unknown by Digital Link path" 404
http GET "/01/80614141123457/21/6789"
expect_status "bad Digital Link path" 400
expect_jq "bad Digital Link path reason" '.detail | contains("check digit is 7, expected 8")' true
for bad in 0 -1 abc 10001 3x 99999999999999999999 '' +3; do
    http GET "/items/$(uri "$UNIT")/history?limit=$bad"
    expect_status "limit=$bad" 400
    expect_jq "limit=$bad field" .field limit
done
http GET "/items/$(uri "$UNIT")/history?limit=20000"
expect_jq "limit over the cap" .detail "limit is 20000; at most 10000 is allowed"
http GET "/items/$(uri "$UNIT")/history?limit=x1"
expect_jq "limit not a number" .detail 'limit: "x1" is not a whole number from 1 to 10000'
for bad in 0 -2 x 1000001 ''; do
    http GET "/items/$(uri "$UNIT")/genealogy?depth=$bad"
    expect_status "depth=$bad" 400
    expect_jq "depth=$bad field" .field depth
done
http GET "/items/$(uri "$UNIT")/genealogy?direction=sideways"
expect_status "bad direction" 400
expect_jq "direction field" .field direction
expect_jq "direction detail" .detail 'direction: "sideways" is neither up nor down'
http POST "/items/$(uri "$UNIT")"
expect_status "POST is not allowed" 405

http_stop
expect_rc_value() { if [ "$1" = "$2" ]; then ok; else bad "$3: $1, expected $2"; fi; }
expect_rc_value "$stop_rc" 0 "clean exit on SIGTERM"
summary
