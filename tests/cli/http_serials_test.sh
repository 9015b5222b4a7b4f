#!/usr/bin/env bash
# Serial allocation and bulk commissioning over HTTP, black box: POST
# /serials (ranges follow each other, Digital Links and EPC URIs on
# request), GET /serials/allocations, POST /items/commission (allocated or
# given serials; GET /items/{id} of a unit shows its lot and expiry), the
# role matrix of the three routes, bad input answered 4xx with the member
# and the reason and nothing allocated or stored, and a restart of the
# server that does not repeat a serial.
#   usage: http_serials_test.sh path/to/serialtrack
BIN=${1:?usage: http_serials_test.sh path/to/serialtrack}
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http_lib.sh"

HTTP_DB=$TMP/serials.db
GTIN=09520123456788
GTIN2=04006381333931
RP=urn:epc:id:sgln:9520123.00001.0

for role in admin capture query partner; do
    party=()
    [ "$role" = partner ] && party=(--party urn:epc:id:pgln:9520123.00000)
    st keys create --db "$HTTP_DB" --name "k-$role" --role "$role" "${party[@]}"
    expect_rc "keys create $role" 0
    declare "KEY_$role=$(jq -r .key <<<"$out")"
done
CAP=(-H "Authorization: Bearer $KEY_capture")
ADM=(-H "Authorization: Bearer $KEY_admin")
JSON=(-H 'Content-Type: application/json')

http_start

# post PATH BODY [curl args...]: POST a JSON body as the capture key.
post() {
    local path=$1 body=$2
    shift 2
    http POST "$path" "${CAP[@]}" "${JSON[@]}" --data-binary "$body" "$@"
}

# ---- POST /serials ------------------------------------------------------------------------
post /serials "{\"gtin\":\"$GTIN\",\"count\":3,\"scheme\":\"sequential\",\"prefix\":\"SN\",\"width\":6}"
expect_status "allocate 3" 201
expect_jq "serials" '.serials|join(",")' "SN000000,SN000001,SN000002"
expect_jq "allocation record" '[.allocation.gtin, .allocation.scheme, .allocation.first, .allocation.count, .allocation.by]|@csv' \
    "\"$GTIN\",\"sequential\",0,3,\"k-capture\""
expect_contains "Location" "$hdrs" "Location: /serials/allocations?gtin=$GTIN"
post /serials "{\"gtin\":\"$GTIN\",\"count\":2,\"scheme\":\"sequential\",\"prefix\":\"SN\",\"width\":6,\"format\":\"digital_link\"}"
expect_status "allocate 2 more" 201
expect_jq "the next range" '.serials|join(",")' "SN000003,SN000004"
expect_jq "as Digital Links" '.digital_links[1]' "https://id.gs1.org/01/$GTIN/21/SN000004"
http POST /serials "${ADM[@]}" "${JSON[@]}" --data-binary "{\"gtin\":\"$GTIN\",\"count\":1,\"scheme\":\"sequential\",\"prefix\":\"SN\",\"width\":6,\"format\":\"epc_uri\",\"gcp_len\":7}"
expect_status "allocate as admin" 201
expect_jq "as EPC URI" '.epc_uris[0]' "urn:epc:id:sgtin:9520123.045678.SN000005"
expect_jq "admin recorded" '.allocation.by' "k-admin"

# random (the default scheme): distinct, 12 characters
post /serials "{\"gtin\":\"$GTIN2\",\"count\":500}"
expect_status "allocate random" 201
expect_jq "random scheme" '.allocation.scheme' random
expect_jq "random distinct" '.serials|unique|length' 500
expect_jq "random form" '[.serials[]|test("^[0-9A-Z]{12}$")]|all' true
printf '%s' "$out" | jq -r '.serials[]' >"$TMP/issued.txt"

