#!/usr/bin/env bash
# Black-box tests of `serialtrack serials generate`: exact output of the
# sequential and template schemes, the random scheme's pinned, distinct and
# well-formed output with its EU FMD line, the DSCSA profile, and usage (exit 2)
# and invalid-value (exit 1) errors. Usage: serials_test.sh PATH-TO-serialtrack
set -u

BIN=${1:?usage: serials_test.sh PATH-TO-serialtrack}
GTIN=09520123456788
KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() {
    fail=$((fail + 1))
    echo "FAIL: $*"
}

# run ARGS...: run `serialtrack serials ARGS...`; sets rc, out and err.
run() {
    "$BIN" serials "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    out=$(cat "$TMP/out")
    err=$(cat "$TMP/err")
}

# expect_out NAME WANT ARGS...: exit 0 and stdout exactly WANT.
expect_out() {
    local name=$1 want=$2
    shift 2
    run "$@"
    if [ "$rc" -eq 0 ] && [ "$out" = "$want" ]; then
        ok
    else
        bad "$name: exit $rc, stdout [$out], stderr [$err]; expected exit 0 and [$want]"
    fi
}

# expect_fail NAME CODE FRAGMENT ARGS...: exit CODE, nothing on stdout, and a
# stderr line "serialtrack serials: ...FRAGMENT...".
expect_fail() {
    local name=$1 code=$2 frag=$3
    shift 3
    run "$@"
    if [ "$rc" -eq "$code" ] && [ -z "$out" ] &&
        grep -F -- "$frag" <<<"$err" | grep -q '^serialtrack serials: '; then
        ok
    else
        bad "$name: exit $rc, stdout [$out], stderr [$err]; expected exit $code and [$frag]"
    fi
}

# check NAME CONDITION...: one assertion on anything.
check() {
    local name=$1
    shift
    if "$@"; then ok; else bad "$name"; fi
}

G=(generate --gtin "$GTIN") # the common start of a command line

# ---- sequential --------------------------------------------------------------
expect_out "sequential, prefix and width" $'LOT000001\nLOT000002\nLOT000003' \
    "${G[@]}" --count 3 --scheme sequential --start 1 --width 6 --prefix LOT
expect_out "sequential, plain" $'98\n99\n100' "${G[@]}" --count 3 --scheme sequential --start 98
expect_out "sequential, suffix and --opt=value" $'0007-A\n0008-A' \
    generate --gtin=$GTIN --count=2 --scheme=sequential --start=7 --width=4 --suffix=-A
expect_out "sequential, last serials of the width" $'97\n98\n99' \
    "${G[@]}" --count 3 --scheme sequential --start 97 --width 2
expect_fail "sequential, count beyond the width" 1 "--count 4 is more than the 3 serials" \
    "${G[@]}" --count 4 --scheme sequential --start 97 --width 2
expect_fail "sequential, start too wide" 1 "start 1000 needs 4 digits; width is 3" \
    "${G[@]}" --count 1 --scheme sequential --start 1000 --width 3
expect_fail "sequential, prefix outside CSET 82" 1 "prefix: byte 2 ('#') is not in CSET 82" \
    "${G[@]}" --count 1 --scheme sequential --prefix 'AB#'

# ---- template ----------------------------------------------------------------
expect_out "template, year + category + sequence" $'202507000001\n202507000002\n202507000003' \
    "${G[@]}" --count 3 --scheme template --template '{YYYY}07{SEQ:6}' --year 2025 --start 1
expect_out "template, {YY} and literals" $'X99-8\nX99-9' \
    "${G[@]}" --count 2 --scheme template --template 'X{YY}-{SEQ:1}' --year 1999 --start 8
run "${G[@]}" --count 50 --scheme template --template '{YY}{MM}{DD}{SEQ:3}{RAND:4}' --alphabet ABC
today=$(date -u +%y%m%d)
check "template with clock and {RAND}: 50 lines" [ "$rc" -eq 0 -a "$(wc -l <"$TMP/out")" -eq 50 ]
check "template with clock and {RAND}: every line matches ^[0-9]{9}[ABC]{4}\$" \
    [ "$(grep -cvE '^[0-9]{9}[ABC]{4}$' "$TMP/out")" -eq 0 ]
check "template with clock: today's UTC date, then the sequence" \
    [ "$(head -1 "$TMP/out" | cut -c1-9)" = "${today}000" ]
