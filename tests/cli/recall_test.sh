#!/usr/bin/env bash
# `serialtrack recall`, black box, over a demo chain (cells by lot into
# battery packs into units): a component lot reaches exactly the units
# built with it, a cell serial and a pack reach their one unit, criteria
# combine, the report is stored (show, --csv, list), --execute and
# `recall execute` capture once, bad command lines and criteria are refused;
# on a larger chain (two threads share the units) the lineage index and the
# walk without it find the same units with the same facts, and so does the
# index rebuilt by `db reindex`.
#   usage: recall_test.sh path/to/serialtrack
BIN=${1:?usage: recall_test.sh path/to/serialtrack}
. "$(dirname "$0")/lib.sh"
need_tools jq sqlite3

DB=$TMP/recall.db
st demo --db "$DB" --units 1500
expect_rc "demo" 0
demo=$out
GTIN=$(jq -r .component_gtin <<<"$demo")
LOT=$(jq -r .component_lot_number <<<"$demo")
LOT_UNITS=$(jq -r .component_lot_units <<<"$demo")
UNIT=$(jq -r .unit <<<"$demo")
PACK=$(jq -r .pack <<<"$demo")
[ "$LOT_UNITS" = 1000 ] && ok || bad "the demo's first lot should feed 1000 of 1500 units, not $LOT_UNITS"
UNIT_KEY=$("$BIN" id parse --gcp-len 7 "$UNIT" | jq -r .key)

# ---- a component lot: exactly its units, through two assembly levels -------------------------
st recall --db "$DB" --component-gtin "$GTIN" --lot "$LOT"
expect_rc "recall by lot" 0
expect_jq "report members" '[has("id"), has("criteria"), has("affected_units"), has("blanket_units"), has("scope_ratio"), has("elapsed_ms"), has("units")] | all' true
expect_jq "affected" .affected_units "$LOT_UNITS"
expect_jq "units listed" '.units | length' "$LOT_UNITS"
expect_jq "units distinct" '[.units[].key] | unique | length' "$LOT_UNITS"
expect_jq "unit fields" '.units[0] | keys | join(",")' "container,epc,holder,key,location,status"
expect_jq "dry run" .status dry-run
# the blanket recall of the same GTINs is larger: the second lot's units too
expect_jq "blanket larger" '.blanket_units > .affected_units' true
expect_jq "ratio" '(.scope_ratio - (.affected_units / .blanket_units)) | fabs < 0.000001' true
expect_jq "sold units are held as sold" '[.units[] | select(.status == "retail_sold") | .holder] | unique | join(",")' sold
ID=$(jq -r .id <<<"$out")

# ---- one cell, one pack: one unit each --------------------------------------------------------
st recall --db "$DB" --component "$PACK"
expect_rc "recall by pack" 0
expect_jq "the pack's unit" '[.units[].key] | join(",")' "$UNIT_KEY"
st recall --db "$DB" --component "urn:epc:id:sgtin:4012345.040001.1" --units 5
expect_rc "recall by cell" 0
expect_jq "one unit from cell 1" .affected_units 1
# criteria combine: the lot and a unit of the second lot
SECOND=$(jq -r '.units[0].key' <<<"$("$BIN" recall --db "$DB" --component-gtin "$GTIN" --lot "${LOT%000001}000002" --units 1)")
st recall --db "$DB" --component-gtin "$GTIN" --lot "$LOT" --component "$SECOND" --units 1
expect_jq "combined" .affected_units $((LOT_UNITS + 1))
expect_jq "units capped, counts whole" '[(.units | length), .units_truncated] | @csv' '1,true'

# ---- the stored report ----------------------------------------------------------------------
st recall show --db "$DB" "$ID"
expect_rc "show" 0
expect_jq "show same units" .affected_units "$LOT_UNITS"
st recall show --db "$DB" --csv "$ID"
expect_rc "show --csv" 0
[ "$(printf '%s\n' "$out" | head -1 | tr -d '\r')" = "epc,key,status,location,container,holder" ] && ok || bad "CSV header: $(head -1 <<<"$out")"
[ "$(printf '%s\n' "$out" | wc -l)" = $((LOT_UNITS + 1)) ] && ok || bad "CSV lines: $(wc -l <<<"$out")"
st recall list --db "$DB"
expect_jq "list" "[.[].id] | index($ID) != null" true
st recall show --db "$DB" 99999
expect_rc "unknown report" 1
expect_contains "unknown report message" "$err" "no recall report 99999"

