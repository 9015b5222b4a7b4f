#!/usr/bin/env bash
# Anomalies, the public verify check and stolen/lost reports over HTTP, on
# the real server: GET /anomalies (filters, pages, problems), GET
# /verify/{id} without a key in every identifier form (nothing private in
# the body; 429 with Retry-After over the per-client limit), POST
# /items/{id}/report (stolen, lost, bad bodies), and a capture refused by a
# rule in reject mode (409 naming the rule).
#   usage: http_anomalies_test.sh path/to/serialtrack
BIN=${1:?usage: http_anomalies_test.sh path/to/serialtrack}
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http_lib.sh"
need_tools jq curl

HTTP_DB=$TMP/anom.db
st demo --db "$HTTP_DB" --units 200 --anomalies 0
expect_rc "demo" 0
UNIT=$(jq -r .unit <<<"$out")
st keys create --db "$HTTP_DB" --name admin --role admin
ADMIN=$(jq -r .key <<<"$out")
st keys create --db "$HTTP_DB" --name cap --role capture
CAP=$(jq -r .key <<<"$out")
st keys create --db "$HTTP_DB" --name partner --role partner --party urn:epc:id:pgln:0614141.00000
PARTNER=$(jq -r .key <<<"$out")
st keys create --db "$HTTP_DB" --name site --role partner --party urn:epc:id:pgln:0614141.00001
SITE=$(jq -r .key <<<"$out") # the party whose site the anomalies below happen at

U=urn:epc:id:sgtin:0614141.107346 # GTIN 10614141073464
UKEY=https://id.gs1.org/01/10614141073464/21
CTX='"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2024-01-01T00:00:00Z"'
TZ='"eventTimeZoneOffset":"+00:00"'
cat >"$TMP/c.jsonld" <<EOF
{$CTX,"epcisBody":{"eventList":[
 {"type":"ObjectEvent","eventTime":"2024-03-01T08:00:00Z",$TZ,"epcList":["$U.1","$U.2","$U.3"],
  "action":"ADD","bizStep":"commissioning","disposition":"active",
  "ilmd":{"cbvmda:lotNumber":"L1","cbvmda:itemExpirationDate":"2099-12-31"}}]}}
EOF
st capture --db "$HTTP_DB" "$TMP/c.jsonld"
expect_jq "commissioning" .stored 1
# three unknown serials, one event each, for paging
for i in 7 8 9; do
    cat >"$TMP/u$i.jsonld" <<EOF
{$CTX,"epcisBody":{"eventList":[
 {"type":"ObjectEvent","eventTime":"2024-03-0${i}T08:00:00Z",$TZ,"epcList":["$U.$i"],
  "action":"OBSERVE","bizStep":"inspecting","bizLocation":{"id":"urn:epc:id:sgln:0614141.00001.0"}}]}}
EOF
    st capture --db "$HTTP_DB" "$TMP/u$i.jsonld"
done

SERIALTRACK_VERIFY_RATE_LIMIT=5/10 http_start --rules duplicate_commissioning=reject
AUTH=(-H "Authorization: Bearer $ADMIN")

# ---- GET /anomalies ----
http GET /anomalies "${AUTH[@]}"
expect_status "anomalies" 200
expect_jq "three unknown serials" '[.anomalies[].type]|unique|@csv' '"unknown_serial"'
expect_jq "count" '.anomalies|length' 3
expect_jq "fields" '.anomalies[0]|[has("key"), has("epc"), has("event"), has("detected_at"), (.evidence|type)]|@csv' 'true,true,true,true,"object"'
http GET "/anomalies?limit=2" "${AUTH[@]}"
expect_jq "first page" '[(.anomalies|length), (.after != null)]|@csv' '2,true'
AFTER=$(jq -r .after <<<"$out")
http GET "/anomalies?limit=2&after=$AFTER" "${AUTH[@]}"
expect_jq "second page" '[(.anomalies|length), has("after"), .anomalies[0].key]|@csv' "1,false,\"$UKEY/9\""
http GET "/anomalies?type=impossible_travel" "${AUTH[@]}"
expect_jq "type filter" '.anomalies|length' 0
http GET "/anomalies?location=urn:epc:id:sgln:0614141.00001.0" "${AUTH[@]}"
expect_jq "location filter" '.anomalies|length' 3
http GET "/anomalies?since=2999-01-01" "${AUTH[@]}"
expect_jq "since filter" '.anomalies|length' 0
http GET "/anomalies?type=bogus" "${AUTH[@]}"
expect_status "bad type" 400
expect_jq "bad type names the rules" '.detail|test("unknown_serial")' true
http GET "/anomalies?limit=0" "${AUTH[@]}"
expect_status "bad limit" 400
http GET "/anomalies?since=soon" "${AUTH[@]}"
expect_status "bad since" 400
http GET /anomalies -H "Authorization: Bearer $PARTNER"
expect_status "a partner key" 200
expect_jq "sees none of another site's anomalies" '.anomalies|length' 0
http GET "/anomalies?limit=2" -H "Authorization: Bearer $SITE"
expect_jq "the site's party sees those at its site, in pages" '[(.anomalies|length), (.after != null)]|@csv' '2,true'
AFTER=$(jq -r .after <<<"$out")
http GET "/anomalies?limit=2&after=$AFTER" -H "Authorization: Bearer $SITE"
expect_jq "and the rest" '[(.anomalies|length), has("after")]|@csv' '1,false'
http GET /anomalies
expect_status "no key" 401

