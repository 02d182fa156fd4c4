#!/usr/bin/env bash
# Benchmarks quoted in the README: server query latency with 10 million records, report
# generation, POST /usages throughput and a mixed load at 64 clients, the portal's first
# table paint and a report download in headless Chromium, and the release bundle's size.
set -euo pipefail
source "$(dirname "$0")/env.sh"
scripts/setup.sh

echo "== machine"
grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'
echo "$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB"

echo "== release bundle (brotli -q 11)"
scripts/build-portal.sh >/dev/null
# The .br twins scripts/post-build.sh wrote (brotli -q 11), as a CDN would serve them.
br() { local f; for f in "$@"; do cat "$f.br"; done | wc -c; }
total=0
for f in dist/*.wasm dist/*.js dist/*.css; do
  n=$(br "$f")
  total=$((total + n))
  printf '%-50s %8d bytes raw %8d bytes brotli\n' "$(basename "$f")" "$(wc -c <"$f")" "$n"
done
# What the Usage page, where a visit starts, loads: the other pages' wasm waits until shown, and
# so does the split loader, which the module imports when the first of them is needed.
common=$(br dist/usage-portal-*_bg.wasm dist/usage-portal-*[0-9a-f].js dist/portal-*.css)
echo "first load, standalone (wasm + js + css + boot script): $((common + $(br dist/boot-*.js))) bytes"
echo "first load, embedded (wasm + js + css + embed.js): $((common + $(br dist/embed.js))) bytes"
echo "split loader (split-loader-*), loaded with the first part fetched on demand: $(br dist/split-loader-*.js) bytes"
echo "loaded on demand (split-loader-*, split_*, chunk_*): $(br dist/split-loader-*.js dist/split_*.wasm dist/chunk_*.wasm) bytes"
echo "every file: $total bytes"

echo "== server query latency"
BENCH_RECORDS="${BENCH_RECORDS:-10000000}" cargo bench -p usage-server --bench query 2>/dev/null | grep -v '^$'

echo "== the same query in DuckDB (in process, 2 threads, the raw records in Parquet)"
DUCKDB_VERSION=1.1.3
"$ROOT/.tools/venv/bin/python" -c "import duckdb" 2>/dev/null \
  || "$ROOT/.tools/venv/bin/pip" install -q --disable-pip-version-check "duckdb==$DUCKDB_VERSION"
mkdir -p target/bench/duckdb
"$ROOT/.tools/venv/bin/python" scripts/duckdb-bench.py "target/bench/usage-${BENCH_RECORDS:-10000000}.db" target/bench/duckdb

echo "== server query latency on PostgreSQL (a throwaway cluster on loopback)"
PG_DIR=$(mktemp -d)
trap 'scripts/postgres.sh stop "$PG_DIR/pg"; rm -rf "$PG_DIR"' EXIT
PG_URL=$(USAGE_PG_FSYNC=on scripts/postgres.sh start "$PG_DIR/pg")
psql "$PG_URL" -qc "CREATE DATABASE load" >/dev/null
BENCH_DB="$PG_URL" BENCH_RECORDS="${BENCH_RECORDS:-10000000}" cargo bench -p usage-server --bench query 2>/dev/null | grep -v '^$'
echo "== report generation on PostgreSQL"
BENCH_DB="$PG_URL" cargo bench -p usage-server --bench report 2>/dev/null | grep -v '^$'
echo "== POST /usages and mixed load, 64 clients, 2 replicas on PostgreSQL"
LOAD_DB="${PG_URL%/*}/load" LOAD_REPLICAS=2 cargo bench -p usage-server --bench load 2>/dev/null | grep -v '^$'

echo "== report generation"
cargo bench -p usage-server --bench report 2>/dev/null | grep -v '^$'

echo "== the same report written by DuckDB (in process, 2 threads, the raw records in Parquet)"
# Compared line for line with the CSV the server just wrote.
"$ROOT/.tools/venv/bin/python" scripts/duckdb-report.py target/bench/report-1m.db target/bench/duckdb \
  "$(ls -t target/bench/reports/*.csv | head -n 1)"

echo "== POST /usages and mixed load, 64 clients (the release server, a process of its own)"
# Fails when a 201 is missing from or doubled in the sums read back, or on any 5xx.
cargo bench -p usage-server --bench load 2>/dev/null | grep -v '^$'

echo "== portal in headless Chromium (first table paint, report download)"
PORTAL_DIST="$ROOT/dist" cargo test --release -p usage-e2e --test bench_paint --test bench_download -- --ignored --nocapture --test-threads 1 2>/dev/null \
  | grep -oE "(records|first table|report download).*"
