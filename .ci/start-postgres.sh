#!/usr/bin/env bash
# Starts a throwaway PostgreSQL on loopback (port ${PGPORT:-54329}) and prints its URL.
# Installs the server from Debian's packages when the machine has none.
set -euo pipefail
PGPORT=${PGPORT:-54329}
D=${PGDATA_DIR:-/tmp/cs-coach-pg}

find_bin() {
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}
BIN=$(find_bin)
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
  echo "installing postgresql from Debian packages" >&2
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  BIN=$(find_bin)
fi

id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -c "$*"; else bash -c "$*"; fi; }

if [ -f "$D/postmaster.pid" ]; then as_pg "$BIN/pg_ctl -D $D -m immediate stop" >/dev/null 2>&1 || true; fi
rm -rf "$D" && mkdir -p "$D" && chown postgres "$D" 2>/dev/null || true
as_pg "$BIN/initdb -D $D -A trust -U postgres >/dev/null"
as_pg "$BIN/pg_ctl -D $D -o '-p $PGPORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200' -l $D/log -w start >/dev/null"
echo "postgresql://postgres@127.0.0.1:$PGPORT/postgres"
