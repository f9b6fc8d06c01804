#!/usr/bin/env bash
# A throwaway PostgreSQL server for the test suite.
#
#   scripts/pg-test-server.sh start   # prints nothing else on success; idempotent
#   scripts/pg-test-server.sh stop    # stops it and deletes its data directory
#   scripts/pg-test-server.sh url     # the SQLAlchemy URL of its test database
#
# It listens on 127.0.0.1:$PG_TEST_PORT (default 55432) and on a unix socket in
# its own directory, with trust authentication: for tests only, never for data.
set -euo pipefail

PG_DIR="${PG_TEST_DIR:-/tmp/ipbureau-pg}"
PG_PORT="${PG_TEST_PORT:-55432}"
PG_DB="ipbureau_test"
DATA="$PG_DIR/data"
LOG="$PG_DIR/server.log"

pg_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -z "$dir" ] || [ ! -x "$dir/initdb" ]; then
        echo "pg-test-server: PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin" >&2
        echo "pg-test-server: install them with: apt-get install postgresql" >&2
        exit 1
    fi
    echo "$dir"
}

# Run a command as the owner of the server files: `postgres` when we are root
# (initdb and postgres refuse to run as root), ourselves otherwise.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

url() {
    echo "postgresql+psycopg://postgres@127.0.0.1:${PG_PORT}/${PG_DB}"
}

running() {
    [ -f "$DATA/postmaster.pid" ] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

stop() {
    if [ -d "$DATA" ] && running; then
        as_owner "$BIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null
    fi
    rm -rf "$PG_DIR"
}

start() {
    if running; then
        # A server from an earlier run is still up: reuse it, with a fresh test database.
        as_owner "$BIN/dropdb" -h "$PG_DIR" -p "$PG_PORT" -U postgres --if-exists "$PG_DB"
        as_owner "$BIN/createdb" -h "$PG_DIR" -p "$PG_PORT" -U postgres "$PG_DB"
        return
    fi
    # Leftovers of a crashed run (stale pid file, half-made data dir): start over.
    rm -rf "$PG_DIR"
    mkdir -p "$PG_DIR"
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres:postgres "$PG_DIR"
    fi
    chmod 700 "$PG_DIR"
    as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
        || { cat "$PG_DIR/initdb.log" >&2; exit 1; }
    if ! as_owner "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start \
        -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null; then
        echo "pg-test-server: the server did not start; its log follows" >&2
        cat "$LOG" >&2 || true
        exit 1
    fi
    as_owner "$BIN/createdb" -h "$PG_DIR" -p "$PG_PORT" -U postgres "$PG_DB"
}

BIN=$(pg_bin)
case "${1:-}" in
    start) start ;;
    stop) stop ;;
    url) url ;;
    *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
