#!/usr/bin/env bash
# The committed AI table (lib/gs1/ai_table.c) must be exactly what
# scripts/gen_ai_table.py makes from the GS1 Barcode Syntax Dictionary in
# ../shared. Skips (exit 77) when ../shared or python3 is absent.
set -u
src=${ST_SOURCE_DIR:?}
dict=${ST_SHARED_DIR:-$src/../shared}/conformance/gs1-syntax/gs1-syntax-dictionary.txt
if [ ! -f "$dict" ]; then
    echo "SKIP: $dict not found (shared/ is not beside the repository)"
    exit 77
fi
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
python3 "$src/scripts/gen_ai_table.py" "$dict" "$tmp" || { echo "0 passed, 1 failed"; exit 1; }
if diff -u "$src/lib/gs1/ai_table.c" "$tmp" >/dev/null; then
    echo "lib/gs1/ai_table.c matches the dictionary"
    echo "1 passed, 0 failed"
else
    diff -u "$src/lib/gs1/ai_table.c" "$tmp" | head -20
    echo "lib/gs1/ai_table.c is stale: rerun scripts/gen_ai_table.py"
    echo "0 passed, 1 failed"
    exit 1
fi
