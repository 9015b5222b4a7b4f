#!/usr/bin/env bash
# Durability: kill -9 the capturing process at random moments during
# sustained capture, many times. After every kill:
#  - every document whose capture was reported as stored is there, whole;
#  - the document being captured when the process died is there whole or
#    not at all (no partial document is visible);
#  - audit verify recomputes the whole chain without a break.
# Then capture resumes with the document that was cut off (capture is
# idempotent, so retrying is safe). Bounded: ROUNDS kills, each after a
# random delay of at most 0.6 s.
#   usage: durability_test.sh path/to/serialtrack
BIN=${1:?usage: durability_test.sh path/to/serialtrack}
. "$(dirname "$0")/lib.sh"
for tool in sqlite3 jq; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done

ROUNDS=${ST_DURABILITY_ROUNDS:-12}
DOCS=40
db="$TMP/store.db"
mkdir "$TMP/docs"
"$BIN" demo --out "$TMP/docs" --events $((DOCS * 1000)) --per-doc 1000 --seed 7 >/dev/null ||
    { echo "FAIL: cannot generate the documents"; exit 1; }
docs=("$TMP"/docs/chain-*.xml)

# For each document: a SQL statement counting how many of its events are stored.
for f in "${docs[@]}"; do
    {
        printf 'SELECT count(*) FROM event WHERE hash IN ('
        "$BIN" hash "$f" | sed -E "s/^ni:\/\/\/sha-256;([0-9a-f]{64}).*/X'\1'/" | paste -sd, -
        printf ');\n'
    } >"$f.sql"
    "$BIN" hash "$f" | wc -l >"$f.n"
done

stored_of() { sqlite3 "$db" <"$1.sql"; }

next=0   # first document not yet acknowledged
acked="$TMP/acked"
: >"$acked"
for round in $(seq 1 "$ROUNDS"); do
    [ "$next" -lt "${#docs[@]}" ] || break
    # capture the remaining documents one process each, acknowledging each one
    (
        for ((i = next; i < ${#docs[@]}; i++)); do
            "$BIN" capture --db "$db" "${docs[$i]}" >"$TMP/cap.out" &
            echo "$! $i" >"$TMP/current"
            wait $! && echo "$i" >>"$acked"
        done
    ) &
    loop=$!
    sleep "$(awk -v s="$RANDOM" 'BEGIN { srand(s); printf "%.3f", 0.05 + rand() * 0.55 }')"
    if read -r pid cur <"$TMP/current" 2>/dev/null; then
        kill -9 "$pid" 2>/dev/null
    fi
    kill -9 "$loop" 2>/dev/null
    wait "$loop" 2>/dev/null
    # every acknowledged document is whole
    lost=0
    while read -r i; do
        n=$(cat "${docs[$i]}.n")
        got=$(stored_of "${docs[$i]}")
        [ "$got" = "$n" ] || { lost=1; bad "round $round: document $i was acknowledged but $got of $n events are stored"; }
    done <"$acked"
    [ "$lost" = 0 ] && ok
    # the document cut off is all or nothing
    if [ -n "${cur:-}" ]; then
        n=$(cat "${docs[$cur]}.n")
        got=$(stored_of "${docs[$cur]}")
        echo "round $round: killed while capturing document $cur ($got of $n events stored)"
        if [ "$got" = 0 ] || [ "$got" = "$n" ]; then ok; else
            bad "round $round: document $cur is partly stored ($got of $n events)"
        fi
    fi
    st audit verify --db "$db"
    expect_rc "round $round: audit verify after kill -9" 0
    expect_jq "round $round: chain ok" .ok true
    # resume after the last acknowledged document
    last=$(tail -n 1 "$acked")
    next=$(( ${last:--1} + 1 ))
    rm -f "$TMP/current"
    cur=
done

# finish the rest without interruption: every document whole, nothing twice
for ((i = next; i < ${#docs[@]}; i++)); do
    "$BIN" capture --db "$db" "${docs[$i]}" >/dev/null || bad "final capture of document $i failed"
done
total=0
for f in "${docs[@]}"; do total=$((total + $(cat "$f.n"))); done
st db info --db "$db"
expect_jq "all events stored exactly once" .events "$total"
st audit verify --db "$db"
expect_jq "final chain ok" .ok true
summary
