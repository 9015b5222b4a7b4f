#!/usr/bin/env bash
# A throwaway PostgreSQL server for the test suite and the benchmarks.
#   scripts/pg-test-server.sh start DIR   install postgresql when missing, initdb in DIR
#                                         (an empty or new folder) as an unprivileged user,
#                                         start postgres on a Unix socket in DIR (no TCP port),
#                                         create the database; prints the store URL
#   scripts/pg-test-server.sh stop DIR    stop that server by its PID and remove DIR
#   scripts/pg-test-server.sh with CMD... run CMD with ST_TEST_PG_URL set to a server started
#                                         for it in a temporary folder, stopped when CMD ends
#                                         (also on failure or interruption); CMD's status
# With ST_TEST_PG_URL already set (a developer's own server), `with` starts nothing and runs
# CMD against that server. When no server can be started, `with` says why and runs CMD
# without ST_TEST_PG_URL: the PostgreSQL tests then skip, or fail when CI=true.
# PG_TEST_FSYNC=on keeps fsync (the benchmarks); the tests run with fsync=off.
# PG_TEST_TUNED=on adds the settings docs/POSTGRES.md recommends for a store that captures
# in bulk (the benchmarks); PG_TEST_OPTS adds any other server options (e.g.
# "-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all").
set -euo pipefail

log() { echo "pg-test-server: $*" >&2; }

# The newest installed server's bin folder.
pg_bindir() {
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$d" ] && [ -x "$d/postgres" ] && echo "$d"
}

install_pg() {
    pg_bindir >/dev/null && return 0
    if [ "$(id -u)" -ne 0 ]; then
        log "postgresql is not installed and this is not root: apt-get install postgresql"
        return 1
    fi
    log "installing postgresql (Debian package)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends postgresql >&2 || return 1
    # the package starts a system cluster; this script never uses it
    pg_bindir >/dev/null
}

# Run "$@" as the server's user: nobody when root (initdb refuses root), else as we are.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u nobody -- "$@"
    else
        "$@"
    fi
}

start() {
    local dir=${1:?usage: pg-test-server.sh start DIR}
    install_pg || return 1
    local bin
    bin=$(pg_bindir)
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown nobody "$dir"
    chmod 700 "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C \
        --no-sync >"$dir/initdb.log" 2>&1 || { log "initdb failed:"; cat "$dir/initdb.log" >&2; return 1; }
    local fsync=${PG_TEST_FSYNC:-off}
    local opts="-c listen_addresses='' -k $dir -c fsync=$fsync -c full_page_writes=$fsync"
    opts+=" -c shared_buffers=256MB -c max_wal_size=4GB -c max_connections=200"
    # docs/POSTGRES.md, "Recommended settings": checkpoints far apart and compressed full-page
    # images (fewer pages written whole), room for the hot index pages; commits stay durable
    [ "${PG_TEST_TUNED:-off}" = on ] &&
        opts+=" -c shared_buffers=1GB -c max_wal_size=16GB -c checkpoint_timeout=15min -c wal_compression=lz4 -c wal_buffers=64MB"
    opts+=" ${PG_TEST_OPTS:-}"
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "$opts" start \
        >/dev/null 2>&1 || { log "the server did not start:"; cat "$dir/server.log" >&2; return 1; }
    as_owner "$bin/psql" -h "$dir" -U postgres -d postgres -qAt \
        -c "CREATE DATABASE serialtrack_test" >/dev/null ||
        { log "creating the database failed"; stop "$dir"; return 1; }
    echo "postgresql:///serialtrack_test?host=$dir&user=postgres"
}

stop() {
    local dir=${1:?usage: pg-test-server.sh stop DIR}
    local pidfile="$dir/data/postmaster.pid" pid=""
    [ -f "$pidfile" ] && pid=$(head -n 1 "$pidfile")
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -INT "$pid" 2>/dev/null || true # fast shutdown: end sessions, checkpoint, exit
        for _ in $(seq 1 300); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$pid" 2>/dev/null && { log "server $pid did not stop; killing it"; kill -KILL "$pid" 2>/dev/null || true; }
    fi
    case "$dir" in
        */st-pg-*) rm -rf "$dir" ;; # only folders `with` made
    esac
}

with() {
    [ "${1:-}" = "--" ] && shift
    if [ -n "${ST_TEST_PG_URL:-}" ]; then
        log "using the server of ST_TEST_PG_URL"
        "$@"
        return
    fi
    local dir url status=0
    dir=$(mktemp -d "${TMPDIR:-/tmp}/st-pg-XXXXXX")
    trap 'stop "$dir"' EXIT
    trap 'exit 130' INT TERM
    if url=$(start "$dir"); then
        export ST_TEST_PG_URL=$url
        log "PostgreSQL test server on $dir (ST_TEST_PG_URL=$url)"
    else
        log "PostgreSQL could not be started: its tests will skip (and fail when CI=true)"
    fi
    "$@" || status=$?
    stop "$dir"
    trap - EXIT
    return $status
}

cmd=${1:-}
shift || true
case "$cmd" in
    start) start "$@" ;;
    stop) stop "$@" ;;
    with) with "$@" ;;
    *) echo "usage: $0 start DIR | stop DIR | with CMD..." >&2; exit 2 ;;
esac
