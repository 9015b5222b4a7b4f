#!/usr/bin/env bash
# Warranty, ownership and returns over HTTP, black box: a server without a
# data key refuses personal data with a 503 saying how to configure one (and
# refuses to start with a bad key file); with a key, terms (admin only), a
# sale with a customer, claims, a transfer, the owners as each role sees
# them (admin decrypted, capture and query redacted, partner 403), the key
# from the environment or the configuration file, the
# plain text absent from the database files, returns accepted, repeated and
# refused with their codes.
#   usage: http_warranty_test.sh path/to/serialtrack
BIN=${1:?usage: http_warranty_test.sh path/to/serialtrack}
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http_lib.sh"
need_tools openssl

DB=$TMP/http.db
GTIN=09520123456788
U1=https://id.gs1.org/01/$GTIN/21/W1
U2=https://id.gs1.org/01/$GTIN/21/W2
E1=https%3A%2F%2Fid.gs1.org%2F01%2F$GTIN%2F21%2FW1
NAME="Quentin Quokka-Personal"
CONTACT="quentin.quokka@example.org"
NEW_OWNER="Rita Ribbon-Secondowner"
json() { printf '%s' "$1"; }

# ---- no data key: personal data refused, everything else works ---------------------------------
HTTP_DB=$DB http_start
http POST /items/commission -d '{"gtin":"'$GTIN'","serials":["W1","W2","W3"],"read_point":"9520123000011"}'
expect_status "commission" 201
http POST "/items/$E1/sale" -d '{"customer":{"name":"'"$NAME"'"},"reference":"R-1"}'
expect_status "sale with a customer and no key" 503
expect_jq "no key: code" '.code' no_data_key
expect_contains "no key: how to configure" "$(json "$out" | jq -r .detail)" "--data-key-file"
expect_contains "no key: env" "$out" "SERIALTRACK_DATA_KEY_FILE"
http GET "/items/$E1/owners"
expect_jq "no key: nothing stored" '.history|length' 0
http_stop
[ "$stop_rc" = 0 ] && ok || bad "the server did not exit cleanly: $stop_rc $(cat "$TMP/serve.err")"

# ---- a key file that is no key stops the start ----------------------------------------------------
echo "not a key" >"$TMP/bad.key"
"$BIN" serve --listen 127.0.0.1:0 --db "$DB" --data-key-file "$TMP/bad.key" >"$TMP/o" 2>"$TMP/e"
rc=$?
[ $rc -ne 0 ] && ok || bad "a bad key file was accepted"
expect_contains "bad key file named" "$(cat "$TMP/e")" "$TMP/bad.key"
expect_contains "bad key file: the form" "$(cat "$TMP/e")" "64 hex digits"

# ---- keys and a data key ---------------------------------------------------------------------------
openssl rand -hex 32 >"$TMP/data.key"
for role in admin capture query partner; do
    party=()
    [ $role = partner ] && party=(--party urn:epc:id:pgln:0614141.00000)
    st keys create --db "$DB" --name "k-$role" --role $role "${party[@]}"
    expect_rc "keys create $role" 0
    declare "KEY_$role=$(printf '%s' "$out" | jq -r .key)"
done
auth() { local v="KEY_$1"; printf 'Authorization: Bearer %s' "${!v}"; }
SERIALTRACK_DATA_KEY_FILE=$TMP/data.key SERIALTRACK_KEY_CACHE_SECONDS=1 HTTP_DB=$DB http_start

# terms: admin only
http PUT /warranty-terms/$GTIN -H "$(auth capture)" -d '{"from":"sale","months":12}'
expect_status "terms by capture" 403
http PUT /warranty-terms/$GTIN -H "$(auth admin)" -d '{"from":"sale","months":0}'
expect_status "terms with months 0" 400
expect_jq "terms with months 0: field" '.field' months
http PUT /warranty-terms/$GTIN -H "$(auth admin)" -d '{"from":"sale","months":12,"return_days":30}'
expect_status "terms" 200
expect_jq "terms stored" '[.gtin, .from, .months, .return_days]|@csv' "\"$GTIN\",\"sale\",12,30"
http GET /warranty-terms/$GTIN -H "$(auth query)"
expect_status "terms read by query" 200

