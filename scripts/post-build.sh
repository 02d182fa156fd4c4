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
# The release build (scripts/build-portal.sh) splits the pages loaded on demand out of the wasm.
if [ -n "${PORTAL_SPLIT_INPUT:-}" ]; then
  bash "$(dirname "$0")/split-wasm.sh"
fi
python3 - "$dir" "${TRUNK_SOURCE_DIR:-$PWD}" <<'PY'
import base64, hashlib, pathlib, re, sys
d = pathlib.Path(sys.argv[1])
index = d / "index.html"
html = index.read_text()
m = re.search(r'<script type="module">(.*?)</script>', html, re.S)
if m:
    body = m.group(1).strip() + "\n"
    digest = hashlib.sha384(body.encode()).digest()
    name = f"boot-{hashlib.sha256(body.encode()).hexdigest()[:16]}.js"
    (d / name).write_text(body)
    sri = "sha384-" + base64.b64encode(digest).decode()
    tag = f'<script type="module" src="./{name}" integrity="{sri}" crossorigin="anonymous"></script>'
    html = html[: m.start()] + tag + html[m.end():]
    index.write_text(html)

def sri(path):
    return "sha384-" + base64.b64encode(hashlib.sha384(path.read_bytes()).digest()).decode()

def one(pattern):
    found = sorted(d.glob(pattern))
    if len(found) != 1:
        sys.exit(f"post-build: expected one {pattern} in {d}, found {[f.name for f in found]}")
    return found[0]

wasm = one("usage-portal-*_bg.wasm")
js = one("usage-portal-*[0-9a-f].js")
css = one("portal-*.css")
embed = (pathlib.Path(sys.argv[2]) / "src" / "embed.js").read_text()
for key, value in {
    "__PORTAL_JS__": js.name,
    "__PORTAL_WASM__": wasm.name,
    "__PORTAL_CSS__": css.name,
    "__WASM_SRI__": sri(wasm),
    "__CSS_SRI__": sri(css),
}.items():
    embed = embed.replace(key, value)
(d / "embed.js").write_text(embed)
PY
for f in "$dir"/*.js "$dir"/*.wasm "$dir"/*.css; do
  [ -e "$f" ] || continue
  brotli -f -q 11 -o "$f.br" "$f"
  gzip -f -9 -k -n "$f"
done
