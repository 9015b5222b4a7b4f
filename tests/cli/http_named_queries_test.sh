#!/usr/bin/env bash
# Who may delete a named query, black box: the real server with several
# keys. A query remembers the key that made it (schema v8): only that key or
# an admin key deletes it; any other key gets 403 with a problem naming who
# may, and the query stays. A query made before the creator was recorded (a
# store migrated from v7) is deleted by admin keys only.
#   usage: http_named_queries_test.sh path/to/serialtrack
BIN=${1:?usage: http_named_queries_test.sh path/to/serialtrack}
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http_lib.sh"
need_tools jq curl sqlite3

HTTP_DB=$TMP/nq.db
st db migrate --db "$HTTP_DB"
expect_rc "create the store" 0
key() { # key NAME ROLE [PARTY]: create it, print it
    st keys create --db "$HTTP_DB" --name "$1" --role "$2" ${3:+--party "$3"}
    jq -r .key <<<"$out"
}
ADMIN=$(key admin admin)
ALICE=$(key alice query)
BOB=$(key bob query)
PARTNER=$(key partner partner urn:epc:id:pgln:0614141.00000)
as() { local who=$1 method=$2 path=$3; shift 3; http "$method" "$path" -H "Authorization: Bearer $who" "$@"; }
make_query() { # make_query KEY NAME
    as "$1" POST /queries -H 'Content-Type: application/json' \
        --data-binary "{\"name\":\"$2\",\"query\":{\"EQ_bizStep\":\"shipping\"}}"
    expect_status "$2 made" 201
}

http_start

# ---- the creator, another key, an admin --------------------------------------------------------
make_query "$ALICE" alices
make_query "$BOB" bobs
make_query "$PARTNER" partners
as "$BOB" DELETE /queries/alices
expect_status "another query key may not delete it" 403
expect_contains "a problem" "$hdrs" "Content-Type: application/problem+json"
expect_jq "403 in the problem" .status 403
expect_jq "names the query" .field queryName
expect_jq "says who may" .detail 'the query alices was made by the API key "alice"; only that key or an admin key may delete it'
as "$PARTNER" DELETE /queries/alices
expect_status "a partner key may not delete it" 403
as "$ALICE" GET /queries/alices
expect_status "still there after the refusals" 200
as "$ALICE" DELETE /queries/partners
expect_status "nor may a query key delete a partner's" 403
as "$PARTNER" DELETE /queries/partners
expect_status "the partner deletes its own" 204
as "$ALICE" DELETE /queries/alices
expect_status "the creator deletes its own" 204
as "$ALICE" GET /queries/alices
expect_status "gone" 404
as "$ALICE" DELETE /queries/alices
expect_status "deleting what is gone" 404
as "$ADMIN" DELETE /queries/bobs
expect_status "an admin deletes any" 204
as "$BOB" GET /queries/bobs
expect_status "bob's is gone" 404
http_stop

# ---- a query made before the creator was recorded ----------------------------------------------
# the store as the version before the creator's migration (v8) had it: no
# created_by column, a query in the old form, no tables or columns of later migrations
st db info --db "$HTTP_DB"
LATEST=$(jq -r .schema_latest <<<"$out")
sqlite3 "$HTTP_DB" "ALTER TABLE named_query DROP COLUMN created_by;
  DROP TABLE lineage_node; DROP TABLE lineage_leaf; DROP TABLE lineage_class; DROP TABLE lineage_state;
  ALTER TABLE batch DROP COLUMN ident_hw;
  INSERT INTO named_query(name, query, created) VALUES ('legacy', '{\"EQ_bizStep\":\"shipping\"}', 0);
  PRAGMA user_version = 7;"
st db migrate --db "$HTTP_DB"
expect_rc "migrate the old store" 0
expect_jq "migrated to the latest" '[.schema_version, .migrated] | @csv' "$LATEST,true"
expect_eq "$(sqlite3 "$HTTP_DB" "SELECT count(*) FROM named_query WHERE name = 'legacy' AND created_by IS NULL")" 1 \
    "the old query has no creator"
http_start
as "$ALICE" GET /queries/legacy
expect_status "the old query is kept" 200
as "$ALICE" DELETE /queries/legacy
expect_status "no creator: a query key may not delete it" 403
expect_contains "says only admins" "$out" "only an admin key may delete it"
as "$ADMIN" DELETE /queries/legacy
expect_status "an admin may" 204
http_stop
summary
