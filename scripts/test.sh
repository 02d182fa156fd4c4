#!/usr/bin/env bash
# Runs every test: formatting and lints, the contract crate, the server over real HTTP, the
# portal's browser tests in headless Chromium against a real server, and the end-to-end
# tests of the built portal. Fails when any part fails.
set -euo pipefail
source "$(dirname "$0")/env.sh"
scripts/setup.sh
# scripts/test-dates.sh runs the suite at another date: USAGE_TEST_AT is then a command that
# runs what follows it under the moved clock (here the server this script starts; cargo runs
# the test binaries through runners test-dates.sh sets). Empty: the real clock.
AT=${USAGE_TEST_AT:-}

step() { printf '\n==> %s\n' "$*"; }
SERVER_PID=""
WORK=$(mktemp -d)
# Everything the tests leave in the temporary folder goes with the run: the shared test
# server's database (a static, never dropped), Chromium's scoped folders when it is killed.
mkdir -p "$WORK/tmp"
export TMPDIR="$WORK/tmp"
# A fresh clone gains nothing from incremental state, and it doubles the debug build on disk.
if [ -n "${CI:-}" ]; then export CARGO_INCREMENTAL=0; fi
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  scripts/postgres.sh stop "$WORK/pg" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

step "format and lints"
cargo fmt --all --check
cargo clippy --workspace --exclude usage-portal --all-targets -- -D warnings
cargo clippy --target wasm32-unknown-unknown -p usage-portal --all-targets -- -D warnings

step "contract, portal core (host), test clock, server and build tool tests"
cargo test -p usage-api -p usage-portal-core -p usage-test-clock -p usage-server -p portal-build

step "server tests again, on PostgreSQL (a throwaway cluster on loopback)"
PG_URL=$(scripts/postgres.sh start "$WORK/pg")
# The cluster takes TLS too; its throwaway CA is for the tests of TLS to PostgreSQL (the rest
# connect as the URL says, without sslmode).
USAGE_TEST_POSTGRES="$PG_URL" USAGE_TEST_POSTGRES_CA="$WORK/pg/ca.pem" cargo test -p usage-server --tests
scripts/postgres.sh stop "$WORK/pg"

step "portal browser tests (headless Chromium, real server)"
cargo build -p usage-server
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$WORK/site"
# One clock for the run: the demo data ends at this hour of the system clock (which
# scripts/test-dates.sh moves), and the wasm tests, which have no environment at run time, are
# compiled with it (usage-test-clock).
NOW=$($AT date -u +%Y-%m-%dT%H:00:00)
$AT ./target/debug/usage-server --db "$WORK/usage.db" --static-dir "$WORK/site" --demo --demo-records 20000 \
  --demo-until "$NOW" --cors-origin '*' --listen "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$PORT/config.json" >/dev/null && break
  sleep 0.2
done
curl -sf "http://127.0.0.1:$PORT/config.json" >/dev/null || { cat "$WORK/server.log"; exit 1; }
USAGE_TEST_NOW="$NOW" USAGE_TEST_API="http://127.0.0.1:$PORT" \
  cargo test --target wasm32-unknown-unknown -p usage-portal

step "API fuzzing: schemathesis from /openapi.json (the same server and its demo token)"
TOKEN=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["token"])' "$WORK/site/config.json")
scripts/schemathesis.sh "http://127.0.0.1:$PORT" "$TOKEN"
kill "$SERVER_PID"; SERVER_PID=""

step "release build of the portal (trunk)"
PORTAL_DENY_WARNINGS=1 scripts/build-portal.sh

step "end-to-end tests (built portal, real server, headless Chromium)"
PORTAL_DIST="$ROOT/dist" cargo test -p usage-e2e

printf '\nAll test suites passed.\n'
