#!/usr/bin/env bash
# `make run`: the main job. Creates a demo store from a generated supply
# chain when there is none (demo.db, or $SERIALTRACK_DB), makes sure it has
# an admin API key (kept beside it in demo.key, readable by you only), prints
# a few requests to try, and runs the HTTP server on 127.0.0.1:${PORT:-8080}
# in the foreground until Ctrl-C (a clean stop). `make tour` walks the
# command line instead.
#   usage: scripts/run.sh path/to/serialtrack
set -euo pipefail
st=${1:?usage: scripts/run.sh path/to/serialtrack}
[ -x "$st" ] || { echo "build $st first (make)"; exit 1; }
db=${SERIALTRACK_DB:-demo.db}
keyfile="${db%.db}.key"
port=${PORT:-8080}

demo_json="${db%.db}.demo.json"
if [ ! -s "$db" ]; then
    echo "== creating the demo store $db (a generated supply chain of 5,000 units)..."
    "$st" demo --db "$db" --units 5000 --seed 1 | tee "$demo_json"
fi
"$st" db migrate --db "$db" >/dev/null # a store made by an older build
field() { sed -E "s/.*\"$1\":\"([^\"]*)\".*/\1/" "$demo_json" 2>/dev/null || true; }
unit=$(field unit)
unit_gtin=$("$st" id parse --gcp-len 7 "$unit" 2>/dev/null | sed -E 's/.*"ai":"01","value":"([0-9]{14})".*/\1/' || true)
# warranty terms for the demo's product: 60 months from the sale, returns within 10 years (the
# demo's sales lie in the past)
if [ -n "$unit_gtin" ]; then
    "$st" warranty terms --db "$db" --gtin "$unit_gtin" --months 60 --from sale --return-days 3650 \
        >/dev/null || echo "(could not set the demo's warranty terms)"
fi
# the key that seals customers' names and contacts (AES-256-GCM), readable by you only
datakey="${db%.db}.datakey"
if [ ! -s "$datakey" ]; then
    (umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$datakey" && echo >>"$datakey")
fi
key=$(cat "$keyfile" 2>/dev/null || true)
if [ -z "$key" ] || ! "$st" keys list --db "$db" | grep -q '"name":"make-run".*"revoked":null'; then
    name=make-run
    "$st" keys list --db "$db" | grep -q '"name":"make-run"' && name="make-run-$(date +%s)"
    key=$("$st" keys create --db "$db" --name "$name" --role admin | sed -E 's/.*"key":"([^"]*)".*/\1/')
    (umask 077 && printf '%s\n' "$key" >"$keyfile")
fi
lot=$(field component_lot)
gtin=$(field component_gtin)
lotno=$(field component_lot_number)
counterfeit=$(field counterfeit)
clone=$(field clone)
enc() { jq -rn --arg v "$1" '$v|@uri' 2>/dev/null || printf '%s' "$1"; }
base="http://127.0.0.1:$port"

cat <<EOF

== serialtrack on $base (store: $db)
Admin API key (also in $keyfile):
  $key

Try:
  curl -s $base/healthz
  curl -s -H "Authorization: Bearer $key" '$base/events?EQ_bizStep=shipping&perPage=3'
  curl -s -H "Authorization: Bearer $key" $base/items/$(enc "$unit")
  curl -s -H "Authorization: Bearer $key" $base/items/$(enc "$unit")/history
  curl -s -H "Authorization: Bearer $key" '$base/items/$(enc "$lot")/genealogy?direction=down&depth=1'
  # a targeted recall of one cell lot (a dry run), its report as CSV, then its execution:
  curl -s -H "Authorization: Bearer $key" -d '{"component_lots":[{"gtin":"$gtin","lot":"$lotno"}]}' '$base/recalls?units=3'
  curl -s -H "Authorization: Bearer $key" -H 'Accept: text/csv' $base/recalls/1 | head -5
  curl -s -X POST -H "Authorization: Bearer $key" $base/recalls/1/execute
  # is it genuine? (no key needed) the demo's unit, a planted counterfeit, a planted clone:
  curl -s $base/verify/$(enc "$unit")
  curl -s $base/verify/$(enc "$counterfeit")
  curl -s $base/verify/$(enc "$clone")
  curl -s -H "Authorization: Bearer $key" '$base/anomalies?limit=5'
  # the unit's warranty (60 months from its sale), a claim, and a return routed by its condition:
  curl -s -H "Authorization: Bearer $key" $base/items/$(enc "$unit")/warranty
  curl -s -H "Authorization: Bearer $key" -d '{"description":"does not charge"}' $base/items/$(enc "$unit")/claims
  curl -s -H "Authorization: Bearer $key" -d '{"id":"$unit","reason":"faulty","condition":"defective"}' $base/returns
  curl -sN -H "Authorization: Bearer $key" $base/stream        # then capture something:
  $st capture --db $db ../shared/conformance/gs1-epcis/JSON/Example_9.6.1-ObjectEvent.jsonld
  curl -s $base/metrics
  $st audit verify --db $db
The API: $base/openapi.json (docs/openapi.json). A tour of the command line: make tour.
Ctrl-C stops the server cleanly.

EOF
exec "$st" serve --db "$db" --listen "127.0.0.1:$port" --access-log - --data-key-file "$datakey"
