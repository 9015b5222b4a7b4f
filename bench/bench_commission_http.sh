#!/usr/bin/env bash
# Bulk commissioning over HTTP (run by scripts/bench.sh): the server on a new
# store; POST /items/commission of BENCH_COMMISSION_UNITS units (default
# 100,000; the issue's target is at most 3 s on a 2-core machine) timed by
# curl, beside the baseline of the same run: POST /capture?sync=true of a
# pre-built document of the same shape and size (capture alone, no
# allocation). Best of 3 runs each, every run on its own GTIN. Prints
# figures; never fails on timing.
#   usage: bench/bench_commission_http.sh BUILD_DIR
set -uo pipefail
export LC_ALL=C
build=${1:?usage: bench/bench_commission_http.sh BUILD_DIR}
st=$build/serialtrack
units=${BENCH_COMMISSION_UNITS:-100000}
per_event=10000 # ST_COMMISSION_EVENT_EPCS
[ -x "$st" ] || { echo "bench_commission_http: $st is missing; build first" >&2; exit 1; }
for tool in curl jq awk; do
    command -v "$tool" >/dev/null || { echo "bench_commission_http: $tool is not installed; skipped"; exit 0; }
done
tmp=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

"$st" serve --listen 127.0.0.1:0 --db "$tmp/c.db" >"$tmp/serve.out" 2>"$tmp/serve.err" &
pid=$!
for _ in $(seq 1 100); do grep -q listening "$tmp/serve.out" 2>/dev/null && break; sleep 0.05; done
base=$(jq -r .listening "$tmp/serve.out" 2>/dev/null)
[ -n "$base" ] && [ "$base" != null ] || { echo "bench_commission_http: the server did not start"; exit 0; }

# a baseline document: EPC URIs with a 7-digit company prefix and an item
# reference of its own per run
doc() { # ITEMREF
    awk -v n="$units" -v per="$per_event" -v ir="$1" 'BEGIN {
        printf "{\"@context\":[\"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld\"],"
        printf "\"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\",\"creationDate\":\"2026-01-01T00:00:00Z\","
        printf "\"epcisBody\":{\"eventList\":["
        for (from = 0; from < n; from += per) {
            to = from + per < n ? from + per : n
            printf "%s{\"type\":\"ObjectEvent\",\"eventTime\":\"2026-01-01T00:00:00Z\",\"eventTimeZoneOffset\":\"+00:00\",\"epcList\":[", (from ? "," : "")
            for (i = from; i < to; i++)
                printf "%s\"urn:epc:id:sgtin:9520123.%s.%d\"", (i > from ? "," : ""), ir, i
            printf "],\"action\":\"ADD\",\"bizStep\":\"commissioning\",\"disposition\":\"active\","
            printf "\"readPoint\":{\"id\":\"urn:epc:id:sgln:9520123.00001.0\"},"
            printf "\"ilmd\":{\"cbvmda:lotNumber\":\"L1\",\"cbvmda:itemExpirationDate\":\"2028-06-30\"}}"
        }
        printf "]}}"
    }'
}

best() { sort -g | head -1; }
for r in 1 2 3; do
    doc "04567$r" >"$tmp/doc$r.json"
    curl -s -o "$tmp/cap.out" -w '%{time_total}\n' -H 'Content-Type: application/ld+json' \
        --data-binary @"$tmp/doc$r.json" "$base/capture?sync=true" >>"$tmp/t_base"
    jq -e '.stored > 0' "$tmp/cap.out" >/dev/null ||
        { echo "bench_commission_http: baseline capture failed: $(head -c 300 "$tmp/cap.out")"; exit 0; }
done
for gtin in 09520123000011 09520123000028 09520123000035; do
    curl -s -o "$tmp/comm.out" -w '%{time_total}\n' -H 'Content-Type: application/json' \
        --data-binary "{\"gtin\":\"$gtin\",\"count\":$units,\"scheme\":\"sequential\",\"lot\":\"L1\",\"expiry\":\"2028-06-30\",\"read_point\":\"urn:epc:id:sgln:9520123.00001.0\",\"gcp_len\":7}" \
        "$base/items/commission" >>"$tmp/t_comm"
    jq -e ".units == $units" "$tmp/comm.out" >/dev/null ||
        { echo "bench_commission_http: commissioning failed: $(head -c 300 "$tmp/comm.out")"; exit 0; }
done
t_base=$(best <"$tmp/t_base")
t_comm=$(best <"$tmp/t_comm")
awk -v n="$units" -v b="$t_base" -v c="$t_comm" 'BEGIN {
    printf "%-58s %9s %12s %9s\n", "over HTTP, best of 3", "seconds", "units/s", "vs 3 s"
    printf "%-58s %9.3f %12.0f %8.2fx\n", "baseline: POST /capture?sync=true of a pre-built document", b, n / b, b / 3
    printf "%-58s %9.3f %12.0f %8.2fx\n", "POST /items/commission (allocate + build + capture)", c, n / c, c / 3
    printf "commission / baseline: %.2f; target %d units in at most 3 s: %s\n", c / b, n,
           (n == 100000 && c <= 3) ? "meets target" : "see figures"
}'
