#!/usr/bin/env bash
# Runs every test: formatting and lints, the contract crate, the server over real HTTP, the
# portal's browser tests in headless Chromium against a real server, and the end-to-end
# tests of the built portal. Fails when any part fails.
set -euo pipefail
source "$(dirname "$0")/env.sh"
# Without libfaketime's preload (scripts/test-dates.sh): setup runs rustc, which hangs with it,
# and installing tools does not depend on the date.
env -u LD_PRELOAD scripts/setup.sh

step() { printf '\n==> %s\n' "$*"; }
SERVER_PID=""
WORK=$(mktemp -d)
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

step "format and lints"
cargo fmt --all --check
# clippy-driver hangs with libfaketime preloaded (scripts/test-dates.sh); lints do not depend
# on the date, so they run without it.
env -u LD_PRELOAD cargo clippy --workspace --exclude usage-portal --all-targets -- -D warnings
env -u LD_PRELOAD cargo clippy --target wasm32-unknown-unknown -p usage-portal --all-targets -- -D warnings

step "contract, test clock and server tests"
cargo test -p usage-api -p usage-test-clock -p usage-server

step "portal browser tests (headless Chromium, real server)"
cargo build -p usage-server
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$WORK/site"
# One clock for the run: the demo data ends at this hour of the system clock (which
# scripts/test-dates.sh moves), and the wasm tests, which have no environment at run time, are
# compiled with it (usage-test-clock).
NOW=$(date -u +%Y-%m-%dT%H:00:00)
./target/debug/usage-server --db "$WORK/usage.db" --static-dir "$WORK/site" --demo --demo-records 20000 \
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
# Without libfaketime's preload too: trunk's clock calls fail under it, and the build does not
# depend on the date.
env -u LD_PRELOAD PORTAL_DENY_WARNINGS=1 scripts/build-portal.sh

step "end-to-end tests (built portal, real server, headless Chromium)"
PORTAL_DIST="$ROOT/dist" cargo test -p usage-e2e

printf '\nAll test suites passed.\n'