expect_fail "template, unknown placeholder" 1 "unknown placeholder {FOO} at byte 0" \
    "${G[@]}" --count 1 --scheme template --template '{FOO}{SEQ:3}'
expect_fail "template, too long" 1 "template makes serials of 21 characters" \
    "${G[@]}" --count 1 --scheme template --template '{YYYY}{SEQ:17}'
expect_fail "template, no {SEQ}" 1 "exactly one is required" \
    "${G[@]}" --count 1 --scheme template --template 'AB{RAND:3}'
expect_fail "template, exhausted" 1 "--count 11 is more than the 10 serials" \
    "${G[@]}" --count 11 --scheme template --template 'A{SEQ:1}'

# ---- random ------------------------------------------------------------------
expect_out "random, pinned sequence for a fixed key" \
    $'05SZCSX9GOJG\nM92CHXWMADBX\n12DQDOXKYAS2\nKTLFY46E7TUY\n2JYQUTEGB3CC' \
    "${G[@]}" --count 5 --scheme random --key "$KEY"
expect_out "random, the whole of a tiny space" $'100\n101\n110\n010\n001\n000\n011\n111' \
    "${G[@]}" --count 8 --scheme random --key "$KEY" --alphabet 01 --length 3
check "random, tiny space fails the EU FMD bound" \
    grep -q "serial space 2^3 = 8; .*does NOT meet the EU FMD bound" <<<"$err"
expect_fail "random, count beyond the space" 1 "--count 9 is more than the 8 serials" \
    "${G[@]}" --count 9 --scheme random --alphabet 01 --length 3

start=$(date +%s%N)
"$BIN" serials generate --gtin "$GTIN" --count 100000 --scheme random >"$TMP/many" 2>"$TMP/many.err"
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
check "random 100000: exit 0" [ "$rc" -eq 0 ]
check "random 100000: 100000 lines" [ "$(wc -l <"$TMP/many")" -eq 100000 ]
check "random 100000: all distinct" [ "$(sort -u "$TMP/many" | wc -l)" -eq 100000 ]
check "random 100000: every line matches ^[0-9A-Z]{12}\$" \
    [ "$(grep -cvE '^[0-9A-Z]{12}$' "$TMP/many")" -eq 0 ]
check "random 100000: one stderr line" [ "$(wc -l <"$TMP/many.err")" -eq 1 ]
check "random 100000: stderr states space, probability and EU FMD verdict" \
    grep -qE '^serial space 36\^12 = 4738381338321616896; guessing probability with 100000 issued: 2\.11e-14 \(1 in 47383813383216\); meets the EU FMD bound' \
    "$TMP/many.err"
check "random 100000: took ${ms} ms (bound 10000)" [ "$ms" -lt 10000 ]
"$BIN" serials generate --gtin "$GTIN" --count 1000 --scheme random >"$TMP/other" 2>/dev/null
check "random without a key: a fresh key each run" [ "$(head -1000 "$TMP/many")" != "$(cat "$TMP/other")" ]

run "${G[@]}" --count 100 --scheme random --alphabet 0123456789 --length 6
check "random, 10^6 space with 100 issued misses the EU FMD bound" \
    grep -q "1 in 10000); does NOT meet the EU FMD bound" <<<"$err"
expect_fail "random, alphabet repeats" 1 "alphabet: 'A' at byte 2 repeats byte 0" \
    "${G[@]}" --count 1 --scheme random --alphabet ABA
expect_fail "random, length too long" 1 "length 21 is not 1..20" \
    "${G[@]}" --count 1 --scheme random --length 21
expect_fail "random, short key" 1 "--key must be 64 hex digits (32 bytes), not 3" \
    "${G[@]}" --count 1 --scheme random --key abc
expect_fail "random, key not hex" 1 "--key: byte 63 ('g') is not a hex digit" \
    "${G[@]}" --count 1 --scheme random --key "${KEY%?}g"

# ---- DSCSA profile -------------------------------------------------------------
run "${G[@]}" --count 1000 --scheme random --profile dscsa --length 20 \
    --alphabet 0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz
check "dscsa random: exit 0" [ "$rc" -eq 0 ]
check "dscsa random: 1000 lines of ^[0-9A-Za-z]{20}\$" \
    [ "$(grep -cE '^[0-9A-Za-z]{20}$' "$TMP/out")" -eq 1000 ]
