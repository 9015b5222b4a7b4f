#!/usr/bin/env bash
# `serialtrack warranty terms|show|claim` and `serialtrack returns
# create|list`, black box: terms set and refused, a unit's warranty before
# and after its sale (captured as a retail_selling event), a claim accepted
# and one refused with its reason (exit 1), a return refused then accepted
# and routed, the same return again giving the stored decision with no new
# events, and the list of decisions.
#   usage: warranty_test.sh path/to/serialtrack
BIN=${1:?usage: warranty_test.sh path/to/serialtrack}
. "$(dirname "$0")/lib.sh"
need_tools jq

DB=$TMP/w.db
GTIN=09520123456788
U=https://id.gs1.org/01/$GTIN/21/C1
printf 'C1\nC2\n' >"$TMP/serials"
st commission --db "$DB" --gtin $GTIN --serials "$TMP/serials" --read-point 9520123000011
expect_rc "commission" 0

# ---- terms -----------------------------------------------------------------------------------
st warranty terms --db "$DB" --gtin $GTIN --months 24 --from sale --return-days 14
expect_rc "terms" 0
expect_jq "terms" '[.gtin, .from, .months, .return_days]|@csv' "\"$GTIN\",\"sale\",24,14"
st warranty terms --db "$DB" --gtin 09520123456789 --months 24 --from sale
expect_rc "terms with a bad check digit" 1
expect_contains "terms: why" "$err" "check digit"
st warranty terms --db "$DB" --gtin $GTIN --months 24 --until 2030-01-01
expect_rc "months and until" 2

# ---- warranty and claims -------------------------------------------------------------------------
st warranty show --db "$DB" "(01)$GTIN(21)C1"
expect_rc "show unsold" 0
expect_jq "unsold" '.warranty|[.covered, .reason_code]|@csv' 'false,"unsold"'
st warranty claim --db "$DB" --description "no power" "$U"
expect_rc "claim unsold" 1
expect_contains "claim unsold: reason" "$err" "unsold"
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
cat >"$TMP/sell.jsonld" <<DOC
{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument",
 "schemaVersion":"2.0","creationDate":"$now","epcisBody":{"eventList":[
 {"type":"ObjectEvent","eventTime":"$now","eventTimeZoneOffset":"+00:00","epcList":["$U"],
  "action":"OBSERVE","bizStep":"retail_selling","disposition":"retail_sold"}]}}
DOC
st capture --db "$DB" "$TMP/sell.jsonld"
expect_rc "capture the sale" 0
st warranty claim --db "$DB" --description "no power" "$U"
expect_rc "claim" 0
expect_jq "claim recorded" '[(.claim > 0), .warranty.covered, (.warranty.claims|length)]|@csv' 'true,true,1'
st warranty show --db "$DB" "https://id.gs1.org/01/$GTIN/21/NOPE"
expect_rc "show unknown" 1
expect_jq "unknown" '.warranty.reason_code' unknown_unit

# ---- returns --------------------------------------------------------------------------------------
st returns create --db "$DB" --id "$U" --order ORD-1 --reason "too big" --condition new
expect_rc "return with an order the anonymous sale cannot match" 1
expect_jq "order_mismatch" '[.accepted, .reason_code]|@csv' 'false,"order_mismatch"'
st returns create --db "$DB" --id "(01)$GTIN(21)C2" --reason "too big" --condition new
expect_rc "return of an unsold unit" 1
expect_jq "not_sold" '.reason_code' not_sold
st returns create --db "$DB" --id "$U" --reason "too big" --condition sideways
expect_rc "bad condition" 2
expect_contains "bad condition: why" "$err" "condition"
st returns create --db "$DB" --id "$U" --reason "too big" --condition opened
expect_rc "return" 0
expect_jq "return routed" '[.accepted, .route, (.events|length)]|@csv' 'true,"refurbish",2'
first=$(printf '%s' "$out" | jq -c '[.id, .events]')
st db info --db "$DB"
events=$(printf '%s' "$out" | jq .events)
st returns create --db "$DB" --id "$U" --reason "too big" --condition opened
expect_rc "the same return" 0
expect_jq "repeated" '.repeated' true
[ "$(printf '%s' "$out" | jq -c '[.id, .events]')" = "$first" ] && ok || bad "repeated return differs"
st db info --db "$DB"
expect_jq "no new events" '.events' "$events"
st returns list --db "$DB" --id "$U"
expect_rc "list" 0
expect_jq "listed" '[.[].reason_code]|join(",")' 'accepted,order_mismatch'
st returns list --db "$DB" --limit 1
expect_jq "limit" 'length' 1
st returns create --db "$DB" --id "$U" --order ORD-9 --reason "again" --condition new
expect_rc "returned already" 1
expect_jq "already_returned" '.reason_code' already_returned

summary
