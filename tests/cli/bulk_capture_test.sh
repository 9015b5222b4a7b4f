#!/usr/bin/env bash
# Bulk capture: one EPCIS document of 100,000 events (a generated supply
# chain) is captured in one piece, atomically, and a second capture of it
# stores nothing twice; trace and audit work on the result.
#   usage: bulk_capture_test.sh path/to/serialtrack
BIN=${1:?usage: bulk_capture_test.sh path/to/serialtrack}
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || { echo "SKIP: jq is not installed"; exit 77; }

mkdir "$TMP/docs"
st demo --out "$TMP/docs" --events 100000 --per-doc 100000 --seed 3
expect_rc "generate one 100,000-event document" 0
expect_jq "one document" .documents 1
unit=$(printf '%s' "$out" | jq -r .unit)
doc="$TMP/docs/chain-00001.xml"
db="$TMP/bulk.db"

st capture --db "$db" "$doc"
expect_rc "capture 100,000 events at once" 0
expect_jq "all stored" .stored 100000
expect_jq "no duplicates" .duplicates 0
st db info --db "$db"
expect_jq "one link for the whole document" .batches 1
expect_jq "events in the store" .events 100000

st capture --db "$db" "$doc"
expect_rc "capture it again" 0
expect_jq "nothing stored twice" .stored 0
expect_jq "every event a duplicate" .duplicates 100000
st db info --db "$db"
expect_jq "still one link" .batches 1

st trace --db "$db" "$unit"
expect_rc "trace a unit of the bulk document" 0
expect_jq "its history starts with its assembly" '.history[0].type' TransformationEvent
st audit verify --db "$db"
expect_jq "the chain verifies" .ok true
summary