# unsold: covered false, a claim refused with its code
http GET "/items/$E1/warranty" -H "$(auth query)"
expect_status "warranty unsold" 200
expect_jq "unsold" '[.covered, .reason_code]|@csv' 'false,"unsold"'
http POST "/items/$E1/claims" -H "$(auth capture)" -d '{"description":"dead on arrival"}'
expect_status "claim unsold" 422
expect_jq "claim unsold: code" '[.code, .field]|@csv' '"unsold","id"'
http POST "/items/https%3A%2F%2Fid.gs1.org%2F01%2F$GTIN%2F21%2FNOPE/claims" -H "$(auth capture)" -d '{"description":"x"}'
expect_jq "claim unknown: code" '.code' unknown_unit
http GET "/items/https%3A%2F%2Fid.gs1.org%2F01%2F$GTIN%2F21%2FNOPE/warranty" -H "$(auth query)"
expect_status "warranty of an unknown unit" 404

# the sale: by capture, with a customer
http POST "/items/$E1/sale" -H "$(auth query)" -d '{"reference":"R-1"}'
expect_status "sale by query" 403
http POST "/items/$E1/sale" -H "$(auth partner)" -d '{"reference":"R-1"}'
expect_status "sale by partner" 403
http POST "/items/$E1/sale" -H "$(auth capture)" -d '{"customer":{"name":"'"$NAME"'","contact":"'"$CONTACT"'","age":3},"reference":"R-1"}'
expect_status "sale with an unknown member" 400
expect_jq "unknown member named" '.field' customer.age
http POST "/items/$E1/sale" -H "$(auth capture)" -d '{"customer":{"name":"'"$NAME"'","contact":"'"$CONTACT"'"},"reference":"R-1","location":"9520123000011"}'
expect_status "sale" 201
expect_jq "sale captured its event" '[.kind, .event_captured, (.eventID|startswith("urn:uuid:"))]|@csv' '"sale",true,true'
http POST "/items/$E1/sale" -H "$(auth capture)" -d '{"reference":"R-1"}'
expect_status "second sale" 422
expect_jq "second sale: code" '.code' already_sold
http GET "/events?EQ_bizStep=retail_selling&MATCH_epc=$E1" -H "$(auth query)"
expect_jq "the retail_selling event" '.epcisBody.queryResults.resultsBody.eventList|length' 1

# covered now; a claim by capture
http GET "/items/$E1/warranty" -H "$(auth query)"
expect_jq "covered after the sale" '[.covered, .terms.months]|@csv' 'true,12'
http POST "/items/$E1/claims" -H "$(auth capture)" -d '{"description":"screen flickers"}'
expect_status "claim" 201
expect_jq "claim recorded" '[.claim.description, (.warranty.claims|length)]|@csv' '"screen flickers",1'
http GET "/items/$E1/warranty" -H "$(auth partner)"
expect_status "warranty by partner" 403

# a transfer, then the owners per role
http POST "/items/$E1/transfer" -H "$(auth capture)" -d '{"to":{"name":"'"$NEW_OWNER"'"},"reference":"DEED-1"}'
expect_status "transfer" 201
http GET "/items/$E1/owners" -H "$(auth admin)"
expect_status "owners by admin" 200
expect_jq "admin: current owner decrypted" '[.current.kind, .current.customer.name]|@csv' "\"transfer\",\"$NEW_OWNER\""
expect_jq "admin: history decrypted" '.history[0].customer|[.name, .contact]|@csv' "\"$NAME\",\"$CONTACT\""
for role in capture query; do
    http GET "/items/$E1/owners" -H "$(auth $role)"
    expect_status "owners by $role" 200
    expect_jq "$role: redacted" '[.history[].customer.redacted]|@csv' 'true,true'
    case "$out" in *"$NAME"* | *"$CONTACT"* | *"$NEW_OWNER"*) bad "$role sees personal data: $out" ;; *) ok ;; esac
