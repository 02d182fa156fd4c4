#!/usr/bin/env bash
# Trunk post-build hook: makes dist/ CDN-ready.
# - Moves trunk's inline loader script into a content-hashed file with subresource integrity,
#   so the portal runs under `script-src 'self'` (no inline script).
# - Writes precompressed .br and .gz twins beside every hashed asset.
set -euo pipefail
dir="${TRUNK_STAGING_DIR:?run by trunk}"
python3 - "$dir" <<'PY'
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
PY
for f in "$dir"/*.js "$dir"/*.wasm "$dir"/*.css; do
  [ -e "$f" ] || continue
  brotli -f -q 11 -o "$f.br" "$f"
  gzip -f -9 -k -n "$f"
done
