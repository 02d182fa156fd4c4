#!/usr/bin/env bash
# Runs the portal with its API and demo data at http://127.0.0.1:8080 (embedded SQLite,
# no other service). Extra arguments go to the server, e.g. --demo-records 1000000.
set -euo pipefail
source "$(dirname "$0")/env.sh"
scripts/setup.sh
scripts/build-portal.sh
# The CORS origin is the example host admin site (README, "Embedding in your admin site").
exec cargo run --release -p usage-server -- --db data/demo.db --static-dir dist --demo \
  --cors-origin http://127.0.0.1:8081 "$@"
