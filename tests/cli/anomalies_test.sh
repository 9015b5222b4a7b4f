#!/usr/bin/env bash
# Lifecycle rules from the command line: a clean demo chain raises nothing;
# planted anomalies are listed by `anomalies` as JSON lines (type, key, epc,
# event, detected_at, evidence) and filtered by --type, --since and
# --location; `capture --rules` and $SERIALTRACK_RULES reject a document
# whole; `verify` answers the public check without private fields.
#   usage: anomalies_test.sh path/to/serialtrack
BIN=${1:?usage: anomalies_test.sh path/to/serialtrack}
. "$(dirname "$0")/lib.sh"
need_tools jq

# the demo plants a counterfeit, a clone and a resurrected serial: each is
# found, once, and nothing else is
PLANTED=$TMP/planted.db
st demo --db "$PLANTED" --units 2000
expect_rc "demo with its planted anomalies" 0
want=$(jq -r '"unknown_serial \(.counterfeit)|impossible_travel \(.clone)|event_after_decommission \(.resurrected)"' <<<"$out")
st anomalies --db "$PLANTED"
got=$(jq -r '"\(.type) \(.epc)"' <<<"$out" | while read -r t k; do
    printf '%s %s|' "$t" "$("$BIN" id parse --gcp-len 7 "$k" | jq -r .epc_uri)"; done)
[ "$got" = "$want|" ] && ok || bad "the planted anomalies, each once: got [$got], expected [$want|]"

DB=$TMP/a.db
st demo --db "$DB" --units 2000 --anomalies 0
expect_rc "demo" 0
UNIT=$(jq -r .unit <<<"$out")
st anomalies --db "$DB"
expect_rc "anomalies of a clean chain" 0
expect_contains "a clean chain raises none" "[$out]" "[]"

U=urn:epc:id:sgtin:0614141.107346 # GTIN 10614141073464
UKEY=https://id.gs1.org/01/10614141073464/21
A=urn:epc:id:sgln:0614141.00001.0
B=urn:epc:id:sgln:0614141.00002.0
BKEY=https://id.gs1.org/414/0614141000029
CTX='"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2024-01-01T00:00:00Z"'
TZ='"eventTimeZoneOffset":"+00:00"'
obs() { # time epcs step disposition location
    printf '{"type":"ObjectEvent","eventTime":"%s",%s,"epcList":[%s],"action":"OBSERVE","bizStep":"%s","disposition":"%s","readPoint":{"id":"%s"},"bizLocation":{"id":"%s"}}' \
        "$1" "$TZ" "$2" "$3" "$4" "$5" "$5"
}
doc() { printf '{%s,"epcisBody":{"eventList":[%s]}}' "$CTX" "$1"; }

doc "{\"type\":\"ObjectEvent\",\"eventTime\":\"2024-03-01T08:00:00Z\",$TZ,\"epcList\":[\"$U.1\",\"$U.2\"],\"action\":\"ADD\",\"bizStep\":\"commissioning\",\"disposition\":\"active\",\"bizLocation\":{\"id\":\"$A\"}}" >"$TMP/c.jsonld"
doc "$(obs 2024-03-02T08:00:00Z "\"$U.1\",\"$U.9\"" shipping in_transit "$B")" >"$TMP/unknown.jsonld"
doc "$(obs 2024-03-02T09:00:00Z "\"$U.2\"" holding recalled "$A"),$(obs 2024-03-02T10:00:00Z "\"$U.2\"" shipping in_transit "$A")" >"$TMP/recalled.jsonld"

st capture --db "$DB" "$TMP/c.jsonld"
expect_jq "commissioning" .stored 1

# reject mode: the document is refused whole, naming rule, event and identifier
st capture --db "$DB" --rules unknown_serial=reject "$TMP/unknown.jsonld"
expect_rc "rejected by --rules" 1
expect_jq "nothing stored" '[.stored, .rejected]|@csv' '0,1'
expect_jq "the message names the rule" '.errors[0].message|test("lifecycle rule unknown_serial refuses event 0 \\(https://id.gs1.org/01/10614141073464/21/9\\)")' true
SERIALTRACK_RULES=all=reject st capture --db "$DB" "$TMP/unknown.jsonld"
expect_rc "rejected by SERIALTRACK_RULES" 1
st capture --db "$DB" --rules unknown_serial=maybe "$TMP/unknown.jsonld"
expect_rc "bad --rules" 2
expect_contains "bad --rules message" "$err" "none of flag, reject, off"
st anomalies --db "$DB"
expect_contains "rejections record nothing" "[$out]" "[]"

# flag mode (the default): stored, and listed
st capture --db "$DB" "$TMP/unknown.jsonld"
expect_jq "flagged document stored" .stored 1
st capture --db "$DB" "$TMP/recalled.jsonld"
expect_jq "second document stored" .stored 2
st anomalies --db "$DB"
expect_rc "anomalies" 0
expect_jq "two anomalies" '[inputs] | length' 1 # jq reads the first line as ., the rest as inputs
expect_jq "first: unknown_serial" 'select(.type=="unknown_serial")|.key' "$UKEY/9"
expect_jq "its fields" 'select(.type=="unknown_serial")|[has("epc"), (.event|test("^ni:///sha-256;")), (.detected_at|test("Z$")), .evidence.role]|@csv' 'true,true,true,"epc"'
st anomalies --db "$DB" --type recalled_or_stolen_moved
expect_jq "--type" '[.type, .key, .evidence.disposition]|@csv' "\"recalled_or_stolen_moved\",\"$UKEY/2\",\"recalled\""
st anomalies --db "$DB" --location "$B"
expect_jq "--location" '.type' unknown_serial
st anomalies --db "$DB" --location "$BKEY"
expect_jq "--location as a Digital Link" '.type' unknown_serial
st anomalies --db "$DB" --since 2999-01-01
expect_rc "--since" 0
expect_contains "--since in the future" "[$out]" "[]"
st anomalies --db "$DB" --type nonsense
expect_rc "--type unknown" 2
expect_contains "--type message" "$err" "unknown anomaly type \"nonsense\""
st anomalies --db "$DB" --since yesterday
expect_rc "--since bad" 2

# verify: the public check
st verify --db "$DB" "$UNIT"
expect_rc "verify a demo unit" 0
expect_jq "genuine" '[.genuine, (.product.gtin|length), (.warnings|length)]|@csv' 'true,14,0'
expect_jq "nothing private" '[paths|map(tostring)|join(".")]|map(select(test("location|party|owner|history|readPoint|bizLocation|event")))|length' 0
st verify --db "$DB" "$U.2"
expect_jq "recalled unit" '[.genuine, .status, (.warnings|index("recalled") != null)]|@csv' 'true,"in_transit",true'
st verify --db "$DB" "$U.9"
expect_jq "never commissioned" '[.genuine, .status, .warnings[0]]|@csv' 'false,"not_commissioned","not_commissioned"'
st verify --db "$DB" "$UKEY/424242"
expect_jq "never seen" '[.genuine, .status]|@csv' 'false,"unknown"'
st verify --db "$DB" "not an identifier at all"
expect_rc "verify garbage" 1

summary
