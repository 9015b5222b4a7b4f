#!/usr/bin/env bash
# The EPCIS 2.0 REST binding, black box: the real server on a free port with
# a temporary store. Capture (async jobs, ?sync=true, duplicates, rejected
# documents, content types; a job refused by a lifecycle rule tells the
# synchronous answer's 409 and problem), POST /events, GET /events with filters and
# pagination, GET /events/{id}, the top-level resources, named queries,
# Accept negotiation, OPTIONS discovery and bad query parameters.
#   usage: http_epcis_test.sh path/to/serialtrack
BIN=${1:?usage: http_epcis_test.sh path/to/serialtrack}
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http_lib.sh"
GS1="$(cd "$(dirname "$0")/../../.." && pwd)/shared/conformance/gs1-epcis"
[ -d "$GS1" ] || GS1="$(dirname "$0")/../../../shared/conformance/gs1-epcis"

JSONLD=(-H 'Content-Type: application/ld+json')
XMLCT=(-H 'Content-Type: application/xml')

# count_events: events in the last EPCISQueryDocument (JSON-LD)
count_events() { printf '%s' "$out" | jq '.epcisBody.queryResults.resultsBody.eventList | length'; }
# link_next: the URL of the Link rel="next" header of the last answer, or ""
link_next() { printf '%s\n' "$hdrs" | sed -n 's/^Link: <\(.*\)>; rel="next"$/\1/Ip' | head -1; }
header() { printf '%s\n' "$hdrs" | sed -n "s/^$1: //Ip" | head -1; }

# wait_job PATH: poll a capture job until it is no longer running
wait_job() {
    for _ in $(seq 1 100); do
        http GET "$1"
        [ "$(printf '%s' "$out" | jq -r .running)" = false ] && return
        sleep 0.05
    done
}

