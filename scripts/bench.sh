#!/usr/bin/env bash
# Benchmarks quoted in the README: server query latency with 10 million records, the
# portal's first table paint in headless Chromium, and the release bundle's size.
set -euo pipefail
source "$(dirname "$0")/env.sh"
scripts/setup.sh

echo "== machine"
grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'
echo "$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB"

echo "== release bundle (brotli -q 11)"
trunk build --release >/dev/null
total=0
for f in dist/*.wasm dist/*.js dist/*.css; do
  n=$(brotli -c -q 11 "$f" | wc -c)
  total=$((total + n))
  printf '%-50s %8d bytes raw %8d bytes brotli\n' "$(basename "$f")" "$(wc -c <"$f")" "$n"
done
echo "wasm + js + css after brotli: $total bytes ($((total / 1024)) KiB)"

echo "== server query latency"
BENCH_RECORDS="${BENCH_RECORDS:-10000000}" cargo bench -p usage-server --bench query 2>/dev/null | grep -v '^$'

echo "== portal first table paint"
PORTAL_DIST="$ROOT/dist" cargo test --release -p usage-e2e --test bench_paint -- --ignored --nocapture 2>/dev/null \
  | grep -E '^(records|first table)'