expect_out "dscsa template" $'US26x0000\nUS26x0001' \
    "${G[@]}" --count 2 --scheme template --profile dscsa --template 'US{YY}x{SEQ:4}' --year 2026
expect_fail "dscsa alphabet with '-'" 1 "alphabet: byte 2 ('-') is not in the DSCSA set" \
    "${G[@]}" --count 1 --scheme random --profile dscsa --alphabet 'AB-'
expect_fail "dscsa template with '-'" 1 "template: byte 1 ('-') is not in the DSCSA set" \
    "${G[@]}" --count 1 --scheme template --profile dscsa --template 'A-{SEQ:3}'
expect_fail "dscsa sequential prefix with '/'" 1 "prefix: byte 0 ('/') is not in the DSCSA set" \
    "${G[@]}" --count 1 --scheme sequential --profile dscsa --prefix '/'

# ---- GTINs ---------------------------------------------------------------------
for g in 02345673 416000336108 1234567890128 12345678901231; do
    expect_out "valid GTIN $g" "1" generate --gtin $g --count 1 --scheme sequential --start 1
done
expect_fail "GTIN with a wrong check digit" 1 "--gtin '1234567890129': check digit is 9, expected 8" \
    generate --gtin 1234567890129 --count 1 --scheme sequential
expect_fail "GTIN-8 with a wrong check digit" 1 "check digit is 3, expected 0" \
    generate --gtin 12345673 --count 1 --scheme sequential
expect_fail "GTIN of 10 digits" 1 "a GTIN has 8, 12, 13 or 14 digits, not 10" \
    generate --gtin 1234567890 --count 1 --scheme sequential
expect_fail "GTIN with a letter" 1 "--gtin '0952012345678X': byte 13 is not a digit" \
    generate --gtin 0952012345678X --count 1 --scheme sequential

# ---- usage errors (exit 2) and bad values (exit 1) ---------------------------------
run
check "no subcommand: exit 2, nothing on stdout" [ "$rc" -eq 2 -a -z "$out" ]
check "no subcommand: usage on stderr" grep -q "^usage: serialtrack serials generate" <<<"$err"
expect_fail "unknown subcommand" 2 "unknown subcommand 'frob'" frob
expect_fail "missing --gtin" 2 "--gtin is required" generate --count 1 --scheme sequential
expect_fail "missing --count" 2 "--count is required" generate --gtin $GTIN --scheme sequential
expect_fail "missing --scheme" 2 "--scheme is required" generate --gtin $GTIN --count 1
expect_fail "unknown scheme" 2 "--scheme must be sequential, template or random, not 'foo'" \
    "${G[@]}" --count 1 --scheme foo
expect_fail "unknown option" 2 "unknown option '--bogus'" \
    "${G[@]}" --count 1 --scheme random --bogus 1
expect_fail "option without a value" 2 "--scheme needs a value" "${G[@]}" --count 1 --scheme
expect_fail "option given twice" 2 "--count given twice" \
    "${G[@]}" --count 1 --count 2 --scheme random
expect_fail "option the scheme does not use" 2 "--template is not used by --scheme sequential" \
    "${G[@]}" --count 1 --scheme sequential --template '{SEQ:3}'
expect_fail "--key with sequential" 2 "--key is not used by --scheme sequential" \
    "${G[@]}" --count 1 --scheme sequential --key "$KEY"
expect_fail "unknown profile" 2 "--profile must be gs1 or dscsa, not 'eu'" \
    "${G[@]}" --count 1 --scheme random --profile eu
expect_fail "count 0" 1 "--count: '0' is not a whole number 1..10000000" \
    "${G[@]}" --count 0 --scheme random
expect_fail "count above the cap" 1 "--count: '10000001' is not a whole number 1..10000000" \
    "${G[@]}" --count 10000001 --scheme random
expect_fail "count not a number" 1 "--count: '12x' is not a whole number" \
    "${G[@]}" --count 12x --scheme random
expect_fail "width negative" 1 "--width: '-1' is not a whole number" \
    "${G[@]}" --count 1 --scheme sequential --width -1
run generate --help
check "generate --help: usage on stdout, exit 0" \
    [ "$rc" -eq 0 -a "$(head -1 "$TMP/out" | cut -c1-34)" = "usage: serialtrack serials generat" ]

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
