#!/usr/bin/env bash
# `serialtrack serials allocate|allocations` and `serialtrack commission`,
# black box: ranges that continue across runs of the program, the output
# forms, the allocation log, refusals (exit 1 or 2, a reason, nothing
# allocated), commissioning by count and from a file of serials, and a
# commissioned unit's lot and expiry as `trace` shows them.
#   usage: commission_test.sh path/to/serialtrack
BIN=${1:?usage: commission_test.sh path/to/serialtrack}
. "$(dirname "$0")/lib.sh"
need_tools jq

DB=$TMP/c.db
GTIN=09520123456788
GTIN2=04006381333931
SEQ=(--scheme sequential --prefix SN --width 6)

# ---- serials allocate ------------------------------------------------------------------------
st serials allocate --db "$DB" --gtin $GTIN --count 3 "${SEQ[@]}"
expect_rc "allocate" 0
[ "$out" = "$(printf 'SN000000\nSN000001\nSN000002')" ] && ok || bad "allocate: [$out]"
expect_contains "allocate summary" "$err" "allocation 1: 3 serials of GTIN $GTIN (sequential), positions 0..2"
st serials allocate --db "$DB" --gtin $GTIN --count 2 "${SEQ[@]}" --format dl
expect_rc "allocate dl" 0
[ "$out" = "$(printf 'https://id.gs1.org/01/%s/21/SN000003\nhttps://id.gs1.org/01/%s/21/SN000004' $GTIN $GTIN)" ] &&
    ok || bad "allocate dl: [$out]"
st serials allocate --db "$DB" --gtin $GTIN --count 1 "${SEQ[@]}" --format epc --gcp-len 7
expect_rc "allocate epc" 0
[ "$out" = "urn:epc:id:sgtin:9520123.045678.SN000005" ] && ok || bad "allocate epc: [$out]"
st serials allocate --db "$DB" --gtin $GTIN --count 2 "${SEQ[@]}" --format json
expect_jq "allocate json" '[.allocation, .first, .count, (.serials|join(","))]|@csv' '4,6,2,"SN000006,SN000007"'
# random is the default; each run of the program continues the counter
st serials allocate --db "$DB" --gtin $GTIN2 --count 300
expect_rc "allocate random" 0
printf '%s\n' "$out" >"$TMP/r.txt"
st serials allocate --db "$DB" --gtin $GTIN2 --count 300
printf '%s\n' "$out" >>"$TMP/r.txt"
[ "$(sort -u "$TMP/r.txt" | wc -l)" -eq 600 ] && ok || bad "random serials repeated across runs"
grep -qvE '^[0-9A-Z]{12}$' "$TMP/r.txt" && bad "random serials of another form" || ok

# ---- refusals ------------------------------------------------------------------------------------
st serials allocate --db "$DB" --gtin $GTIN --count 1 --scheme random
expect_rc "another series" 1
expect_contains "another series: why" "$err" "already takes its serials from series"
st serials allocate --db "$DB" --gtin 09520123456789 --count 1
expect_rc "check digit" 1
expect_contains "check digit: why" "$err" "check digit is 9, expected 8"
st serials allocate --db "$DB" --gtin $GTIN --count 100001 "${SEQ[@]}"
expect_rc "over the cap" 1
expect_contains "over the cap: why" "$err" "is not a whole number 1..100000"
st serials allocate --db "$DB" --gtin $GTIN --count 1 --scheme random --key 00
expect_rc "--key" 2
expect_contains "--key: why" "$err" "the store draws and keeps one key per GTIN"
st serials allocate --db "$DB" --gtin $GTIN --count 1 "${SEQ[@]}" --format epc
expect_rc "epc without gcp" 2
st serials allocate --db "$DB" --count 1
expect_rc "no gtin" 2
expect_contains "no gtin: why" "$err" "--gtin is required"

# ---- serials allocations ---------------------------------------------------------------------
st serials allocations --db "$DB" --gtin $GTIN
expect_rc "allocations" 0
[ "$(printf '%s\n' "$out" | jq -r .first | paste -sd,)" = "6,5,3,0" ] && ok || bad "allocations: [$out]"
[ "$(printf '%s\n' "$out" | jq -r .by | sort -u)" = "cli:${USER:-unknown}" ] && ok || bad "allocations by: [$out]"
st serials allocations --db "$DB" --limit 1
expect_jq "allocations limit" '[.gtin, .scheme, .count]|@csv' "\"$GTIN2\",\"random\",300"

# ---- commission ----------------------------------------------------------------------------------
st commission --db "$DB" --gtin $GTIN --count 25000 "${SEQ[@]}" --lot LOT-9 --expiry 2027-05-31 \
    --read-point urn:epc:id:sgln:9520123.00001.0 --event-time 2026-03-01T08:00:00Z
expect_rc "commission" 0
expect_jq "commission summary" '[.units, .events, .stored, .allocation]|@csv' "25000,3,3,7"
expect_jq "commission range" '[.first_epc, .last_epc]|@csv' \
    "\"https://id.gs1.org/01/$GTIN/21/SN000008\",\"https://id.gs1.org/01/$GTIN/21/SN025007\""
st trace --db "$DB" "(01)$GTIN(21)SN012345" --only state
expect_rc "trace a commissioned unit" 0
expect_jq "its lot and expiry" '[.state.lot, .state.expiry, .state.status]|@csv' \
    "\"https://id.gs1.org/01/$GTIN/10/LOT-9\",\"2027-05-31\",\"active\""
printf 'X1\nX2\n\nX3\n' >"$TMP/serials.txt"
st commission --db "$DB" --gtin $GTIN2 --serials "$TMP/serials.txt" --gcp-len 7 --read-point 9520123000011
expect_rc "commission from a file" 0
expect_jq "from a file" '[.units, .allocation, .last_epc]|@csv' '3,,"urn:epc:id:sgtin:4006381.033393.X3"'

st db info --db "$DB"
events=$(jq -r .events <<<"$out")
st commission --db "$DB" --gtin $GTIN --count 5 "${SEQ[@]}" --expiry 2027-13-01 --read-point 9520123000011
expect_rc "bad expiry" 1
expect_contains "bad expiry: why" "$err" "expiry 2027-13-01 is not a day of the calendar"
st commission --db "$DB" --gtin $GTIN --count 5 "${SEQ[@]}" --read-point urn:epc:id:sgln:x
expect_rc "bad read point" 1
expect_contains "bad read point: the path" "$err" "/epcisBody/eventList/0/readPoint/id"
st commission --db "$DB" --gtin $GTIN --read-point 9520123000011
expect_rc "neither count nor serials" 2
st commission --db "$DB" --gtin $GTIN2 --serials "$TMP/serials.txt" --scheme random --read-point 9520123000011
expect_rc "scheme with --serials" 2
st db info --db "$DB"
expect_jq "refusals stored nothing" '.events' "$events"
st serials allocations --db "$DB" --gtin $GTIN --limit 1
expect_jq "refusals allocated nothing" '.first' 8

summary
