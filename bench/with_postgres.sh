#!/usr/bin/env bash
# bench/with_postgres.sh CMD…: run CMD with DATABASE_URL set to a throw-away PostgreSQL on 127.0.0.1,
# started here (as .ci/run does) and removed afterwards, whatever CMD's outcome.
# Default durability (fsync on): commits cost what they cost in production.
# Optional: PGPORT (default 54330); PGDATA_DIR=folder to reuse a cluster (e.g. with its scale data already
# built) and KEEP_PGDATA=1 to keep the folder afterwards.
set -euo pipefail
if [ $# -eq 0 ]; then
  echo "usage: bench/with_postgres.sh CMD…" >&2
  exit 2
fi
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$PGBIN" ]; then
  echo "PostgreSQL is not installed (apt-get install postgresql)" >&2
  exit 1
fi
PGPORT=${PGPORT:-54330}
PGDATA=${PGDATA_DIR:-$(mktemp -d /tmp/dtiportal-bench-pg.XXXXXX)}
run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$PGDATA"
stop() {
  run_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null 2>&1 || true
  [ "${KEEP_PGDATA:-0}" = 1 ] || rm -rf "$PGDATA"
}
trap stop EXIT
if [ ! -f "$PGDATA/PG_VERSION" ]; then
  run_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
fi
run_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -c port=$PGPORT -k $PGDATA" \
  start >/dev/null
run_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres dtiportal 2>/dev/null || true
export DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/dtiportal"
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PGPORT ($PGDATA)" >&2
"$@"
