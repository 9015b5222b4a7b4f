#!/usr/bin/env bash
# The committed CBV table (lib/epcis/cbv_table.c) must be exactly what
# scripts/gen_cbv.py makes from GS1's CBV 2.0 JSON-LD context files in
# ../shared. Skips (exit 77) when ../shared or python3 is absent.
set -u
src=${ST_SOURCE_DIR:?}
ctx=${ST_SHARED_DIR:-$src/../shared}/conformance/gs1-epcis/JSON-LD-Context
if [ ! -f "$ctx/cbv-context-bizstep.jsonld" ]; then
    echo "SKIP: $ctx not found (shared/ is not beside the repository)"
    exit 77
fi
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
python3 "$src/scripts/gen_cbv.py" "$ctx" "$tmp" || { echo "0 passed, 1 failed"; exit 1; }
if diff -u "$src/lib/epcis/cbv_table.c" "$tmp" >/dev/null; then
    echo "lib/epcis/cbv_table.c matches the JSON-LD contexts"
    echo "1 passed, 0 failed"
else
    diff -u "$src/lib/epcis/cbv_table.c" "$tmp" | head -20
    echo "lib/epcis/cbv_table.c is stale: rerun scripts/gen_cbv.py"
    echo "0 passed, 1 failed"
    exit 1
fi