mkdir -p "$TMP/demo"
"$BIN" demo --out "$TMP/demo" --events 300 >/dev/null 2>&1
DEMO=$(ls "$TMP"/demo/*.xml 2>/dev/null | head -1)
[ -n "$DEMO" ] || { echo "FAIL: serialtrack demo --out wrote nothing"; exit 1; }
DEMO_EVENTS=$(grep -cE '<(ObjectEvent|AggregationEvent|TransactionEvent|TransformationEvent|AssociationEvent)>' "$DEMO")

http_start

# ---- discovery -------------------------------------------------------------------------
http OPTIONS /capture
expect_status "OPTIONS /capture" 204
expect_eq "$(header Allow)" "OPTIONS, GET, POST" "Allow of /capture"
expect_eq "$(header GS1-EPCIS-Version)" "2.0.0" "GS1-EPCIS-Version"
expect_eq "$(header GS1-CBV-Version)" "2.0.0" "GS1-CBV-Version"
expect_eq "$(header GS1-EPCIS-Max)" "2.0.0" "GS1-EPCIS-Max"
expect_contains "GS1-EPCIS-Min" "$hdrs" "GS1-EPCIS-Min: "
expect_eq "$(header GS1-Capture-Error-Behaviour)" "rollback" "capture error behaviour"
expect_contains "capture limit" "$hdrs" "GS1-EPCIS-Capture-Limit: "
http OPTIONS /events
expect_status "OPTIONS /events" 204
expect_eq "$(header Allow)" "OPTIONS, GET, POST" "Allow of /events"
http OPTIONS /queries/anything
expect_eq "$(header Allow)" "OPTIONS, GET, DELETE" "Allow of /queries/{name}"
http OPTIONS /bizSteps
expect_eq "$(header Allow)" "OPTIONS, GET" "Allow of /bizSteps"
http GET /
expect_status "GET /" 200
expect_jq "top-level resources" '.member | index("events") != null and index("capture") != null' true

# ---- asynchronous capture -------------------------------------------------------------------
http POST /capture "${XMLCT[@]}" --data-binary "@$DEMO"
expect_status "async capture" 202
loc=$(header Location)
expect_contains "Location of the job" "$loc" "/capture/"
expect_eq "$(header GS1-EPCIS-Version)" "2.0.0" "GS1-EPCIS-Version on 202"
wait_job "$loc"
expect_status "GET job" 200
expect_jq "job done" .running false
expect_jq "job success" .success true
expect_jq "job behaviour" .captureErrorBehaviour rollback
expect_jq "job errors" '.errors | length' 0
expect_jq "job stored" .stored "$DEMO_EVENTS"
expect_jq "job id" .captureID "${loc#/capture/}"
http GET /capture
expect_status "GET /capture" 200
expect_jq "job list" "map(.captureID) | index(\"${loc#/capture/}\") != null" true
http GET /capture/nosuchjob
expect_status "unknown job" 404

# ---- synchronous capture and duplicates ----------------------------------------------------
http POST "/capture?sync=true" "${XMLCT[@]}" --data-binary "@$DEMO"
expect_status "sync capture of a duplicate document" 201
expect_jq "all duplicates" .duplicates "$DEMO_EVENTS"
expect_jq "none stored" .stored 0
total=$DEMO_EVENTS

if [ -f "$GS1/JSON/Example_9.6.1-ObjectEvent.jsonld" ]; then
    http POST "/capture?sync=true" "${JSONLD[@]}" --data-binary "@$GS1/JSON/Example_9.6.1-ObjectEvent.jsonld"
    expect_status "sync capture (GS1 JSON-LD)" 201
    expect_jq "sync stored" .stored 2
    total=$((total + 2))
    http POST /capture -H 'Prefer: wait=10' "${JSONLD[@]}" --data-binary "@$GS1/JSON/Example_9.6.1-ObjectEvent.jsonld"
    expect_status "Prefer: wait is synchronous" 201
    expect_jq "duplicate capture" .duplicates 2
else
    echo "SKIP: GS1 JSON examples are absent ($GS1/JSON)"
fi

# ---- rejected documents store nothing --------------------------------------------------------
bad_doc='{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2024-01-01T00:00:00Z","epcisBody":{"eventList":[
 {"type":"ObjectEvent","eventTime":"2024-01-01T00:00:00Z","eventTimeZoneOffset":"+00:00","epcList":["urn:epc:id:sgtin:0614141.107346.9001"],"action":"OBSERVE","bizStep":"shipping"},
 {"type":"ObjectEvent","eventTime":"not a time","eventTimeZoneOffset":"+00:00","epcList":["urn:epc:id:sgtin:0614141.107346.9002"],"action":"OBSERVE"},
 {"type":"ObjectEvent","eventTime":"2024-01-01T00:00:00Z","eventTimeZoneOffset":"+00:00","epcList":["urn:epc:id:sgtin:0614141.107346.9003"],"action":"JUMP"}]}}'
http POST "/capture?sync=true" "${JSONLD[@]}" --data-binary "$bad_doc"
expect_status "sync rejected document" 400
expect_contains "problem+json" "$hdrs" "Content-Type: application/problem+json"
expect_jq "every error listed" '.errors | length >= 2' true
expect_jq "errors name events" '[.errors[].event] | index(1) != null and index(2) != null' true
expect_jq "errors have paths" '[.errors[] | select(.path != null)] | length >= 2' true
http POST /capture "${JSONLD[@]}" --data-binary "$bad_doc"
expect_status "async rejected document accepted" 202
wait_job "$(header Location)"
expect_jq "failed job" .success false
expect_jq "failed job done" .running false
expect_jq "failed job errors" '.errors | length >= 2' true
expect_jq "failed job error shape" '.errors[0] | has("event") and has("path") and has("message")' true
http GET "/events?MATCH_epc=urn:epc:id:sgtin:0614141.107346.9001"
expect_status "query after rejection" 200
expect_eq "$(count_events)" 0 "nothing of a rejected document stored"

http POST /capture -H 'Content-Type: text/plain' --data-binary "$bad_doc"
expect_status "wrong content type" 415
expect_jq "415 names the header" .field Content-Type
http POST /capture "${JSONLD[@]}" --data-binary '<EPCISDocument/>'
expect_status "JSON content type, XML body" 400
http POST /capture "${JSONLD[@]}" -H 'GS1-Capture-Error-Behaviour: proceed' --data-binary "$bad_doc"
expect_status "proceed is not implemented" 501
http POST /capture "${JSONLD[@]}" --data-binary ''
expect_status "empty body" 400

# ---- POST /events --------------------------------------------------------------------------
one='{"type":"ObjectEvent","eventID":"urn:uuid:6b7c2a8e-1f0e-4f36-9a51-0c8b5d3e9e01","eventTime":"2024-02-01T10:00:00Z","eventTimeZoneOffset":"+00:00","epcList":["urn:epc:id:sgtin:0614141.107346.7001"],"action":"OBSERVE","bizStep":"inspecting","readPoint":{"id":"urn:epc:id:sgln:0614141.07346.0"}}'
http POST /events "${JSONLD[@]}" --data-binary "$one"
expect_status "POST /events" 201
expect_eq "$(header Location)" "/events/urn%3Auuid%3A6b7c2a8e-1f0e-4f36-9a51-0c8b5d3e9e01" "Location of the event"
hash_id=$(printf '%s' "$out" | jq -r .hashID)
expect_contains "hash ID returned" "$hash_id" "ni:///sha-256;"
total=$((total + 1))
http POST /events "${JSONLD[@]}" --data-binary "$one"
expect_status "POST /events again" 409
two_doc=$(printf '%s' "$bad_doc" | jq -c '.epcisBody.eventList |= .[0:1] + .[0:1] | .epcisBody.eventList[1].epcList = ["urn:epc:id:sgtin:0614141.107346.9009"]')
http POST /events "${JSONLD[@]}" --data-binary "$two_doc"
expect_status "POST /events with two events" 400
expect_jq "two events refused" .field eventList
http POST /events "${JSONLD[@]}" --data-binary '{"type":"ObjectEvent","action":"OBSERVE"}'
expect_status "POST /events invalid event" 400

# ---- GET /events/{id} --------------------------------------------------------------------------
http GET /events/urn:uuid:6b7c2a8e-1f0e-4f36-9a51-0c8b5d3e9e01
expect_status "event by declared eventID" 200
expect_eq "$(count_events)" 1 "one event"
expect_jq "the event" '.epcisBody.queryResults.resultsBody.eventList[0].bizStep' inspecting
enc=$(jq -rn --arg s "$hash_id" '$s|@uri')
http GET "/events/$enc"
expect_status "event by hash ID (URL-encoded)" 200
expect_jq "same event" '.epcisBody.queryResults.resultsBody.eventList[0].eventID' urn:uuid:6b7c2a8e-1f0e-4f36-9a51-0c8b5d3e9e01
http GET /events/urn:uuid:00000000-0000-0000-0000-000000000000
expect_status "unknown event" 404

# ---- GET /events: filters, pagination ----------------------------------------------------------
http GET "/events?perPage=10000"
expect_status "all events" 200
expect_eq "$(count_events)" "$total" "events stored in all"
http GET "/events?EQ_bizStep=inspecting"
expect_eq "$(count_events)" 1 "EQ_bizStep filter"
http GET "/events?eventType=AggregationEvent&perPage=10000"
n_agg=$(count_events)
expect_eq "$(printf '%s' "$out" | jq '[.epcisBody.queryResults.resultsBody.eventList[] | select(.type != "AggregationEvent")] | length')" 0 "eventType filter"
url="/events?perPage=7"
seen="$TMP/seen"
: >"$seen"
pages=0
while [ -n "$url" ] && [ $pages -lt 1000 ]; do
    http GET "$url"
    [ "$status" = 200 ] || { bad "page $pages: status $status [$out]"; break; }
    printf '%s' "$out" | jq -r '.epcisBody.queryResults.resultsBody.eventList[] | .eventID // (.eventTime + (.epcList|tostring) + (.action // ""))' >>"$seen"
    pages=$((pages + 1))
    url=$(link_next)
done
expect_eq "$(wc -l <"$seen" | tr -d ' ')" "$total" "events over all pages"
expect_eq "$(sort "$seen" | uniq -d | wc -l | tr -d ' ')" 0 "no event repeated over pages"
expect_eq "$pages" $(((total + 6) / 7)) "number of pages"
http GET "/events?eventType=AggregationEvent&perPage=5"
nl=$(link_next)
expect_contains "Link keeps the filter" "$nl" "eventType=AggregationEvent"
expect_contains "Link has the token" "$nl" "nextPageToken="

# ---- bad query parameters ---------------------------------------------------------------------
http GET "/events?EQ_nonsense=1"
expect_status "unknown parameter" 400
expect_jq "parameter named" .field EQ_nonsense
expect_contains "QueryParameterException" "$(printf '%s' "$out" | jq -r .detail)" QueryParameterException
http GET "/events?GE_eventTime=yesterday"
expect_status "malformed time" 400
expect_jq "time parameter named" .field GE_eventTime
http GET "/events?perPage=0"
expect_status "perPage 0" 400
http GET "/events?nextPageToken=garbage"
expect_status "bad token" 400

# ---- content negotiation -----------------------------------------------------------------------
http GET "/events?EQ_bizStep=inspecting" -H 'Accept: application/ld+json'
expect_contains "JSON-LD" "$hdrs" "Content-Type: application/ld+json"
http GET "/events?EQ_bizStep=inspecting" -H 'Accept: application/json'
expect_contains "JSON" "$hdrs" "Content-Type: application/json"
http GET "/events?perPage=50" -H 'Accept: application/xml'
expect_status "XML" 200
expect_contains "XML content type" "$hdrs" "Content-Type: application/xml"
expect_contains "an EPCISQueryDocument" "$out" "EPCISQueryDocument"
XSD="$GS1/XSD/EPCglobal-epcis-query-2_0.xsd"
if command -v xmllint >/dev/null && [ -f "$XSD" ]; then
    printf '%s' "$out" >"$TMP/page.xml"
    if xmllint --noout --schema "$XSD" "$TMP/page.xml" 2>"$TMP/xmllint.err"; then ok; else bad "XML answer does not validate: $(head -5 "$TMP/xmllint.err")"; fi
else
    echo "SKIP: xmllint or the EPCIS query XSD is absent"
fi
http GET /events -H 'Accept: text/csv'
expect_status "unsatisfiable Accept" 406
http GET /events -H 'Accept: text/csv, application/xml;q=0.5'
expect_status "second choice" 200
http GET /bizSteps -H 'Accept: application/xml'
expect_status "collections are JSON only" 406

# ---- top-level resources ------------------------------------------------------------------------
http GET /eventTypes
expect_status "eventTypes" 200
expect_jq "ObjectEvent listed" '.member | index("ObjectEvent") != null' true
http GET /eventTypes/AggregationEvent/events?perPage=10000
expect_eq "$(count_events)" "$n_agg" "eventTypes/{type}/events"
http GET /bizSteps
expect_status "bizSteps" 200
expect_jq "inspecting listed" '.member | map(test("inspecting")) | any' true
http GET "/bizSteps?perPage=1"
expect_eq "$(printf '%s' "$out" | jq '.member | length')" 1 "bizSteps page of 1"
nb=$(printf '%s' "$out" | jq -r '.member[0]')
nl=$(link_next)
expect_contains "bizSteps Link" "$nl" "nextPageToken="
http GET "$nl"
expect_status "bizSteps page 2" 200
expect_jq "page 2 differs" ".member[0] != \"$nb\"" true
http GET "/bizSteps?nextPageToken=zz"
expect_status "bizSteps bad token" 400
http GET /bizSteps/inspecting/events
expect_eq "$(count_events)" 1 "bizSteps/{s}/events"
http GET /readPoints
expect_status "readPoints" 200
rp=$(printf '%s' "$out" | jq -r '.member[0]')
rpe=$(jq -rn --arg s "$rp" '$s|@uri')
http GET "/readPoints/$rpe/events?perPage=10000"
expect_status "readPoints/{r}/events" 200
expect_eq "$([ "$(count_events)" -ge 1 ] && echo yes)" yes "events at a read point"
http GET /bizLocations
expect_status "bizLocations" 200
http GET /dispositions
expect_status "dispositions" 200
dp=$(printf '%s' "$out" | jq -r '.member[0]')
http GET "/dispositions/$(jq -rn --arg s "$dp" '$s|@uri')/events"
expect_status "dispositions/{d}/events" 200
http GET /epcs/urn:epc:id:sgtin:0614141.107346.7001/events
expect_eq "$(count_events)" 1 "epcs/{epc}/events"
http GET /epcs
expect_status "epcs" 200
http GET /bizSteps/inspecting
expect_jq "sub-resources" '.member[0]' events

# ---- named queries ---------------------------------------------------------------------------------
http POST /queries -H 'Content-Type: application/json' --data-binary '{"name":"inspections","query":{"eventType":["ObjectEvent"],"EQ_bizStep":["inspecting","receiving"]}}'
expect_status "create named query" 201
expect_eq "$(header Location)" "/queries/inspections" "Location of the query"
http POST /queries -H 'Content-Type: application/json' --data-binary '{"name":"inspections","query":{"eventType":["ObjectEvent"]}}'
expect_status "name taken" 409
http POST /queries -H 'Content-Type: application/json' --data-binary '{"name":"broken","query":{"EQ_nonsense":["x"]}}'
expect_status "bad parameter in a named query" 400
expect_jq "bad member named" .field query.EQ_nonsense
http POST /queries -H 'Content-Type: application/json' --data-binary '{"query":{}}'
expect_status "no name" 400
http GET /queries
expect_jq "list of queries" 'map(.name) | index("inspections") != null' true
http GET /queries/inspections
expect_jq "query definition" '.query.EQ_bizStep[0]' inspecting
http GET /queries/inspections/events
expect_status "named query events" 200
expect_eq "$(printf '%s' "$out" | jq '[.epcisBody.queryResults.resultsBody.eventList[] | select(.bizStep == "inspecting")] | length')" 1 "named query result"
# kept in the store: a restarted server (or another one on the same store) has them
http_stop
http_start
http GET /queries/inspections/events
expect_status "named query after a restart" 200
expect_eq "$(printf '%s' "$out" | jq '[.epcisBody.queryResults.resultsBody.eventList[] | select(.bizStep == "inspecting")] | length')" 1 "named query result after a restart"
http DELETE /queries/inspections
expect_status "delete named query" 204
http GET /queries/inspections
expect_status "deleted query" 404
http GET /queries/inspections/events
expect_status "deleted query events" 404

# ---- the capture job list and the named query list come in pages ----------------------------------
# walk PATH FIELD: follow Link rel="next" from PATH with perPage=1, printing FIELD of each member
walk() {
    local path="$1?perPage=1" n=0
    while [ -n "$path" ] && [ $n -lt 50 ]; do
        http GET "$path"
        [ "$status" = 200 ] || { bad "page $path: status $status [$out]"; return; }
        jq -r ".[].$2" <<<"$out"
        path=$(sed -n 's/^link: <\([^>]*\)>; rel="next"$/\1/Ip' <<<"$hdrs")
        n=$((n + 1))
    done
}
for n in a b c; do
    http POST /queries -H 'Content-Type: application/json' --data-binary "{\"name\":\"page-$n\",\"query\":{\"EQ_bizStep\":\"shipping\"}}"
done
http GET /queries
all=$(jq -r '.[].name' <<<"$out" | tr '\n' ' ')
paged=$(walk /queries name | tr '\n' ' ')
expect_eq "$paged" "$all" "named queries one per page, in name order, none twice"
expect_contains "every named query" "$paged" "page-a page-b page-c"
for _ in 1 2 3; do # jobs live in memory: this server (restarted above) has none yet
    http POST /capture "${XMLCT[@]}" --data-binary "@$DEMO"
done
http GET /capture
all=$(jq -r '.[].captureID' <<<"$out" | tr '\n' ' ')
paged=$(walk /capture captureID | tr '\n' ' ')
expect_eq "$paged" "$all" "capture jobs one per page, newest first, none twice"
[ "$(wc -w <<<"$all")" -ge 2 ] && ok || bad "at least two capture jobs to page through: [$all]"
http GET "/capture?nextPageToken=zz"
expect_status "a token that is no token" 400

# a document over a limit (a string of more than 64 KiB): 413, the same status in the problem
python3 - "$TMP/big.jsonld" <<'PY'
import json, sys
ev = {"type": "ObjectEvent", "eventTime": "2024-01-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
      "epcList": ["urn:epc:id:sgtin:0614141.107346.1"], "action": "OBSERVE", "bizStep": "x" * 70000}
doc = {"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
       "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2024-01-01T00:00:00Z",
       "epcisBody": {"eventList": [ev]}}
open(sys.argv[1], "w").write(json.dumps(doc))
PY
http POST "/capture?sync=true" -H 'Content-Type: application/ld+json' --data-binary @"$TMP/big.jsonld"
expect_status "a string over the limit" 413
expect_jq "the problem says 413 too" '[.status, .type] | @csv' '413,"epcisException:CaptureLimitExceededException"'
expect_contains "and names the limit" "$out" "the limit is 65536"

# ---- nothing written on bad input ---------------------------------------------------------------------
http GET "/events?perPage=10000"
expect_eq "$(count_events)" "$total" "events after all the bad requests"

http_stop
expect_eq "$stop_rc" 0 "clean exit on SIGTERM"

# ---- a capture refused by a lifecycle rule: the job tells what the synchronous answer tells ----------
http_start --rules duplicate_commissioning=reject
commission() {
    printf '{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2024-01-01T00:00:00Z","epcisBody":{"eventList":[{"type":"ObjectEvent","eventTime":"%s","eventTimeZoneOffset":"+00:00","epcList":["urn:epc:id:sgtin:0614141.107346.777001"],"action":"ADD","bizStep":"commissioning","disposition":"active"}]}}' "$1"
}
http POST "/capture?sync=true" "${JSONLD[@]}" --data-binary "$(commission 2024-05-01T08:00:00Z)"
expect_status "first commissioning" 201
http POST "/capture?sync=true" "${JSONLD[@]}" --data-binary "$(commission 2024-05-02T08:00:00Z)"
expect_status "second commissioning refused by the rule (sync)" 409
expect_contains "sync problem+json" "$hdrs" "Content-Type: application/problem+json"
expect_jq "sync problem status" .status 409
expect_jq "sync errors carry 409" '[.errors[].status] | unique | @csv' 409
expect_contains "sync names the rule" "$out" duplicate_commissioning
sync_problem=$(jq -cS . <<<"$out")
http POST /capture "${JSONLD[@]}" --data-binary "$(commission 2024-05-03T08:00:00Z)"
expect_status "second commissioning accepted as a job" 202
wait_job "$(header Location)"
expect_jq "job failed" '[.running, .success] | @csv' 'false,false'
expect_jq "job carries 409" .status 409
expect_jq "job errors carry 409" '[.errors[].status] | unique | @csv' 409
expect_jq "job errors name the rule" '[.errors[].message | test("duplicate_commissioning")] | all' true
expect_eq "$(jq -cS .problem <<<"$out")" "$sync_problem" "the job's problem is the synchronous answer"
expect_eq "$(jq -cS .errors <<<"$out")" "$(jq -cS .errors <<<"$sync_problem")" "the job's errors are its"
http GET "/events?MATCH_epc=urn:epc:id:sgtin:0614141.107346.777001"
expect_eq "$(count_events)" 1 "only the first commissioning stored"
http_stop
expect_eq "$stop_rc" 0 "clean exit on SIGTERM"
summary
