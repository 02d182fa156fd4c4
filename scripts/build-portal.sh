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
# Set PORTAL_BUILD_STD=0 to build with the prebuilt std instead (larger; the same behaviour
# except that a panic's message is printed to the console before the app stops).
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
exec trunk build --release "$@"
