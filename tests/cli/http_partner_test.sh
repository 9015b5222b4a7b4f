#!/usr/bin/env bash
# Partner keys read only what concerns their party: events that name it (or
# one of its locations) as source or destination, events at its locations
# (its GLN, the GLN's extensions, and the locations below them in the
# master-data hierarchy), and items it owns, holds or has seen. Checked on
# every read path: /events, /events/{id}, the top-level resources, named
# queries, /items and the server's Digital Link paths, and the live stream.
#   usage: http_partner_test.sh path/to/serialtrack
BIN=${1:?usage: http_partner_test.sh path/to/serialtrack}
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http_lib.sh"

HTTP_DB=$TMP/partner.db
P1_GLN=0614141111114 # party 1: its site is 0614141.11111, with extension 7 and a child site
P2_GLN=0614141222223 # party 2: site 0614141.22222
P1_SITE=urn:epc:id:sgln:0614141.11111.0
P1_DOCK=urn:epc:id:sgln:0614141.11111.7
P1_CHILD=urn:epc:id:sgln:0614141.33333.0 # another GLN, under party 1's site in master data
P2_SITE=urn:epc:id:sgln:0614141.22222.0
U=urn:epc:id:sgtin:0614141.107346
UKEY=https://id.gs1.org/01/10614141073464/21

CTX='"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2024-01-01T00:00:00Z"'
# ev ID TIME EPC BIZSTEP WHERE [EXTRA]: one ObjectEvent; WHERE is "bizLocation SGLN" or
# "readPoint SGLN"
ev() {
    printf '{"type":"ObjectEvent","eventID":"urn:test:%s","eventTime":"2024-03-01T%s:00Z",' "$1" "$2"
    printf '"eventTimeZoneOffset":"+00:00","epcList":["%s"],"action":"OBSERVE","bizStep":"%s",' "$3" "$4"
    printf '"%s":{"id":"%s"}%s}' "${5% *}" "${5#* }" "${6:+,$6}"
}
{
    printf '{%s,"epcisHeader":{"epcisMasterData":{"vocabularyList":[{"type":' "$CTX"
    printf '"urn:epcglobal:epcis:vtype:BusinessLocation","vocabularyElementList":[{"id":"%s",' "$P1_SITE"
    printf '"children":["%s"]}]}]}},"epcisBody":{"eventList":[' "$P1_CHILD"
    ev e1 08:00 "$U.1" commissioning "bizLocation $P2_SITE"
    printf ,
    ev e2 09:00 "$U.1" shipping "bizLocation $P2_SITE" \
        '"destinationList":[{"type":"owning_party","destination":"urn:epc:id:pgln:0614141.11111"}]'
    printf ,
    ev e3 10:00 "$U.1" receiving "readPoint $P1_DOCK"
    printf ,
    ev e4 11:00 "$U.1" storing "bizLocation $P1_CHILD"
    printf ,
    ev e5 12:00 "$U.2" storing "bizLocation $P2_SITE"
    printf ,
    ev e6 13:00 "$U.3" shipping "bizLocation $P2_SITE" \
        "\"sourceList\":[{\"type\":\"location\",\"source\":\"$P1_SITE\"}]"
    printf ']}}\n'
} >"$TMP/chain.jsonld"
st capture --db "$HTTP_DB" "$TMP/chain.jsonld"
expect_rc "capture the chain" 0

# ---- keys: the party is checked when the key is made ----------------------------------------
st keys create --db "$HTTP_DB" --name admin --role admin
ADMIN=$(jq -r .key <<<"$out")
st keys create --db "$HTTP_DB" --name p1 --role partner --party "$P1_GLN"
expect_rc "a partner key for a bare GLN" 0
P1=$(jq -r .key <<<"$out")
st keys create --db "$HTTP_DB" --name p2 --role partner --party urn:epc:id:pgln:0614141.22222
expect_rc "a partner key for a PGLN URI" 0
P2=$(jq -r .key <<<"$out")
st keys create --db "$HTTP_DB" --name p3 --role partner --party "(417)0614141111115"
expect_rc "a partner key with a wrong check digit" 1
expect_contains "the party's fault is named" "$err" "check digit"
st keys create --db "$HTTP_DB" --name p4 --role partner --party not-a-party
expect_rc "a partner key for no identifier" 1
expect_contains "the party must be an identifier" "$err" "party"

http_start

# ids KEY PATH: the eventIDs a GET answers, space-separated, in order
ids() {
    http GET "$2" -H "Authorization: Bearer $1"
    jq -r '[.epcisBody.queryResults.resultsBody.eventList[].eventID] | join(" ")' <<<"$out"
}

# ---- /events -------------------------------------------------------------------------------
got=$(ids "$ADMIN" "/events?orderBy=eventTime&orderDirection=ASC")
[ "$got" = "urn:test:e1 urn:test:e2 urn:test:e3 urn:test:e4 urn:test:e5 urn:test:e6" ] && ok ||
    bad "admin sees every event, got [$got]"
got=$(ids "$P1" "/events?orderBy=eventTime&orderDirection=ASC")
[ "$got" = "urn:test:e2 urn:test:e3 urn:test:e4 urn:test:e6" ] && ok ||
    bad "party 1: destination, its dock, the site below it, its site as source; got [$got]"
got=$(ids "$P2" "/events?orderBy=eventTime&orderDirection=ASC")
[ "$got" = "urn:test:e1 urn:test:e2 urn:test:e5 urn:test:e6" ] && ok ||
    bad "party 2: the events at its site; got [$got]"