# ---- execution: once ----------------------------------------------------------------------------
st recall execute --db "$DB" "$ID"
expect_rc "execute" 0
expect_jq "execute captures every unit" '[.events > 0, .units]|@csv' "true,$LOT_UNITS"
st recall execute --db "$DB" "$ID"
expect_jq "execute again captures nothing" '[.events, .units]|@csv' '0,0'
st recall show --db "$DB" --units 1 "$ID"
expect_jq "executed" '[.status, (.executed_at != null)]|@csv' '"executed",true'
st trace --db "$DB" --only state "$UNIT"
expect_jq "the unit is recalled" .state.disposition "https://ref.gs1.org/cbv/Disp-recalled"
# --execute with the criteria: units already recalled are skipped
st recall --db "$DB" --component "$PACK" --execute
expect_rc "--execute" 0
expect_jq "--execute: executed, nothing new" '[.status, .executed_events]|@csv' '"executed",0'
st audit verify --db "$DB"
expect_jq "chain verifies" .ok true

# ---- refused ----------------------------------------------------------------------------------
st recall --db "$DB"
expect_rc "no criteria" 2
expect_contains "no criteria message" "$err" "no criteria"
st recall --db "$DB" --component-gtin "$GTIN"
expect_rc "GTIN without lot" 2
st recall --db "$DB" --location urn:epc:id:sgln:0614141.00100.0 --from 2024-01-01T00:00:00Z
expect_rc "location without its window end" 2
st recall --db "$DB" --component-gtin 123 --lot A
expect_rc "bad GTIN" 2
expect_contains "bad GTIN message" "$err" "component_lots[0].gtin"
st recall --db "$DB" --component "urn:epc:id:sgtin:bad"
expect_rc "bad identifier" 2
expect_contains "bad identifier message" "$err" "components[0]"
st recall --db "$DB" --location urn:epc:id:sgln:0614141.00100.0 --from 2024-02-01T00:00:00Z --to 2024-01-01T00:00:00Z
expect_rc "window backwards" 2
st recall --db "$DB" --criteria '{"lots":[]}'
expect_rc "unknown criterion" 2
expect_contains "unknown criterion message" "$err" 'unknown criterion "lots"'

# ---- the lineage index against the walk, on a chain large enough to split -----------------------
BIG=$TMP/big.db
st demo --db "$BIG" --units 6000 --anomalies 0
expect_rc "larger demo" 0
BGTIN=$(jq -r .component_gtin <<<"$out")
BLOT=$(jq -r .component_lot_number <<<"$out")
BUNITS=$(jq -r .component_lot_units <<<"$out")
facts() { jq -c '[.affected_units, (.units | sort_by(.key) | map([.key, .status, .location, .container, .holder]))]' <<<"$out"; }
st recall --db "$BIG" --component-gtin "$BGTIN" --lot "$BLOT"
expect_rc "recall by the index" 0
expect_jq "the index finds the lot's units" .affected_units "$BUNITS"
INDEXED=$(facts)
sqlite3 "$BIG" "UPDATE lineage_state SET built = 0"
st recall --db "$BIG" --component-gtin "$BGTIN" --lot "$BLOT"
expect_rc "recall by the walk" 0
expect_eq "$(facts)" "$INDEXED" "the walk finds the same units and facts as the index"
st db reindex --db "$BIG"
expect_rc "reindex" 0
expect_jq "reindex reads every event" '.lineage_events > 0' true
expect_eq "$(sqlite3 "$BIG" "SELECT built FROM lineage_state")" 1 "the rebuilt index is in use"
st recall --db "$BIG" --component-gtin "$BGTIN" --lot "$BLOT"
expect_rc "recall by the rebuilt index" 0
expect_eq "$(facts)" "$INDEXED" "the rebuilt index finds the same units and facts"

summary
