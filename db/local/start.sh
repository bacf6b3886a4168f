#!/usr/bin/env bash
# Starts a loopback PostgreSQL cluster by hand (initdb on first use) and prints the variables that point the ledger
# and its tests at it. Usage: db/local/start.sh [data-dir] [port]   (defaults: /var/tmp/ledger-local-pg, 55432)
set -euo pipefail

PGDATA_DIR=${1:-${LEDGER_LOCAL_PGDATA:-/var/tmp/ledger-local-pg}}
PORT=${2:-${LEDGER_LOCAL_PGPORT:-55432}}

find_bin() {
    if [ -n "${PGBIN:-}" ]; then echo "$PGBIN"; return; fi
    if command -v pg_ctl > /dev/null && command -v initdb > /dev/null; then
        dirname "$(readlink -f "$(command -v pg_ctl)")"; return
    fi
    if command -v pg_config > /dev/null && [ -x "$(pg_config --bindir)/initdb" ]; then pg_config --bindir; return; fi
    local best
    best=$(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -n 1)
    if [ -n "$best" ] && [ -x "$best/initdb" ]; then echo "$best"; return; fi
    echo "No PostgreSQL binaries found: apt-get install postgresql (or set PGBIN)." >&2
    exit 1
}
PGBIN=$(find_bin)

# initdb and postgres refuse to run as root: run them as the postgres user, who must own the data directory.
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ ! -f "$PGDATA_DIR/PG_VERSION" ]; then
    mkdir -p "$PGDATA_DIR"
    chmod 700 "$PGDATA_DIR"
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$PGDATA_DIR"; fi
    # trust is acceptable only because the server listens on 127.0.0.1 and its socket sits inside PGDATA (0700).
    as_pg "$PGBIN/initdb" -D "$PGDATA_DIR" -U postgres --auth=trust -E UTF8 --locale=C > /dev/null
fi

if as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR" status > /dev/null 2>&1; then
    PORT=$(sed -n 4p "$PGDATA_DIR/postmaster.pid")
    echo "already running on port $PORT" >&2
else
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -l "$PGDATA_DIR/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $PORT -k $PGDATA_DIR" start > /dev/null
    echo "started PostgreSQL on 127.0.0.1:$PORT (data: $PGDATA_DIR, log: $PGDATA_DIR/server.log)" >&2
fi

CONNECTION="Host=127.0.0.1;Port=$PORT;Username=postgres;Database=postgres"
echo "export LEDGER_CONNECTION='$CONNECTION'"
echo "export LEDGER_TEST_POSTGRES='$CONNECTION'"
