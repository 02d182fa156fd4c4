#!/usr/bin/env bash
# Called by scripts/post-build.sh in the release build: splits the portal's wasm into the main
# module and the pages loaded on demand (src/pages/lazy.rs), and puts them in trunk's staging
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
  wasm-opt -Os --converge --low-memory-unused --enable-bulk-memory \
    --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
    --enable-reference-types --enable-multivalue "$1" -o "$1"
}
optimize "$work/bindgen/${stem}_bg.wasm"
for f in "$work"/split/split_*.wasm "$work"/split/chunk_*.wasm; do
  [ -e "$f" ] && optimize "$f"
done

python3 - "$dir" "$work" "$stem" <<'PY'
import base64, hashlib, pathlib, re, sys
dest, work, stem = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3]
split, bindgen = work / "split", work / "bindgen"

def sri(data):
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()

def hashed(name, data):
    base, ext = name.rsplit(".", 1)
    return f"{base}-{hashlib.sha256(data).hexdigest()[:16]}.{ext}"

loader = (split / "__wasm_split.js").read_text()
for part in sorted(split.glob("*.wasm")):
    if part.name == f"{stem}.wasm":
        continue
    data = part.read_bytes()
    name = hashed(part.name, data)
    (dest / name).write_bytes(data)
    old = f'fetch(new URL("./{part.name}", import.meta.url))'
    if old not in loader:
        sys.exit(f"split-wasm: the loader does not fetch {part.name} as expected")
    new = f'fetch(new URL("./{name}", import.meta.url), {{ integrity: "{sri(data)}" }})'
    loader = loader.replace(old, new)
main_js = (bindgen / f"{stem}.js").read_text()
main_wasm = (bindgen / f"{stem}_bg.wasm").read_bytes()
# The module and the loader import each other, so they share one hash, of all they hold:
# a name never stands for two contents, which an immutable cache would keep apart from
# index.html's integrity hashes.
h = hashlib.sha256(main_wasm + main_js.encode() + loader.encode()).hexdigest()[:16]
new_stem, loader_name = f"usage-portal-{h}", f"split-loader-{h}.js"

def swap(text, old, new, what):
    if old not in text:
        sys.exit(f"split-wasm: {what} does not name {old}")
    return text.replace(old, new)

loader = swap(loader, f'"./{stem}.js"', f'"./{new_stem}.js"', "the loader")
(dest / loader_name).write_text(loader)
# Only the import statements: the import object's keys must stay the wasm's module name.
main_js = swap(main_js, 'from "./__wasm_split.js"', f'from "./{loader_name}"', "wasm-bindgen's output")
main_js = main_js.replace(f"{stem}_bg.wasm", f"{new_stem}_bg.wasm")
(dest / f"{new_stem}.js").write_text(main_js)
(dest / f"{new_stem}_bg.wasm").write_bytes(main_wasm)
(dest / f"{stem}.js").unlink()
(dest / f"{stem}_bg.wasm").unlink()

index = dest / "index.html"
html = swap(index.read_text(), stem, new_stem, "index.html")
for name in (f"{new_stem}.js", f"{new_stem}_bg.wasm"):
    tag = re.search(r'<link[^>]*href="\./' + re.escape(name) + r'"[^>]*>', html)
    if not tag:
        sys.exit(f"split-wasm: index.html does not preload {name}")
    fixed = re.sub(r'integrity="[^"]*"', f'integrity="{sri((dest / name).read_bytes())}"', tag.group(0))
    if name.endswith(".js"):
        fixed += (f'<link rel="modulepreload" href="./{loader_name}" crossorigin="anonymous" '
                  f'integrity="{sri(loader.encode())}">')
    html = html.replace(tag.group(0), fixed)
index.write_text(html)
PY
