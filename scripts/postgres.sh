#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on a loopback port, for the tests and benches.
#
#   scripts/postgres.sh start DIR   make a cluster, start it on a free loopback port and print
#                                   its URL (postgres://…/usage); DIR keeps where it is, and
#                                   DIR/ca.pem the CA of its TLS certificate
#   scripts/postgres.sh stop DIR    stop it and remove its files
#
# The server takes TLS (ssl=on) and plaintext connections alike, as a default install does: the
# URL's sslmode chooses. Its certificate, for 127.0.0.1 and localhost, is signed by a CA made
# for this cluster alone (openssl, at start), whose key goes with the cluster; DIR/ca.pem is
# what a client trusts (usage-server's --db-ca-file). Without it the certificate is not trusted.
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
    # The throwaway CA and the server's certificate, in a folder only the server's user may
    # enter; the key readable by that user alone (PostgreSQL refuses a key others can read).
    tls="$pg/tls"
    as_owner mkdir -m 700 "$tls"
    as_owner sh -c 'umask 077 && cd "$1" && {
      openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 7 \
        -subj "/CN=usage-portal throwaway test CA" -keyout ca.key -out ca.pem \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" &&
      openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -subj "/CN=localhost" -keyout server.key -out server.csr &&
      printf "%s\n" "subjectAltName=IP:127.0.0.1,DNS:localhost" "basicConstraints=critical,CA:FALSE" \
        "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" >server.ext &&
      openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 7 \
        -extfile server.ext -out server.crt &&
      chmod 600 server.key && chmod 644 ca.pem
    }' sh "$tls" >"$dir/openssl.log" 2>&1 || { cat "$dir/openssl.log" >&2; exit 1; }
    cp "$tls/ca.pem" "$dir/ca.pem"
    # fsync off for the tests (USAGE_PG_FSYNC=on for benches, whose figures must include it):
    # the cluster lives for one run and is never recovered. Every other setting but TLS's is
    # the server's own default, so the tests see what a real deployment does.
    fsync=${USAGE_PG_FSYNC:-off}
    as_owner "$bin/pg_ctl" -D "$pg/data" -l "$pg/server.log" -w -t 30 \
      -o "-p $port -k $pg -c listen_addresses=127.0.0.1 -c fsync=$fsync -c max_connections=300 -c ssl=on -c ssl_cert_file=$tls/server.crt -c ssl_key_file=$tls/server.key" start >/dev/null \
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
    rm -f "$dir/cluster" "$dir/ca.pem"
    ;;
  *) echo "start or stop" >&2; exit 2 ;;
esac
