#!/usr/bin/env bash
# The HTTP server's frame: it starts on a free port, answers /healthz,
# refuses unknown paths (404) and methods (405) with RFC 7807 problems,
# logs each request, and stops cleanly on SIGTERM.
#   usage: http_ops_test.sh path/to/serialtrack
BIN=${1:?usage: http_ops_test.sh path/to/serialtrack}
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http_lib.sh"

http_start --access-log "$TMP/access.log"
http GET /healthz
expect_status "healthz" 200
expect_jq "healthz body" .status ok
expect_contains "healthz is JSON" "$hdrs" "Content-Type: application/json"

http GET /no/such/thing
expect_status "unknown path" 404
expect_contains "problem+json" "$hdrs" "Content-Type: application/problem+json"
expect_jq "problem status" .status 404
expect_jq "problem title" .title "Not Found"

http DELETE /healthz
expect_status "wrong method" 405
expect_jq "405 detail" .detail "DELETE is not allowed on /healthz"

http_stop
expect_rc_value() { if [ "$1" = "$2" ]; then ok; else bad "$3: $1, expected $2"; fi; }
expect_rc_value "$stop_rc" 0 "clean exit on SIGTERM"
log=$(cat "$TMP/access.log")
expect_contains "access log line" "$log" "GET /healthz 200"
expect_contains "access log 404" "$log" "GET /no/such/thing 404"
summary
