# Shared helpers for the black-box tests of the serialtrack program.
# Source it, set BIN, then call the expect_* functions; finish with `summary`.
# Each failed assertion prints one FAIL line; summary prints
# "N passed, N failed" and exits non-zero on any failure.

pass=0
fail=0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# need_tools TOOL...: skip the whole test (exit 77) when one is missing.
need_tools() {
    local t
    for t in "$@"; do
        command -v "$t" >/dev/null 2>&1 ||
            { echo "SKIP: $t is not installed (scripts/install-deps.sh installs it)"; exit 77; }
    done
}

ok() { pass=$((pass + 1)); }
bad() {
    fail=$((fail + 1))
    echo "FAIL: $*"
}

# st ARGS...: run the program; sets rc, out and err.
st() {
    "$BIN" "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    out=$(cat "$TMP/out")
    err=$(cat "$TMP/err")
}

# expect_rc NAME WANT: the last command exited WANT.
expect_rc() {
    if [ "$rc" -eq "$2" ]; then ok; else bad "$1: exit $rc, expected $2; stderr [$err]"; fi
}

# expect_jq NAME FILTER WANT: jq -r FILTER over the last stdout gives WANT.
expect_jq() {
    local got
    got=$(printf '%s' "$out" | jq -r "$2" 2>&1)
    if [ "$got" = "$3" ]; then ok; else bad "$1: $2 = [$got], expected [$3]; output [$out]"; fi
}

# expect_eq GOT WANT WHAT: GOT must equal WANT
expect_eq() { if [ "$1" = "$2" ]; then ok; else bad "$3: [$1], expected [$2]"; fi; }

# expect_contains NAME HAYSTACK NEEDLE
expect_contains() {
    case "$2" in
    *"$3"*) ok ;;
    *) bad "$1: [$2] does not contain [$3]" ;;
    esac
}

summary() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}