http GET "/serials/allocations?gtin=$GTIN" "${CAP[@]}"
expect_status "allocations" 200
expect_jq "allocations newest first" '[.allocations[]|.first]|join(",")' "5,3,0"
expect_jq "allocation who" '[.allocations[]|.by]|join(",")' "k-admin,k-capture,k-capture"
http GET "/serials/allocations?limit=0" "${CAP[@]}"
expect_status "allocations bad limit" 400

# ---- bad input: 4xx with the member and the reason, nothing allocated -------------------------
bad_post() { # NAME STATUS FIELD FRAGMENT PATH BODY
    post "$5" "$6"
    expect_status "$1" "$2"
    [ -z "$3" ] || expect_jq "$1: field" '.field' "$3"
    expect_contains "$1: detail" "$out" "$4"
    expect_jq "$1: problem+json" '.type' about:blank
}
bad_post "check digit" 400 gtin "check digit is 9, expected 8" /serials '{"gtin":"09520123456789","count":1}'
bad_post "GTIN length" 400 gtin "8, 12, 13 or 14" /serials '{"gtin":"12345","count":1}'
bad_post "count 0" 400 count "count is 0; it must be 1 to 100000" /serials "{\"gtin\":\"$GTIN\",\"count\":0}"
bad_post "count over the cap" 400 count "it must be 1 to 100000" /serials "{\"gtin\":\"$GTIN\",\"count\":100001}"
bad_post "no count" 400 count "count is required" /serials "{\"gtin\":\"$GTIN\"}"
bad_post "count as text" 400 count "count must be a whole number" /serials "{\"gtin\":\"$GTIN\",\"count\":\"3\"}"
bad_post "unknown scheme" 400 scheme "scheme must be sequential, template or random" /serials "{\"gtin\":\"$GTIN\",\"count\":1,\"scheme\":\"uuid\"}"
bad_post "unknown member" 400 key 'unknown member' /serials "{\"gtin\":\"$GTIN\",\"count\":1,\"key\":\"00\"}"
bad_post "another series" 400 gtin "already takes its serials from series" /serials "{\"gtin\":\"$GTIN\",\"count\":1,\"scheme\":\"random\"}"
bad_post "prefix outside CSET 82" 400 "" "is not in CSET 82" /serials "{\"gtin\":\"$GTIN\",\"count\":1,\"scheme\":\"sequential\",\"prefix\":\"S N\"}"
bad_post "template without SEQ" 400 "" "SEQ" /serials "{\"gtin\":\"$GTIN\",\"count\":1,\"scheme\":\"template\",\"template\":\"{RAND:8}\"}"
bad_post "more than the series holds" 409 "" "more than the 10 serials this series can make" /serials '{"gtin":"04012345000016","count":11,"scheme":"sequential","width":1}'
post /serials '{"gtin":"04012345000016","count":6,"scheme":"sequential","width":1}'
expect_status "6 of 10" 201
bad_post "exhausted" 409 gtin "5 serials asked, 4 of 10 left in its series; nothing was allocated" /serials '{"gtin":"04012345000016","count":5,"scheme":"sequential","width":1}'
post /serials '{"gtin":"04012345000016","count":4,"scheme":"sequential","width":1}'
expect_jq "the last 4 of 10" '.serials|join(",")' "6,7,8,9"
bad_post "epc_uri without gcp_len" 400 gcp_len "needs gcp_len" /serials "{\"gtin\":\"$GTIN\",\"count\":1,\"format\":\"epc_uri\"}"
bad_post "not JSON" 400 "" "the body is not JSON" /serials '{"gtin":'
http GET "/serials/allocations?gtin=$GTIN" "${CAP[@]}"
expect_jq "no allocation from refused requests" '.allocations|length' 3

