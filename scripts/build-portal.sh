#!/usr/bin/env bash
# The release build of the portal into dist/ (trunk), as small as the toolchain allows.
#
# The standard library is rebuilt for size (`-Zbuild-std`) with `panic=immediate-abort`:
# the prebuilt std is optimised for speed and carries the panic-message machinery, about
# 22 KB of the brotli bundle. This is the recipe of the Leptos book ("Optimizing WASM Binary
# Size"). The machine has one stable toolchain (1.95) and no nightly can be fetched, so the
# unstable flags are enabled on that stable compiler with RUSTC_BOOTSTRAP; they touch
# only this build. It gets its own target directory because build scripts (proc-macro2's,
# for one) rerun when RUSTC_BOOTSTRAP changes: sharing target/ with the other builds would
# rebuild every proc macro each time the two alternate.
#
# The Reports, Billing and Record pages are split into wasm files of their own, fetched when
# a page is first shown (src/lazy.rs, scripts/split-wasm.sh): the first load, on the
# Usage page, is about 47 KB smaller after brotli.
#
# Set PORTAL_BUILD_STD=0 to build with the prebuilt std instead (larger; the same behaviour
# except that a panic's message is printed to the console before the app stops), and
# PORTAL_SPLIT=0 for one wasm file with every page (the end-to-end tests expect the split).
set -euo pipefail
source "$(dirname "$0")/env.sh"

# The post-build hook's steps (crates/portal-build), for the host, built before the exports
# below: trunk runs the hook with this build's environment, under which cargo would build the
# tool anew in the wasm build's target directory.
cargo build -q -p portal-build
export PORTAL_BUILD_TOOL="${CARGO_TARGET_DIR:-$ROOT/target}/debug/portal-build"

# Replaces .cargo/config.toml's rustflags for the wasm target, so erase_components is repeated.
flags="--cfg erase_components"
if [ "${PORTAL_BUILD_STD:-1}" != 0 ]; then
  export RUSTC_BOOTSTRAP=1
  export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
  # The standard library's own size switch: smaller sorts, formatting and collections code
  # (core and alloc choose their small variants), for code that sorts tables of tens of rows.
  export CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size
  # location-detail and fmt-debug drop file names and Debug output nobody sees: the portal
  # never shows Debug output and panics abort without a message.
  flags="$flags -Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none"
  export CARGO_TARGET_DIR="$ROOT/target/portal-release"
fi
if [ "${PORTAL_SPLIT:-1}" != 0 ]; then
  # scripts/split-wasm.sh, run by the post-build hook, needs the linker's relocations.
  flags="$flags --cfg portal_split -Clink-arg=--emit-relocs"
  export PORTAL_SPLIT_INPUT="${CARGO_TARGET_DIR:-$ROOT/target}/wasm32-unknown-unknown/wasm-release/usage-portal.wasm"
fi
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$flags"
if [ "${PORTAL_DENY_WARNINGS:-0}" != 1 ]; then
  exec trunk build --release "$@"
fi
# scripts/test.sh: a compiler warning in the project's code fails the build, since the code
# behind portal_split is compiled only here. Read from the log rather than with -Dwarnings,
# which would change the flags and rebuild every crate whenever run.sh and test.sh alternate.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
trunk build --release "$@" 2>&1 | tee "$log"
if grep -qE '^ +--> (src|crates)/' "$log"; then
  echo "build-portal: the build has compiler warnings (above)" >&2
  exit 1
fi
