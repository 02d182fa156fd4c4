#!/usr/bin/env bash
# Trunk post-build hook: makes dist/ CDN-ready.
# - In the release build, splits the wasm into the main module and pages loaded on demand
#   (scripts/split-wasm.sh).
# - Moves trunk's inline loader script into a content-hashed file with subresource integrity,
#   so the portal runs under `script-src 'self'` (no inline script).
# - Writes dist/embed.js from src/embed.js with this build's hashed names and integrity hashes:
#   the one stable URL a host page loads to embed the portal (served with no-cache).
# - Writes precompressed .br and .gz twins beside every asset.
set -euo pipefail
dir="${TRUNK_STAGING_DIR:?run by trunk}"
# The steps are crates/portal-build, built beforehand by scripts/build-portal.sh: building it
# here would run cargo under the wasm build's environment (RUSTC_BOOTSTRAP, build-std, its
# own target directory), which would rebuild it and its dependencies for nothing.
tool="${PORTAL_BUILD_TOOL:-}"
if [ -z "$tool" ] || [ ! -x "$tool" ]; then
  echo "post-build: expected PORTAL_BUILD_TOOL to name the built portal-build binary, found" \
    "'$tool'; build with scripts/build-portal.sh, which builds it and sets it" >&2
  exit 1
fi
# The release build (scripts/build-portal.sh) splits the pages loaded on demand out of the wasm.
if [ -n "${PORTAL_SPLIT_INPUT:-}" ]; then
  bash "$(dirname "$0")/split-wasm.sh"
fi
# The boot script and embed.js: crates/portal-build (src/finish.rs).
"$tool" finish "$dir" "${TRUNK_SOURCE_DIR:-$PWD}"
for f in "$dir"/*.js "$dir"/*.wasm "$dir"/*.css; do
  [ -e "$f" ] || continue
  brotli -f -q 11 -o "$f.br" "$f"
  gzip -f -9 -k -n "$f"
done
