#!/usr/bin/env bash
# The recall endpoints, black box, over a demo chain: POST /recalls (201,
# Location, the report), GET /recalls/{id} as JSON and as CSV (Accept or
# ?format), GET /recalls, POST /recalls/{id}/execute twice (the second
# captures nothing), problems for bad criteria and unknown reports, and
# the roles: admin and capture create and execute, query reads, partner
# neither.
#   usage: http_recall_test.sh path/to/serialtrack
BIN=${1:?usage: http_recall_test.sh path/to/serialtrack}
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http_lib.sh"

HTTP_DB=$TMP/recall.db
st demo --db "$HTTP_DB" --units 1500
expect_rc "demo" 0
GTIN=$(jq -r .component_gtin <<<"$out")
LOT=$(jq -r .component_lot_number <<<"$out")
LOT_UNITS=$(jq -r .component_lot_units <<<"$out")
for role in admin capture query partner; do
    party=()
    [ "$role" = partner ] && party=(--party urn:epc:id:pgln:9520123.00000)
    st keys create --db "$HTTP_DB" --name "k-$role" --role "$role" "${party[@]}"
    expect_rc "key $role" 0
    declare "KEY_$role=$(jq -r .key <<<"$out")"
done
http_start
A=(-H "Authorization: Bearer $KEY_admin")
CRIT="{\"component_lots\":[{\"gtin\":\"$GTIN\",\"lot\":\"$LOT\"}]}"

# ---- create -------------------------------------------------------------------------------------
http POST /recalls "${A[@]}" -H 'Content-Type: application/json' --data-binary "$CRIT"
expect_status "create" 201
ID=$(jq -r .id <<<"$out")
expect_contains "Location" "$hdrs" "Location: /recalls/$ID"
expect_jq "affected" .affected_units "$LOT_UNITS"
expect_jq "POST lists 100 units" '[(.units | length), .units_truncated]|@csv' '100,true'
expect_jq "scope tables" '[(.scope.locations | map(.affected) | add), (.scope.parties | map(.affected) | add)]|@csv' "$LOT_UNITS,$LOT_UNITS"
expect_jq "blanket by location adds up" '(.scope.locations | map(.blanket) | add) == .blanket_units' true

# ---- read: JSON, CSV, list ------------------------------------------------------------------------
http GET "/recalls/$ID" "${A[@]}"
expect_status "get" 200
expect_jq "all units" '.units | length' "$LOT_UNITS"
expect_jq "criteria kept" '.criteria.component_lots[0].lot' "$LOT"
http GET "/recalls/$ID?units=3" "${A[@]}"
expect_jq "units=3" '.units | length' 3
http GET "/recalls/$ID" "${A[@]}" -H 'Accept: text/csv'
expect_status "csv by Accept" 200
expect_contains "csv type" "$hdrs" "Content-Type: text/csv"
[ "$(head -1 <<<"$out" | tr -d '\r')" = "epc,key,status,location,container,holder" ] && ok || bad "CSV header [$(head -1 <<<"$out")]"
[ "$(wc -l <<<"$out")" = $((LOT_UNITS + 1)) ] && ok || bad "CSV lines: $(wc -l <<<"$out")"
grep -q $'\r$' <<<"$out" && ok || bad "CSV lines end in CRLF"
http GET "/recalls/$ID?format=csv" "${A[@]}"
expect_contains "csv by format" "$hdrs" "Content-Type: text/csv"
http GET "/recalls/$ID?format=xml" "${A[@]}"
expect_status "bad format" 400
http GET /recalls "${A[@]}"
expect_status "list" 200
expect_jq "list names it" "[.[].id] | index($ID) != null" true

# ---- execute, twice -----------------------------------------------------------------------------
http POST "/recalls/$ID/execute" "${A[@]}"
expect_status "execute" 200
expect_jq "execute captured" '[.events > 0, .units]|@csv' "true,$LOT_UNITS"
EVENTS=$(jq -r .events <<<"$out")
http POST "/recalls/$ID/execute" "${A[@]}"
expect_status "execute again" 200
expect_jq "execute again captures nothing" '[.events, .units]|@csv' '0,0'
http GET "/recalls/$ID?units=1" "${A[@]}"
expect_jq "report executed" '[.status, .executed_events, (.executed_at != null)]|@csv' "\"executed\",$EVENTS,true"
http GET "/events?EQ_disposition=recalled&perPage=1" "${A[@]}"
expect_status "recall events queryable" 200

# ---- problems ---------------------------------------------------------------------------------
for body in '' 'nope' '{}' '{"lots":[]}' '{"component_lots":[{"gtin":"123","lot":"A"}]}' \
    '{"components":["urn:epc:id:sgtin:bad"]}'; do
    http POST /recalls "${A[@]}" --data-binary "$body"
    expect_status "bad criteria [$body]" 400
    expect_contains "problem+json [$body]" "$hdrs" "application/problem+json"
done
http POST /recalls "${A[@]}" --data-binary '{"component_lots":[{"gtin":"123","lot":"A"}]}'
expect_jq "problem names the member" '.detail | contains("component_lots[0].gtin")' true
http GET /recalls/99999 "${A[@]}"
expect_status "unknown report" 404
http GET /recalls/abc "${A[@]}"
expect_status "no report id" 404
http POST /recalls/99999/execute "${A[@]}"
expect_status "execute unknown" 404
http GET /recalls "${A[@]}"
expect_jq "bad criteria stored nothing" 'length' 1

# ---- roles ------------------------------------------------------------------------------------
http POST /recalls -H "Authorization: Bearer $KEY_capture" --data-binary "$CRIT"
expect_status "capture creates" 201
ID2=$(jq -r .id <<<"$out")
http POST "/recalls/$ID2/execute" -H "Authorization: Bearer $KEY_capture"
expect_status "capture executes" 200
http POST /recalls -H "Authorization: Bearer $KEY_query" --data-binary "$CRIT"
expect_status "query may not create" 403
http POST "/recalls/$ID/execute" -H "Authorization: Bearer $KEY_query"
expect_status "query may not execute" 403
http GET "/recalls/$ID?units=1" -H "Authorization: Bearer $KEY_query"
expect_status "query reads" 200
http GET "/recalls/$ID" -H "Authorization: Bearer $KEY_partner"
expect_status "partner may not read" 403
http GET /recalls
expect_status "no key" 401

http_stop
st audit verify --db "$HTTP_DB"
expect_jq "chain verifies" .ok true
summary
