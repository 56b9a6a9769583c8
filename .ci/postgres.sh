#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for the store's tests and print its SQLAlchemy URL.
#
# Installs Debian's `postgresql` when missing, runs a cluster as the postgres user on
# 127.0.0.1 (port $PGPORT, default 54329, so it never collides with a system server),
# creates database $PGDATABASE (default conflictmap_test) and prints one line:
#   postgresql+psycopg://postgres:postgres@127.0.0.1:54329/conflictmap_test
# Everything else goes to stderr, so callers can do: export CONFLICTMAP_TEST_PG_URL=$(.ci/postgres.sh)
# Re-running it reuses a server that is already up. Stop it with: .ci/postgres.sh stop
set -euo pipefail

PGPORT="${PGPORT:-54329}"
PGDATABASE="${PGDATABASE:-conflictmap_test}"
PGDATA_DIR="${PGDATA_DIR:-/tmp/conflictmap-pg-$PGPORT}"
PGPASSWORD_VALUE="postgres"

log() { echo "postgres.sh: $*" >&2; }

as_postgres() {
    if [ "$(id -un)" = "postgres" ]; then "$@"; else runuser -u postgres -- "$@"; fi
}

bindir() {
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    echo "$d"
}

BIN="$(bindir)"
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
    log "installing Debian postgresql"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
    BIN="$(bindir)"
fi

if [ "${1:-}" = "stop" ]; then
    as_postgres "$BIN/pg_ctl" -D "$PGDATA_DIR" -m fast stop >&2 || true
    exit 0
fi

if [ ! -s "$PGDATA_DIR/PG_VERSION" ]; then
    log "initialising cluster in $PGDATA_DIR"
    mkdir -p "$PGDATA_DIR"
    chown postgres:postgres "$PGDATA_DIR" 2>/dev/null || true
    chmod 700 "$PGDATA_DIR"
    pwfile="$(mktemp)"
    echo "$PGPASSWORD_VALUE" > "$pwfile"
    chmod 644 "$pwfile"
    as_postgres "$BIN/initdb" -D "$PGDATA_DIR" -U postgres --pwfile="$pwfile" \
        --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >&2
    rm -f "$pwfile"
fi

if ! as_postgres "$BIN/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1; then
    log "starting server on 127.0.0.1:$PGPORT"
    # Sockets go to the data dir so no root-owned /var/run path is needed; fsync off because
    # this server only holds test data that is thrown away.
    as_postgres "$BIN/pg_ctl" -D "$PGDATA_DIR" -l "$PGDATA_DIR/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGDATA_DIR -c fsync=off -c full_page_writes=off" \
        start >&2
fi

export PGPASSWORD="$PGPASSWORD_VALUE"
if ! "$BIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$PGDATABASE'" | grep -q 1; then
    log "creating database $PGDATABASE"
    "$BIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres "$PGDATABASE" >&2
fi

echo "postgresql+psycopg://postgres:$PGPASSWORD_VALUE@127.0.0.1:$PGPORT/$PGDATABASE"