# ---- POST /items/commission ------------------------------------------------------------------
post /items/commission "{\"gtin\":\"$GTIN\",\"count\":1500,\"scheme\":\"sequential\",\"prefix\":\"SN\",\"width\":6,\"lot\":\"LOT-7\",\"expiry\":\"2027-05-31\",\"read_point\":\"$RP\",\"biz_location\":\"9520123000011\",\"event_time\":\"2026-03-01T08:00:00+01:00\"}"
expect_status "commission 1500" 201
expect_jq "commission capture" '[.units, .capture.events, .capture.stored, .capture.duplicates]|@csv' "1500,1,1,0"
expect_jq "commission allocation" '[.allocation.first, .allocation.count]|@csv' "6,1500"
expect_jq "commission truncated" '[.epcs_truncated, (.epcs|length)]|@csv' "true,0"
expect_jq "commission first" '.first_epc' "https://id.gs1.org/01/$GTIN/21/SN000006"
expect_jq "commission last" '.last_epc' "https://id.gs1.org/01/$GTIN/21/SN001505"
EVENTS=$(jq -r .events <<<"$out")
http GET "/items/$(jq -rn --arg v "https://id.gs1.org/01/$GTIN/21/SN000100" '$v|@uri')" "${CAP[@]}"
expect_status "commissioned item" 403 # a capture key does not read
http GET "/01/$GTIN/21/SN000100" -H "Authorization: Bearer $KEY_query"
expect_status "commissioned item" 200
expect_jq "item lot and expiry" '[.state.lot, .state.expiry, .state.status]|@csv' \
    "\"https://id.gs1.org/01/$GTIN/10/LOT-7\",\"2027-05-31\",\"active\""
expect_jq "item read point" '.state.read_point' "https://id.gs1.org/414/9520123000011"
http GET "$EVENTS" -H "Authorization: Bearer $KEY_query"
expect_status "the capture's events" 200
expect_jq "the capture's event" '[.epcisBody.queryResults.resultsBody.eventList[0].bizStep, (.epcisBody.queryResults.resultsBody.eventList[0].epcList|length)]|@csv' \
    '"commissioning",1500'

# given serials, EPC URIs, every EPC listed
post /items/commission "{\"gtin\":\"$GTIN2\",\"serials\":[\"A/1\",\"B&2\"],\"gcp_len\":7,\"read_point\":\"$RP\",\"lot\":\"L2\"}"
expect_status "commission given serials" 201
expect_jq "given: no allocation" '.allocation' null
expect_jq "given: EPC URIs escaped" '.epcs|join(" ")' "urn:epc:id:sgtin:4006381.033393.A%2F1 urn:epc:id:sgtin:4006381.033393.B%262"
http GET "/items/$(jq -rn --arg v 'urn:epc:id:sgtin:4006381.033393.A%2F1' '$v|@uri')" -H "Authorization: Bearer $KEY_query"
expect_jq "given: item lot" '.state.lot' "https://id.gs1.org/01/$GTIN2/10/L2"

# bad commissioning input: 4xx, and nothing allocated or stored
st db info --db "$HTTP_DB"
EVENTS_BEFORE=$(jq -r .events <<<"$out")
bad_post "commission bad expiry" 400 expiry "2027-02-30 is not a day of the calendar" /items/commission \
    "{\"gtin\":\"$GTIN\",\"count\":5,\"scheme\":\"sequential\",\"prefix\":\"SN\",\"width\":6,\"expiry\":\"2027-02-30\",\"read_point\":\"$RP\"}"
bad_post "commission long lot" 400 lot "AI (10) holds 1 to 20" /items/commission \
    "{\"gtin\":\"$GTIN\",\"count\":5,\"scheme\":\"sequential\",\"prefix\":\"SN\",\"width\":6,\"lot\":\"ABCDEFGHIJKLMNOPQRSTU\",\"read_point\":\"$RP\"}"
bad_post "commission no read point" 400 "" "read_point is required" /items/commission \
    "{\"gtin\":\"$GTIN\",\"count\":5,\"scheme\":\"sequential\",\"prefix\":\"SN\",\"width\":6}"
