#!/usr/bin/env bash
# Runs the whole suite (scripts/test.sh) at several dates, to prove that no test depends on
# the calendar: at the real date, then under libfaketime at each date given, or at the list
# below. Not part of CI: each run takes as long as scripts/test.sh.
#
#   scripts/test-dates.sh                         # the real date, then every date below
#   scripts/test-dates.sh "2028-02-29 12:00:00"   # these dates only (UTC, as `date -d` reads them)
#
# What runs under the moved clock: every test binary (cargo runs them through a runner that
# preloads libfaketime), the servers they and test.sh start, wasm-bindgen-test-runner, and
# Chromium with its renderers (through a chromedriver wrapper). All see the real clock moved by
# one offset, so they agree on "now" and time still passes. The builds do not: rustc and
# clippy hang at start with libfaketime preloaded (their allocator), multithreaded tools get
# clock errors in its skip mode, and cargo must not stamp its fingerprints in the future, or a
# later real-time build would miss edits. Nothing a build does depends on the date.
#
# Monotonic clocks: Rust's Instant fails in threads when libfaketime moves them, and Chromium's
# timers stop firing when they stay put, so the Rust processes keep the real monotonic clock
# and Chromium gets the moved one.
set -euo pipefail
cd "$(dirname "$0")/.."
export TZ=UTC
LIBFAKETIME=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
[ -f "$LIBFAKETIME" ] || scripts/setup.sh
CHROMEDRIVER_BIN=${CHROMEDRIVER:-/usr/bin/chromedriver}
wrappers=$(mktemp -d)
trap 'rm -rf "$wrappers"' EXIT

dates=("$@")
if [ ${#dates[@]} -eq 0 ]; then
  dates=(
    now
    "2027-06-15 12:00:00"  # a day in mid-2027
    "2028-02-29 12:00:00"  # a leap day
    "2029-12-31 23:30:00"  # the last half hour of a year
    "2027-03-28 01:30:00"  # the last Sunday of March: Europe springs forward at 01:00 UTC
    "2027-10-31 00:30:00"  # the last Sunday of October: Europe falls back at 01:00 UTC
  )
fi

# Writes the wrappers for a clock moved by $1 seconds.
wrap() {
  cat >"$wrappers/at" <<SH
#!/bin/sh
export LD_PRELOAD=$LIBFAKETIME FAKETIME=$1 NO_FAKE_STAT=1 FAKETIME_DONT_FAKE_MONOTONIC=1
exec "\$@"
SH
  cat >"$wrappers/chromedriver" <<SH
#!/bin/sh
export LD_PRELOAD=$LIBFAKETIME FAKETIME=$1 NO_FAKE_STAT=1
unset FAKETIME_DONT_FAKE_MONOTONIC
exec $CHROMEDRIVER_BIN "\$@"
SH
  chmod +x "$wrappers/at" "$wrappers/chromedriver"
}

failed=()
for d in "${dates[@]}"; do
  log="$(mktemp -t "test-dates.XXXXXX.log")"
  if [ "$d" = now ]; then
    printf '\n==> scripts/test.sh at the real date (log: %s)\n' "$log"
    run=(bash scripts/test.sh)
  else
    offset=$(printf '%+d' $(($(date -u -d "$d" +%s) - $(date -u +%s))))
    printf '\n==> scripts/test.sh at %s UTC (offset %ss; log: %s)\n' "$d" "$offset" "$log"
    wrap "$offset"
    run=(env USAGE_TEST_AT="$wrappers/at" CHROMEDRIVER="$wrappers/chromedriver"
      CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER="$wrappers/at"
      CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER="$wrappers/at wasm-bindgen-test-runner"
      bash scripts/test.sh)
  fi
  if "${run[@]}" >"$log" 2>&1; then
    printf 'passed at %s\n' "$d"
  else
    printf 'FAILED at %s; the end of its log:\n' "$d"
    tail -n 40 "$log"
    failed+=("$d")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  printf '\nThe suite failed at: %s\n' "${failed[*]}"
  exit 1
fi
printf '\nThe suite passed at every date: %s\n' "${dates[*]}"