done
http GET "/items/$E1/owners" -H "$(auth partner)"
expect_status "owners by partner" 403

# returns: refused with codes, accepted, repeated
http POST "/items/https%3A%2F%2Fid.gs1.org%2F01%2F$GTIN%2F21%2FW2/sale" -H "$(auth capture)" -d '{"reference":"R-2"}'
expect_status "anonymous sale" 201
http POST /returns -H "$(auth capture)" -d '{"id":"'$U2'","order":"R-9","reason":"wrong size","condition":"new"}'
expect_status "return to another order" 422
expect_jq "order_mismatch" '[.code, .field, .accepted]|@csv' '"order_mismatch","order",false'
http POST /returns -H "$(auth capture)" -d '{"id":"(01)'$GTIN'(21)W3","reason":"x","condition":"new"}'
expect_jq "not_sold" '.code' not_sold
http POST /returns -H "$(auth capture)" -d '{"id":"'$U2'","receipt":"R-2","reason":"x","condition":"broken"}'
expect_status "bad condition" 400
expect_jq "bad condition: field" '.field' condition
http POST /returns -H "$(auth query)" -d '{"id":"'$U2'","receipt":"R-2","reason":"x","condition":"new"}'
expect_status "return by query" 403
http POST /returns -H "$(auth capture)" -d '{"id":"'$U2'","receipt":"R-2","reason":"wrong size","condition":"defective"}'
expect_status "return" 201
expect_jq "return routed" '[.accepted, .route, (.events|length), .events[0].bizStep, .events[1].bizStep]|@csv' \
    'true,"return_to_manufacturer",2,"receiving","holding"'
first=$out
http POST /returns -H "$(auth capture)" -d '{"id":"'$U2'","receipt":"R-2","reason":"wrong size","condition":"defective"}'
expect_status "the same return again" 200
expect_jq "repeated" '.repeated' true
[ "$(json "$out" | jq -c '[.id, .events]')" = "$(json "$first" | jq -c '[.id, .events]')" ] && ok ||
    bad "the repeated return differs: [$out] vs [$first]"
http GET "/items/https%3A%2F%2Fid.gs1.org%2F01%2F$GTIN%2F21%2FW2/history" -H "$(auth query)"
expect_jq "events once" '[.history[].bizStep]|join(",")' 'commissioning,retail_selling,receiving,holding'
http GET "/returns?id=$U2" -H "$(auth query)"
expect_jq "returns listed" '[.returns[].reason_code]|join(",")' 'accepted,order_mismatch'
http_stop
[ "$stop_rc" = 0 ] && ok || bad "the server did not exit cleanly: $stop_rc $(cat "$TMP/serve.err")"

# ---- the data key from the configuration file -----------------------------------------------------
printf 'data_key_file = "%s"\n' "$TMP/data.key" >"$TMP/serve.conf"
SERIALTRACK_KEY_CACHE_SECONDS=1 HTTP_DB=$DB http_start --config "$TMP/serve.conf"
http POST "/items/https%3A%2F%2Fid.gs1.org%2F01%2F$GTIN%2F21%2FW3/sale" -H "$(auth capture)" \
    -d '{"customer":{"name":"'"$NAME"'"},"reference":"R-3"}'
expect_status "sale with the key from the configuration file" 201
http GET "/items/https%3A%2F%2Fid.gs1.org%2F01%2F$GTIN%2F21%2FW3/owners" -H "$(auth admin)"
expect_jq "the same key opens it" '.current.customer.name' "$NAME"
http_stop

# ---- the personal data never reaches the database files in plain text ---------------------------------
for f in "$DB" "$DB-wal"; do
    [ -f "$f" ] || continue
    if grep -qaF -e "$NAME" -e "$CONTACT" -e "$NEW_OWNER" "$f"; then bad "$f holds personal data in plain text"; else ok; fi
done
# ... while the references, which are not personal, are there (the check can find text)
grep -qaF "DEED-1" "$DB" "$DB-wal" 2>/dev/null && ok || bad "the check cannot find stored text"

summary
