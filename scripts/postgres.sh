#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on a loopback port, for the tests and benches.
#
#   scripts/postgres.sh start DIR   make a cluster, start it on a free loopback port and print
#                                   its URL (postgres://…/usage); DIR keeps where it is
#   scripts/postgres.sh stop DIR    stop it and remove its files
#
# Debian's server binaries (scripts/setup.sh installs postgresql). The server refuses to run
# as root, so under root the cluster belongs to the `postgres` user Debian's package made, in
# a folder of its own under /tmp (DIR may sit in a folder that user cannot enter).
set -euo pipefail
cmd=${1:?start or stop}
dir=${2:?a folder for the cluster}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bin/initdb" ] || { echo "no PostgreSQL server binaries (run scripts/setup.sh)" >&2; exit 1; }
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$cmd" in
  start)
    mkdir -p "$dir"
    pg=$(mktemp -d /tmp/usage-pg.XXXXXX)
    echo "$pg" >"$dir/cluster"
    [ "$(id -u)" = 0 ] && chown postgres "$pg"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    as_owner "$bin/initdb" -D "$pg/data" -U usage -A trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    # fsync off for the tests (USAGE_PG_FSYNC=on for benches, whose figures must include it):
    # the cluster lives for one run and is never recovered. Every other setting is the
    # server's own default, so the tests see what a real deployment does.
    fsync=${USAGE_PG_FSYNC:-off}
    as_owner "$bin/pg_ctl" -D "$pg/data" -l "$pg/server.log" -w -t 30 \
      -o "-p $port -k $pg -c listen_addresses=127.0.0.1 -c fsync=$fsync -c max_connections=300" start >/dev/null \
      || { cat "$pg/server.log" >&2; exit 1; }
    as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U usage usage
    echo "$port" >"$dir/port"
    echo "postgres://usage@127.0.0.1:$port/usage"
    ;;
  stop)
    [ -f "$dir/cluster" ] || exit 0
    pg=$(cat "$dir/cluster")
    [ -d "$pg/data" ] && as_owner "$bin/pg_ctl" -D "$pg/data" -m fast -w stop >/dev/null || true
    case "$pg" in /tmp/usage-pg.*) rm -rf "$pg" ;; esac
    rm -f "$dir/cluster"
    ;;
  *) echo "start or stop" >&2; exit 2 ;;
esac
