#!/usr/bin/env bash
# `make run`: a short guided tour of the serialtrack command line on sample
# inputs: the same unit read as a barcode, a Digital Link and an RFID tag is
# one key; bad input is refused with a precise reason; serials are generated.
set -uo pipefail
st=${1:-build/serialtrack}
[ -x "$st" ] || { echo "build $st first (make)"; exit 1; }

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; echo; }
pretty() { if command -v jq >/dev/null; then jq .; else cat; fi; }

say "A scanner reads a GS1 DataMatrix (symbology ]d2, GS separators):"
printf '$ serialtrack id parse "]d201806141411234581726123110LOT7<GS>2127"\n'
"$st" id parse $']d201806141411234581726123110LOT7\x1d2127' | pretty

say "The same unit's Digital Link QR code (any domain):"
run "$st" id parse --gcp-len 7 'https://brand.example.com/01/80614141123458/10/LOT7/21/27?17=261231'

say "Its RFID tag (SGTIN-96, as the reader reports it) - the key is the same:"
hex=$("$st" id encode --scheme sgtin-96 --filter 1 --gcp-len 7 '(01)80614141123458(21)27')
echo "(encoded with: serialtrack id encode --scheme sgtin-96 --filter 1 --gcp-len 7 '(01)80614141123458(21)27')"
run "$st" id parse "$hex"

say "EPC URIs as EPCIS events carry them:"
run "$st" id parse 'urn:epc:id:sscc:0614141.1234567890'

say "Bad input is refused with the AI, the position and the rule:"
run "$st" id parse '(01)80614141123457(21)27'
run "$st" id parse '(21)ABC123'
run "$st" id parse 'https://id.gs1.org/01/09520123456788?10=ABC123'

say "A whole file of scans, one JSON line each (serialtrack id parse -):"
printf '(01)09520123456788(21)1\nurn:epc:id:sgtin:0614141.812345.6789\nnot-an-id\n' >"${TMPDIR:-/tmp}/tour-scans.$$"
sed 's/^/  in: /' "${TMPDIR:-/tmp}/tour-scans.$$"
"$st" id parse - <"${TMPDIR:-/tmp}/tour-scans.$$" | cut -c1-150 | sed 's/^/  out: /'
rm -f "${TMPDIR:-/tmp}/tour-scans.$$"

say "Unguessable serial numbers for a GTIN (EU FMD: guess probability below 1 in 10,000):"
run "$st" serials generate --gtin 09520123456788 --count 5 --scheme random --length 12
say "Sequential and templated serials:"
run "$st" serials generate --gtin 09520123456788 --count 3 --scheme sequential --prefix SN --width 8
run "$st" serials generate --gtin 09520123456788 --count 3 --scheme template --template '{YYYY}07{SEQ:6}'

say "An EPCIS 2.0 event (JSON-LD), as a packing line sends it:"
doc="${TMPDIR:-/tmp}/tour-event.$$.jsonld"
cat >"$doc" <<'JSON'
{"@context": "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
 "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-11-21T08:00:00Z",
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventTime": "2026-11-21T08:00:00.000+01:00", "eventTimeZoneOffset": "+01:00",
   "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
   "epcList": ["urn:epc:id:sgtin:0614141.812345.6789", "https://id.gs1.org/01/80614141123458/21/27"],
   "readPoint": {"id": "urn:epc:id:sgln:0614141.07346.1234"}}]}}
JSON
cat "$doc"
run "$st" epcis validate "$doc"
say "Its CBV 2.0 event hash ID (the same whatever the format or identifier spelling):"
run "$st" hash "$doc"
say "The same document as EPCIS 1.2 XML for a DSCSA partner:"
run "$st" epcis convert --to xml12 --ids urn "$doc"
say "A typo is caught with its path and a suggestion:"
sed -i 's/"shipping"/"shiping"/' "$doc"
run "$st" epcis validate "$doc"
rm -f "$doc"

store_dir=$(mktemp -d)
store="$store_dir/serialtrack.db"
say "The event store: a realistic supply chain (components by lot, assembly, packing,"
say "shipping to DCs and stores, sales, returns), generated and captured:"
printf '$ serialtrack demo --db %s --units 2000\n' "$store"
demo=$("$st" demo --db "$store" --units 2000)
echo "$demo" | pretty
unit=$(echo "$demo" | sed -E 's/.*"unit":"([^"]*)".*/\1/')
lot=$(echo "$demo" | sed -E 's/.*"component_lot":"([^"]*)".*/\1/')
say "What the store holds; the chain head is the fingerprint of every event so far:"
run "$st" db info --db "$store"
say "Capturing the same document twice stores nothing twice (here: the GS1 examples):"
if [ -d ../shared/conformance/gs1-epcis/JSON ]; then
    run "$st" capture --db "$store" ../shared/conformance/gs1-epcis/JSON/Example_9.6.1-ObjectEvent.jsonld
    run "$st" capture --db "$store" ../shared/conformance/gs1-epcis/JSON/Example_9.6.1-ObjectEvent.jsonld
fi
say "One sold unit, traced (state, containers, and genealogy; history shortened here):"
printf '$ serialtrack trace --db %s %s\n' "$store" "$unit"
if command -v jq >/dev/null; then
    "$st" trace --db "$store" "$unit" |
        jq '{key, state, container, genealogy, history: [.history[] | {type, eventTime, bizStep, action}]}'
else
    "$st" trace --db "$store" "$unit" | cut -c1-600
fi
say "Which finished units contain a cell from one component lot (genealogy down):"
printf '$ serialtrack trace --db %s --only down %s | jq ...\n' "$store" "$lot"
"$st" trace --db "$store" --only down "$lot" |
    { if command -v jq >/dev/null; then jq '{key, units: (.genealogy.down | length), first: .genealogy.down[0]}'; else cut -c1-300; fi; }
say "Tamper evidence: recompute the whole chain from the stored events:"
run "$st" audit verify --db "$store"
if command -v sqlite3 >/dev/null; then
    say "...and after changing one event's time behind serialtrack's back (sqlite3 shell):"
    sqlite3 "$store" "UPDATE event SET event_time = event_time + 1000 WHERE id = 42"
    run "$st" audit verify --db "$store"
fi
rm -rf "$store_dir"

echo "Tour done. Try: $st help, $st id parse --help, and docs/ARCHITECTURE.md."