bad_post "commission count and serials" 400 count "not both" /items/commission \
    "{\"gtin\":\"$GTIN\",\"count\":5,\"serials\":[\"X\"],\"read_point\":\"$RP\"}"
bad_post "commission neither" 400 count "not neither" /items/commission "{\"gtin\":\"$GTIN\",\"read_point\":\"$RP\"}"
bad_post "commission duplicate serial" 400 serials 'is given twice' /items/commission \
    "{\"gtin\":\"$GTIN2\",\"serials\":[\"X\",\"Y\",\"X\"],\"read_point\":\"$RP\"}"
bad_post "commission serial too long" 400 serials "AI (21) holds 1 to 20" /items/commission \
    "{\"gtin\":\"$GTIN2\",\"serials\":[\"123456789012345678901\"],\"read_point\":\"$RP\"}"
bad_post "commission over the cap" 400 count "it must be 1 to 100000" /items/commission \
    "{\"gtin\":\"$GTIN\",\"count\":100001,\"read_point\":\"$RP\"}"
bad_post "commission no time zone" 400 "" "needs a time zone" /items/commission \
    "{\"gtin\":\"$GTIN2\",\"serials\":[\"Z\"],\"read_point\":\"$RP\",\"event_time\":\"2026-03-01T08:00:00\"}"
post /items/commission "{\"gtin\":\"$GTIN\",\"count\":5,\"scheme\":\"sequential\",\"prefix\":\"SN\",\"width\":6,\"read_point\":\"urn:epc:id:sgln:bad\"}"
expect_status "commission invalid read point" 400
expect_jq "invalid read point: the validator's error" '.errors[0].path' "/epcisBody/eventList/0/readPoint/id"
expect_contains "invalid read point: nothing allocated" "$out" "nothing was allocated"
http GET "/serials/allocations?gtin=$GTIN" "${CAP[@]}"
expect_jq "no allocation from refused commissionings" '.allocations[0].first' 6
st db info --db "$HTTP_DB"
expect_jq "nothing stored by refused commissionings" '.events' "$EVENTS_BEFORE"

# ---- roles: admin and capture may, query and partner may not, no key is 401 --------------------
for route in "POST /serials" "GET /serials/allocations" "POST /items/commission"; do
    set -- $route
    for role in query partner; do
        k=KEY_$role
        http "$1" "$2" -H "Authorization: Bearer ${!k}" "${JSON[@]}" --data-binary '{}'
        expect_status "$route as $role" 403
        expect_contains "$route as $role: names the role" "$out" "has role $role"
    done
    http "$1" "$2" "${JSON[@]}" --data-binary '{}'
    expect_status "$route without a key" 401
    http "$1" "$2" "${ADM[@]}" "${JSON[@]}" --data-binary '{}'
    [ "$status" != 401 ] && [ "$status" != 403 ] && ok || bad "$route as admin: $status"
done

# ---- a restart does not repeat a serial ------------------------------------------------------------
http_stop
[ "$stop_rc" -eq 0 ] && ok || bad "server exit $stop_rc"
http_start
post /serials "{\"gtin\":\"$GTIN2\",\"count\":500}"
expect_status "allocate after restart" 201
expect_jq "after restart: continues the counter" '.allocation.first' 500
printf '%s' "$out" | jq -r '.serials[]' >>"$TMP/issued.txt"
[ "$(sort "$TMP/issued.txt" | uniq -d | wc -l)" -eq 0 ] && [ "$(wc -l <"$TMP/issued.txt")" -eq 1000 ] &&
    ok || bad "random serials repeated across the restart"
post /serials "{\"gtin\":\"$GTIN\",\"count\":1,\"scheme\":\"sequential\",\"prefix\":\"SN\",\"width\":6}"
expect_jq "after restart: sequential continues" '.serials[0]' SN001506
http_stop

summary
