#!/usr/bin/env bash
# Stops the cluster db/local/start.sh started. Usage: db/local/stop.sh [data-dir] [--delete]
set -euo pipefail

PGDATA_DIR=${LEDGER_LOCAL_PGDATA:-/var/tmp/ledger-local-pg}
DELETE=false
for arg in "$@"; do
    case "$arg" in
        --delete) DELETE=true ;;
        *) PGDATA_DIR=$arg ;;
    esac
done

if [ ! -f "$PGDATA_DIR/PG_VERSION" ]; then
    echo "no cluster in $PGDATA_DIR" >&2
    exit 0
fi

PGBIN=${PGBIN:-$(dirname "$(readlink -f "$(command -v pg_ctl || ls -d /usr/lib/postgresql/*/bin/pg_ctl | sort -V | tail -n 1)")")}
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR" status > /dev/null 2>&1; then
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w stop > /dev/null
    echo "stopped PostgreSQL in $PGDATA_DIR" >&2
else
    echo "PostgreSQL in $PGDATA_DIR was not running" >&2
fi

if [ "$DELETE" = true ]; then
    rm -rf "$PGDATA_DIR"
    echo "deleted $PGDATA_DIR" >&2
fi