got=$(ids "$P1" "/events?EQ_bizStep=shipping&orderBy=eventTime&orderDirection=ASC")
[ "$got" = "urn:test:e2 urn:test:e6" ] && ok || bad "party 1 with a filter, got [$got]"
got=$(ids "$P1" "/events?perPage=1&orderBy=eventTime&orderDirection=ASC")
[ "$got" = "urn:test:e2" ] && ok || bad "party 1, first page of one, got [$got]"
next=$(tr -d '\r' <"$TMP/hdrs" | grep -i '^link:' | sed 's/.*<\([^>]*\)>.*/\1/') # ids ran in a subshell
got=$(ids "$P1" "${next#"$BASE"}")
[ "$got" = "urn:test:e3" ] && ok || bad "party 1, second page, got [$got] from [$next]"

# ---- /events/{id} ----------------------------------------------------------------------------
http GET /events/urn:test:e1 -H "Authorization: Bearer $P1"
expect_status "another party's event is not found" 404
http GET /events/urn:test:e1 -H "Authorization: Bearer $P2"
expect_status "the party's own event" 200
http GET /events/urn:test:e4 -H "Authorization: Bearer $P1"
expect_status "an event at a site below the party's" 200

# ---- top-level resources ---------------------------------------------------------------------
http GET /bizLocations -H "Authorization: Bearer $P1"
expect_status "bizLocations" 200
expect_jq "party 1 lists only its locations" '.member | join(" ")' "https://id.gs1.org/414/0614141333332"
http GET /readPoints -H "Authorization: Bearer $P1"
expect_jq "party 1's read points" '.member | join(" ")' "https://id.gs1.org/414/0614141111114/254/7"
http GET /bizLocations -H "Authorization: Bearer $ADMIN"
expect_jq "admin lists every location" '.member | length' 2
http GET /epcs -H "Authorization: Bearer $P1"
expect_status "a partner cannot list every identifier" 403
expect_contains "the reason" "$out" "partner key cannot list"
got=$(ids "$P1" "/epcs/$U.2/events")
[ "$got" = "" ] && ok || bad "party 1: unit 2's events are not its own, got [$got]"
got=$(ids "$P1" "/bizSteps/storing/events")
[ "$got" = "urn:test:e4" ] && ok || bad "party 1: storing events, got [$got]"

# ---- named queries ---------------------------------------------------------------------------
http POST /queries -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
    -d '{"name":"shipped","query":{"EQ_bizStep":"shipping"}}'
expect_status "a named query" 201
got=$(ids "$P2" "/queries/shipped/events")
[ "$got" = "urn:test:e2 urn:test:e6" ] || [ "$got" = "urn:test:e6 urn:test:e2" ] && ok ||
    bad "party 2 through a named query, got [$got]"
got=$(ids "$P1" "/queries/shipped/events?EQ_readPoint=$P1_DOCK")
[ "$got" = "" ] && ok || bad "party 1, named query narrowed, got [$got]"

# ---- items -----------------------------------------------------------------------------------
http GET "/items/$UKEY/1" -H "Authorization: Bearer $P1"
expect_status "a unit the party owns" 200
http GET "/items/$UKEY/1/history" -H "Authorization: Bearer $P1"
expect_jq "its history: only the party's events" '[.history[].eventID] | join(" ")' \
    "urn:test:e2 urn:test:e3 urn:test:e4"
http GET "/items/$UKEY/1/history" -H "Authorization: Bearer $ADMIN"
expect_jq "admin: the whole history" '.history | length' 4
http GET "/items/$UKEY/2" -H "Authorization: Bearer $P1"
expect_status "a unit the party never saw is not found" 404
http GET "/items/$UKEY/2" -H "Authorization: Bearer $P2"
expect_status "the unit at party 2's site" 200
http GET "/items/$UKEY/3/history" -H "Authorization: Bearer $P1"
expect_status "a unit shipped from the party's site" 200
expect_jq "its history: the shipment" '[.history[].eventID] | join(" ")' "urn:test:e6"
http GET "/01/10614141073464/21/2" -H "Authorization: Bearer $P1"
expect_status "the Digital Link path is scoped too" 404

# ---- the live stream --------------------------------------------------------------------------
curl -s -N --max-time 20 -H "Authorization: Bearer $P1" -o "$TMP/s1" "$BASE/stream" &
SUB=$!
for _ in $(seq 1 100); do grep -q '^retry:' "$TMP/s1" 2>/dev/null && break; sleep 0.05; done
{
    printf '{%s,"epcisBody":{"eventList":[' "$CTX"
    ev e7 14:00 "$U.4" storing "bizLocation $P2_SITE"
    printf ,
    ev e8 15:00 "$U.5" receiving "bizLocation $P1_SITE"
    printf ']}}\n'
} >"$TMP/live.jsonld"
http POST /capture -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/ld+json' \
    --data-binary @"$TMP/live.jsonld"
expect_status "capture while streaming" 202
for _ in $(seq 1 100); do grep -q 'urn:test:e8' "$TMP/s1" 2>/dev/null && break; sleep 0.05; done
got=$(grep '^data: ' "$TMP/s1" | sed 's/^data: //' | jq -r .eventID | tr '\n' ' ')
[ "$got" = "urn:test:e8 " ] && ok || bad "party 1's stream carries only its event, got [$got]"
kill "$SUB" 2>/dev/null
wait "$SUB" 2>/dev/null

http_stop
summary
