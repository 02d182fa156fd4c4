#!/usr/bin/env bash
# Runs the whole suite (scripts/test.sh) at several dates, to prove that no test depends on
# the calendar: at the real date, then under libfaketime at each date given, or at the list
# below. Not part of CI: each run takes as long as scripts/test.sh.
#
#   scripts/test-dates.sh                         # the real date, then every date below
#   scripts/test-dates.sh "2028-02-29 12:00:00"   # these dates only (UTC, as `date -d` reads them)
#
# libfaketime moves the clock of every process of the run alike (the server, Chromium and its
# renderers, the test binaries), by a fixed offset, so they agree on "now" and time still
# passes. It is preloaded directly (not through the faketime wrapper, whose shared semaphore
# deadlocks every later process once one is killed holding it, as `grep -q` does to its
# writer). File times stay real (NO_FAKE_STAT) and cargo keeps the real clock
# (FAKETIME_SKIP_CMDS): cargo stamps its fingerprints with the time it builds, and a future
# stamp would hide later edits from the next real-time build. Monotonic clocks move by the same
# offset (Chromium's timers stop firing when only its wall clock moves).
# rustc, rustdoc and clippy-driver hang at start with libfaketime preloaded (their jemalloc),
# so they run without it: rustc and rustdoc through the wrappers below, and scripts/test.sh
# runs setup, its lints and the portal's release build (trunk's clock calls fail under it)
# with the preload removed. Nothing they do depends on the date.
set -euo pipefail
cd "$(dirname "$0")/.."
export TZ=UTC
LIBFAKETIME=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
wrappers=$(mktemp -d)
trap 'rm -rf "$wrappers"' EXIT
for tool in rustc rustdoc; do
  real="$(rustc --print sysroot)/bin/$tool"
  printf '#!/bin/sh\nunset LD_PRELOAD\nexec %s "$@"\n' "$real" >"$wrappers/$tool"
  chmod +x "$wrappers/$tool"
done

[ -f "$LIBFAKETIME" ] || scripts/setup.sh
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

failed=()
for d in "${dates[@]}"; do
  log="$(mktemp -t "test-dates.XXXXXX.log")"
  if [ "$d" = now ]; then
    printf '\n==> scripts/test.sh at the real date (log: %s)\n' "$log"
    run=(bash scripts/test.sh)
  else
    offset=$(($(date -u -d "$d" +%s) - $(date -u +%s)))
    printf '\n==> scripts/test.sh at %s UTC (offset %+ds; log: %s)\n' "$d" "$offset" "$log"
    run=(env LD_PRELOAD="$LIBFAKETIME" FAKETIME="$(printf '%+d' "$offset")" NO_FAKE_STAT=1
      FAKETIME_SKIP_CMDS=cargo
      RUSTC="$wrappers/rustc" RUSTDOC="$wrappers/rustdoc" bash scripts/test.sh)
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