# ---- GET /verify/{id}: no key, any form ----
ENC=$(jq -rn --arg s "$UKEY/1" '$s|@uri')
for path in "/verify/$U.1" "/verify/$ENC" "/verify/01/10614141073464/21/1" "/verify/(01)10614141073464(21)1"; do
    http GET "$path"
    expect_status "verify $path" 200
    expect_jq "verify $path answer" '[.genuine, .status, .product.gtin, .product.lot, .product.expiry]|@csv' \
        'true,"active","10614141073464","L1","2099-12-31"'
done
expect_jq "only public members" '[keys[]]|@csv' '"genuine","product","status","warnings"'
expect_jq "only public product members" '[.product|keys[]]|@csv' '"expiry","gtin","lot"'
http GET "/verify/$UNIT"
expect_jq "a sold demo unit" '[.genuine, .status]|@csv' 'true,"retail_sold"'
expect_contains "no location in the body" "$out" '"status"'
case "$out" in *sgln* | *"/414/"* | *pgln* | *"/417/"* | *eventTime* | *history*) bad "verify leaks: $out" ;; *) ok ;; esac
http GET "/verify/$U.7"
expect_jq "unknown serial" '[.genuine, .status]|@csv' 'false,"not_commissioned"'
http GET "/verify/nonsense"
expect_status "not an identifier" 400

# ---- POST /items/{id}/report ----
http POST "/items/$U.2/report" "${AUTH[@]}" -d '{"status":"stolen"}'
expect_status "report stolen" 201
expect_jq "report answer" '[.key, .reported, .disposition]|@csv' "\"$UKEY/2\",\"stolen\",\"stolen\""
http POST "/items/$U.3/report" -H "Authorization: Bearer $CAP" -d '{"status":"lost"}'
expect_status "report lost (capture key)" 201
http POST "/items/$U.3/report" "${AUTH[@]}" -d '{"status":"misplaced"}'
expect_status "bad status" 400
http POST "/items/$U.3/report" "${AUTH[@]}" -d 'not json'
expect_status "bad body" 400
http POST "/items/$UKEY/424242/report" "${AUTH[@]}" -d '{"status":"stolen"}'
expect_status "never seen" 404
http POST "/items/urn:epc:id:sscc:0614141.1234567890/report" "${AUTH[@]}" -d '{"status":"stolen"}'
expect_status "not a unit" 400
http POST "/items/$U.2/report" -H "Authorization: Bearer $PARTNER" -d '{"status":"stolen"}'
expect_status "partner may not report" 403

# ---- the limit of /verify per client address (5/s, bursts of 10) ----
limited=0
for _ in $(seq 1 20); do
    http GET "/verify/$U.2"
    if [ "$status" = 429 ]; then
        limited=1
        break
    fi
done
[ "$limited" = 1 ] && ok || bad "20 quick verifications were never limited"
expect_contains "Retry-After" "$hdrs" "Retry-After: "
sleep 1.2
http GET "/verify/$U.2"
expect_status "verify after waiting" 200
expect_jq "stolen" '.warnings|index("stolen") != null' true
http GET "/verify/$U.3"
expect_jq "lost" '[.status, (.warnings|index("lost") != null)]|@csv' '"unknown",true'

# ---- a rule in reject mode (serve --rules) ----
cat >"$TMP/again.jsonld" <<EOF
{$CTX,"epcisBody":{"eventList":[
 {"type":"ObjectEvent","eventTime":"2024-03-05T08:00:00Z",$TZ,"epcList":["$U.1"],
  "action":"ADD","bizStep":"commissioning","disposition":"active"}]}}
EOF
http POST "/capture?sync=true" "${AUTH[@]}" -H "Content-Type: application/ld+json" --data-binary "@$TMP/again.jsonld"
expect_status "rejected by a rule" 409
expect_contains "409 names the rule" "$out" "duplicate_commissioning"
http GET "/anomalies?type=duplicate_commissioning" "${AUTH[@]}"
expect_jq "nothing recorded" '.anomalies|length' 0

http_stop
summary
