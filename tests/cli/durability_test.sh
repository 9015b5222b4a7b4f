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
need_tools sqlite3 jq

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

# (a busy timeout: the first reader after a crash may wait for WAL recovery)
stored_of() { sqlite3 -cmd ".timeout 10000" "$db" <"$1.sql"; }

next=0   # first document not yet acknowledged
acked="$TMP/acked" # written by the capture loop
: >"$acked"
for round in $(seq 1 "$ROUNDS"); do
    [ "$next" -lt "${#docs[@]}" ] || break
    # capture the remaining documents one process each, acknowledging each
    # one; the loop runs in its own process group so that one kill stops it
    # and whichever capture it is running
    setsid bash -c '
        for ((i = $1; i < $2; i++)); do
            f="$3/docs/chain-$(printf %05d $((i + 1))).xml"
            "$4" capture --db "$5" "$f" >/dev/null && echo "$i" >>"$3/acked"
        done' loop "$next" "${#docs[@]}" "$TMP" "$BIN" "$db" &
    loop=$!
    sleep "$(awk -v s="$RANDOM" 'BEGIN { srand(s); printf "%.3f", 0.05 + rand() * 0.55 }')"
    kill -9 -- "-$loop" 2>/dev/null
    wait "$loop" 2>/dev/null
    # every acknowledged document is whole
    lost=0
    while read -r i; do
        n=$(cat "${docs[$i]}.n")
        got=$(stored_of "${docs[$i]}")
        [ "$got" = "$n" ] || { lost=1; bad "round $round: document $i was acknowledged but $got of $n events are stored"; }
    done <"$acked"
    [ "$lost" = 0 ] && ok
    # every other document is all or nothing (the one cut off included)
    partial=0
    for ((i = next; i < ${#docs[@]}; i++)); do
        grep -qx "$i" "$acked" && continue
        n=$(cat "${docs[$i]}.n")
        got=$(stored_of "${docs[$i]}")
        if [ "$got" != 0 ] && [ "$got" != "$n" ]; then
            partial=1
            bad "round $round: document $i is partly stored ($got of $n events)"
        elif [ "$got" = "$n" ]; then
            echo "round $round: document $i was stored but killed before it was acknowledged"
        fi
    done
    [ "$partial" = 0 ] && ok
    st audit verify --db "$db"
    expect_rc "round $round: audit verify after kill -9" 0
    expect_jq "round $round: chain ok" .ok true
    # resume after the last acknowledged document
    last=$(tail -n 1 "$acked")
    next=$(( ${last:--1} + 1 ))
    echo "round $round: killed after $next of ${#docs[@]} documents were acknowledged"
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
