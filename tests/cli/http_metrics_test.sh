#!/usr/bin/env bash
# GET /metrics and GET /openapi.json, black box: request counters by route
# pattern, method and status move with the requests made, the latency
# histogram has its buckets, sum and count, the store's totals follow
# captures; the OpenAPI description parses and names the server's routes.
#   usage: http_metrics_test.sh path/to/serialtrack
BIN=${1:?usage: http_metrics_test.sh path/to/serialtrack}
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http_lib.sh"
HTTP_DB="$TMP/metrics.db"

# metric NAME_AND_LABELS: its value in the last /metrics answer ("" if absent).
metric() {
    printf '%s\n' "$out" | awk -v k="$1" 'substr($0, 1, length(k) + 1) == k " " { print $2 }'
}

cat >"$TMP/doc.jsonld" <<'JSON'
{"@context": "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
 "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2024-01-01T00:00:00Z",
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventTime": "2024-01-01T10:00:00Z", "eventTimeZoneOffset": "+00:00",
   "action": "ADD", "bizStep": "commissioning", "epcList": ["urn:epc:id:sgtin:0614141.107346.1"]},
  {"type": "ObjectEvent", "eventTime": "2024-01-02T10:00:00Z", "eventTimeZoneOffset": "+00:00",
   "action": "OBSERVE", "bizStep": "shipping", "epcList": ["urn:epc:id:sgtin:0614141.107346.1"]}
 ]}}
JSON
st capture --db "$HTTP_DB" "$TMP/doc.jsonld"
expect_rc "capture" 0

http_start
http GET /metrics
expect_status "metrics" 200
expect_contains "metrics content type" "$hdrs" "Content-Type: text/plain; version=0.0.4"
expect_contains "requests counter type" "$out" "# TYPE serialtrack_http_requests_total counter"
expect_contains "histogram type" "$out" "# TYPE serialtrack_http_request_duration_seconds histogram"
[ "$(metric serialtrack_events_stored_total)" = 2 ] && ok || bad "events stored: [$(metric serialtrack_events_stored_total)]"
[ "$(metric serialtrack_captures_total)" = 1 ] && ok || bad "captures: [$(metric serialtrack_captures_total)]"
[ "$(metric serialtrack_store_up)" = 1 ] && ok || bad "store up: [$(metric serialtrack_store_up)]"
bytes=$(metric serialtrack_store_bytes)
[ "${bytes:-0}" -gt 0 ] && ok || bad "store bytes: [$bytes]"

H='route="/healthz",method="GET"'
before=$(metric "serialtrack_http_requests_total{$H,status=\"200\"}")
for _ in 1 2 3; do http GET /healthz; done
http GET /no/such/path
http GET /no/such/other
http DELETE /healthz
http GET /metrics
after=$(metric "serialtrack_http_requests_total{$H,status=\"200\"}")
[ "$((after - ${before:-0}))" = 3 ] && ok || bad "healthz 200 counter moved by 3: [$before] -> [$after]"
[ "$(metric 'serialtrack_http_requests_total{route="(none)",method="GET",status="404"}')" = 2 ] && ok ||
    bad "unmatched paths count under one series: [$out]"
[ "$(metric 'serialtrack_http_requests_total{route="(none)",method="DELETE",status="405"}')" = 1 ] && ok ||
    bad "405 counted"
[ "$(metric 'serialtrack_http_requests_total{route="/metrics",method="GET",status="200"}')" = 1 ] && ok ||
    bad "the earlier /metrics request is counted"
# the histogram: cumulative buckets, +Inf = count, a sum
inf=$(metric "serialtrack_http_request_duration_seconds_bucket{$H,le=\"+Inf\"}")
cnt=$(metric "serialtrack_http_request_duration_seconds_count{$H}")
[ -n "$inf" ] && [ "$inf" = "$cnt" ] && [ "$cnt" -ge 3 ] && ok || bad "histogram +Inf [$inf] = count [$cnt] >= 3"
expect_contains "0.5 ms bucket" "$out" "serialtrack_http_request_duration_seconds_bucket{$H,le=\"0.0005\"}"
expect_contains "5 s bucket" "$out" "serialtrack_http_request_duration_seconds_bucket{$H,le=\"5\"}"
sum=$(metric "serialtrack_http_request_duration_seconds_sum{$H}")
case "$sum" in [0-9]*.[0-9]*) ok ;; *) bad "histogram sum: [$sum]" ;; esac
prev=-1
monotonic=1
while read -r v; do
    [ "$v" -ge "$prev" ] || monotonic=0
    prev=$v
done < <(printf '%s\n' "$out" | grep "^serialtrack_http_request_duration_seconds_bucket{$H" | awk '{print $2}')
[ "$monotonic" = 1 ] && ok || bad "buckets are cumulative"
# every sample line is NAME{labels} VALUE or NAME VALUE (the text format)
badlines=$(printf '%s\n' "$out" | grep -v '^#' | grep -Ev '^[a-z_]+(\{[^}]*\})? [0-9.e+-]+$' || true)
[ -z "$badlines" ] && ok || bad "malformed sample lines: [$badlines]"

# the store's totals follow a capture by another process
sed 's/2024-01-0/2024-02-0/' "$TMP/doc.jsonld" >"$TMP/doc2.jsonld"
st capture --db "$HTTP_DB" "$TMP/doc2.jsonld"
http GET /metrics
[ "$(metric serialtrack_events_stored_total)" = 4 ] && ok || bad "events stored after a capture: [$(metric serialtrack_events_stored_total)]"
[ "$(metric serialtrack_captures_total)" = 2 ] && ok || bad "captures after a capture: [$(metric serialtrack_captures_total)]"

# ---- /openapi.json --------------------------------------------------------------------
http GET /openapi.json
expect_status "openapi" 200
expect_contains "openapi content type" "$hdrs" "Content-Type: application/json"
expect_jq "openapi version" '.openapi | startswith("3.")' true
expect_jq "openapi /healthz" '.paths | has("/healthz")' true
expect_jq "openapi /stream" '.paths | has("/stream")' true
expect_jq "openapi /metrics" '.paths | has("/metrics")' true
expect_jq "openapi bearer" '.components.securitySchemes.apiKey.scheme' bearer
expect_jq "openapi problem+json" '.components.responses.NotFound.content | has("application/problem+json")' true
# the served bytes are docs/openapi.json
if [ -n "${ST_SOURCE_DIR:-}" ] && [ -f "$ST_SOURCE_DIR/docs/openapi.json" ]; then
    cmp -s "$TMP/body" "$ST_SOURCE_DIR/docs/openapi.json" && ok || bad "/openapi.json differs from docs/openapi.json (rebuild)"
fi

http_stop
[ "$stop_rc" = 0 ] && ok || bad "clean exit: $stop_rc"
summary
