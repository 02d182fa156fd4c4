#!/usr/bin/env bash
# Called by scripts/post-build.sh in the release build: splits the portal's wasm into the main
# module and the pages loaded on demand (src/lazy.rs), and puts them in trunk's staging
# directory in place of trunk's own wasm-bindgen output.
#
# Trunk cannot do this itself (trunk-rs/trunk#1022): the split needs the linker's relocations,
# so it runs on cargo's output, before wasm-bindgen, and wasm-bindgen must keep the function
# table export the loader uses (--keep-lld-exports), which trunk does not pass.
#
# Every file gets a hash of its content in its name; the loader fetches each page's wasm with its
# subresource-integrity hash, and index.html preloads the loader with its own.
set -euo pipefail
dir="${TRUNK_STAGING_DIR:?run by scripts/post-build.sh}"
input="${PORTAL_SPLIT_INPUT:?set by scripts/build-portal.sh}"
tool="${PORTAL_BUILD_TOOL:?set by scripts/build-portal.sh}"
# Trunk's output, replaced below: its names hash cargo's output, not what is served.
mapfile -t found < <(find "$dir" -maxdepth 1 -name 'usage-portal-*.js')
if [ "${#found[@]}" != 1 ] || [ ! -f "${found[0]%.js}_bg.wasm" ]; then
  echo "split-wasm: expected one usage-portal-*.js and its _bg.wasm in $dir: ${found[*]}" >&2
  exit 1
fi
stem=$(basename "${found[0]}" .js)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
wasm-split-cli "$input" "$work/split" --out-name "$stem"
wasm-bindgen --target web --keep-lld-exports --no-typescript --out-dir "$work/bindgen" \
  --out-name "$stem" "$work/split/$stem.wasm"
# The flags of index.html's rust link; the features are those rustc enables for wasm32.
optimize() {
  wasm-opt -Os --converge --low-memory-unused --strip-producers --strip-target-features --enable-bulk-memory \
    --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
    --enable-reference-types --enable-multivalue "$1" -o "$1"
}
optimize "$work/bindgen/${stem}_bg.wasm"
for f in "$work"/split/split_*.wasm "$work"/split/chunk_*.wasm; do
  [ -e "$f" ] && optimize "$f"
done

# Hashed names, the loader's integrity hashes, trunk's files replaced, index.html fixed:
# crates/portal-build (src/split.rs), built by scripts/build-portal.sh.
"$tool" split "$dir" "$work" "$stem"
