#!/usr/bin/env bash
# The release build of the portal into dist/ (trunk), as small as the toolchain allows.
#
# The standard library is rebuilt for size (`-Zbuild-std`) with `panic=immediate-abort`:
# the prebuilt std is optimised for speed and carries the panic-message machinery, about
# 22 KB of the brotli bundle. This is the recipe of the Leptos book ("Optimizing WASM Binary
# Size"). The machine has one stable toolchain and no nightly can be fetched, so the
# unstable flags are enabled on that pinned stable compiler with RUSTC_BOOTSTRAP; they touch
# only this build. It gets its own target directory because build scripts (proc-macro2's,
# for one) rerun when RUSTC_BOOTSTRAP changes: sharing target/ with the other builds would
# rebuild every proc macro each time the two alternate.
#
# The Reports, Billing and Record pages are split into wasm files of their own, fetched when
# a page is first shown (src/pages/lazy.rs, scripts/split-wasm.sh): the first load, on the
# Usage page, is about 47 KB smaller after brotli.
#
# Set PORTAL_BUILD_STD=0 to build with the prebuilt std instead (larger; the same behaviour
# except that a panic's message is printed to the console before the app stops), and
# PORTAL_SPLIT=0 for one wasm file with every page (the end-to-end tests expect the split).
set -euo pipefail
source "$(dirname "$0")/env.sh"

if [ "${PORTAL_BUILD_STD:-1}" != 0 ]; then
  export RUSTC_BOOTSTRAP=1
  export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
  # Replaces .cargo/config.toml's rustflags for the wasm target, so erase_components is repeated.
  # location-detail and fmt-debug drop file names and Debug output nobody sees: the portal
  # never shows Debug output and panics abort without a message.
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="--cfg erase_components -Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none"
  export CARGO_TARGET_DIR="$ROOT/target/portal-release"
fi
if [ "${PORTAL_SPLIT:-1}" != 0 ]; then
  # The Reports, Billing and Record pages become wasm files of their own (src/pages/lazy.rs);
  # scripts/split-wasm.sh, run by the post-build hook, needs the linker's relocations for it.
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="${CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS:---cfg erase_components} --cfg portal_split -Clink-arg=--emit-relocs"
  export PORTAL_SPLIT_INPUT="${CARGO_TARGET_DIR:-$ROOT/target}/wasm32-unknown-unknown/wasm-release/usage-portal.wasm"
fi
# Warnings fail the release build: the code behind portal_split is compiled only here.
# (Dependencies' lints are capped by cargo.)
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="${CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS:---cfg erase_components} -Dwarnings"
exec trunk build --release "$@"
