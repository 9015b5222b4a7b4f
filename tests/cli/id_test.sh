#!/usr/bin/env bash
# Black-box tests of `serialtrack id parse` and `serialtrack id encode`: the
# JSON contract, every input form giving one key, precise errors with exit 1,
# the line-by-line stdin mode, EPC encoding, and usage errors (exit 2).
# Usage: id_test.sh PATH-TO-serialtrack
set -u
BIN=${1:?usage: id_test.sh PATH-TO-serialtrack}
. "$(dirname "$0")/lib.sh"

KEY=https://id.gs1.org/01/80614141123458/21/6789

# One unit, five forms, one key.
for input in '(01)80614141123458(21)6789' $']d20180614141123458216789' \
    'https://example.com/some/stem/01/80614141123458/21/6789?17=261231' \
    'urn:epc:id:sgtin:0614141.812345.6789' 'urn:epc:tag:sgtin-96:3.0614141.812345.6789' \
    '3074257BF7194E4000001A85' '3074257bf7194e4000001a85'; do
    st id parse "$input"
    expect_rc "parse $input" 0
    expect_jq "key of $input" .key "$KEY"
    expect_jq "valid $input" .valid true
    expect_jq "input echoed" .input "$input"
done

st id parse '(01)80614141123458(21)6789'
expect_jq "format es" .format element-string
expect_jq "ais" '[.ais[] | .ai + "=" + .value] | join(",")' "01=80614141123458,21=6789"
expect_jq "hri" .hri '(01)80614141123458(21)6789'
expect_jq "dl" .digital_link "$KEY"
expect_jq "no epc without gcp" '.epc_uri // "none"' none
expect_contains "epc reason" "$out" "Company Prefix length is unknown"

st id parse --gcp-len 7 '(01)80614141123458(21)6789'
expect_jq "epc with gcp" .epc_uri urn:epc:id:sgtin:0614141.812345.6789

printf '0614141\n# comment\n95012 7\n' >"$TMP/gcp.txt"
st id parse --gcp-file "$TMP/gcp.txt" '(01)80614141123458(21)6789'
expect_jq "epc from prefix file" .epc_uri urn:epc:id:sgtin:0614141.812345.6789
SERIALTRACK_GCP_FILE=$TMP/gcp.txt st id parse '(00)106141412345678908'
expect_jq "sscc via env prefix file" .epc_uri urn:epc:id:sscc:0614141.1234567890

st id parse '3074257BF7194E4000001A85'
expect_jq "format hex" .format epc-hex
expect_jq "tag uri" .tag_uri urn:epc:tag:sgtin-96:3.0614141.812345.6789
expect_jq "epc uri from hex" .epc_uri urn:epc:id:sgtin:0614141.812345.6789
expect_jq "hex echoed" .hex 3074257BF7194E4000001A85

st id parse 'urn:epc:tag:sgtin-96:3.0614141.812345.6789'
expect_jq "format tag" .format epc-tag-uri
expect_jq "hex from tag" .hex 3074257BF7194E4000001A85

st id parse 'https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426'
expect_jq "format dl" .format digital-link
expect_jq "dl key drops lot and expiry" .key https://id.gs1.org/01/09520123456788/21/12345
expect_jq "dl hri" .hri '(01)09520123456788(10)ABC1(21)12345(17)180426'

st id parse '(01)04012345123456(10)Lot987' --gcp-len 7
expect_jq "lot key" .key https://id.gs1.org/01/04012345123456/10/Lot987
expect_jq "lgtin class" .epc_uri urn:epc:class:lgtin:4012345.012345.Lot987

st id parse '(00)106141412345678908'
expect_jq "sscc key" .key https://id.gs1.org/00/106141412345678908
st id parse '(414)0614141123452(254)400'
expect_jq "sgln key" .key https://id.gs1.org/414/0614141123452/254/400
st id parse 'urn:epc:id:sgln:0614141.12345.400'
expect_jq "sgln from epc" .key https://id.gs1.org/414/0614141123452/254/400
st id parse '1234567890128'
expect_jq "bare gtin-13" .key https://id.gs1.org/01/01234567890128
st id parse ']E402345673'
expect_jq "ean-8 scan" .key https://id.gs1.org/01/00000002345673

# Invalid input: JSON on stdout, exit 1, the AI, position and rule named.
st id parse '(01)80614141123457(21)6789'
expect_rc "bad check digit exit" 1
expect_jq "bad check digit valid" .valid false
expect_jq "bad check digit msg" .error "AI 01: check digit is 7, expected 8"
expect_jq "bad check digit ai" .ai 01
expect_jq "bad check digit position" .position 17
st id parse '(21)ABC123'
expect_rc "serial alone exit" 1
expect_contains "serial alone msg" "$out" "requires 01, 03 or 8006"
st id parse 'https://id.gs1.org/01/09520123456788?10=ABC123'
expect_rc "lot in query exit" 1
expect_jq "lot in query ai" .ai 10
st id parse 'urn:epc:id:sgtin:0614141.812345.67#89'
expect_rc "bad epc char" 1
st id parse '3F74257BF7194E4000001A8'
expect_rc "bad hex" 1
st id parse ''
expect_rc "empty" 1

# stdin: one JSON line per input line, in order; exit 0 even with bad lines.
printf '(01)09520123456788(21)1\nnot-an-id\r\nurn:epc:id:sscc:0614141.1234567890\n\n' >"$TMP/in"
"$BIN" id parse - <"$TMP/in" >"$TMP/lines"
rc=$?
expect_rc "stdin exit" 0
out=$(cat "$TMP/lines")
expect_jq "stdin count" '.valid' $'true\nfalse\ntrue\nfalse'
expect_jq "stdin order" '.input | select(. != "")' $'(01)09520123456788(21)1\nnot-an-id\nurn:epc:id:sscc:0614141.1234567890'
expect_contains "stdin names the forms" "$out" "not a recognised identifier"

# encode
st id encode --scheme sgtin-96 --filter 3 --gcp-len 7 '(01)80614141123458(21)6789'
expect_rc "encode exit" 0
[ "$out" = 3074257BF7194E4000001A85 ] && ok || bad "encode sgtin-96: [$out]"
st id encode --scheme sgtin-198 --filter 3 'urn:epc:id:sgtin:0614141.712345.32a%2Fb'
[ "$out" = 3674257BF6B7A659B2C2BF100000000000000000000000000000 ] && ok || bad "sgtin-198: [$out] $err"
st id encode --scheme sscc-96 --filter 2 'urn:epc:id:sscc:0614141.1234567890'
[ "$out" = 3154257BF4499602D2000000 ] && ok || bad "sscc-96: [$out] $err"
st id encode --scheme sgtin-96 '(01)80614141123458(21)6789'
expect_rc "encode without gcp" 1
expect_contains "encode without gcp msg" "$err" "Company Prefix"
st id encode --scheme sgtin-96 --gcp-len 7 '(01)80614141123458(21)0123'
expect_rc "leading zero serial" 1
st id encode --scheme sgtin-96 --gcp-len 7 '(00)106141412345678908'
expect_rc "wrong scheme" 1

# usage errors: exit 2
st id parse
expect_rc "no input" 2
st id parse --gcp-len 3 '(01)80614141123458'
expect_rc "gcp too short" 2
st id encode '(01)80614141123458(21)1'
expect_rc "encode needs scheme" 2
st id frobnicate
expect_rc "unknown sub" 2

summary
