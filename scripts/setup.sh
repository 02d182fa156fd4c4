#!/usr/bin/env bash
# Installs every tool the project needs, pinned, from the package registries only
# (crates.io, npm, Debian). Idempotent: a second run only checks versions.
# Versions here must match Cargo.lock and Trunk.toml; the first thing this script does is check.
set -euo pipefail

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=0.2.130
BINARYEN_VERSION=132.0.0
WASM_SPLIT_VERSION=0.2.4
SCHEMATHESIS_VERSION=4.32.5
MOTO_VERSION=5.2.5
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TOOLS="$ROOT/.tools"

log() { printf '[setup] %s\n' "$*" >&2; }

export PATH="$HOME/.cargo/bin:$PATH"

# The wasm-bindgen CLI must be the exact version of the crate, or the portal will not load.
lock_wasm_bindgen=$(grep -A1 '^name = "wasm-bindgen"$' "$ROOT/Cargo.lock" | sed -n 's/^version = "\(.*\)"$/\1/p')
if [ "$lock_wasm_bindgen" != "$WASM_BINDGEN_VERSION" ] \
  || ! grep -q "^wasm_bindgen = \"$WASM_BINDGEN_VERSION\"" "$ROOT/Trunk.toml"; then
  log "wasm-bindgen pins disagree: setup.sh $WASM_BINDGEN_VERSION, Cargo.lock $lock_wasm_bindgen, Trunk.toml $(grep '^wasm_bindgen' "$ROOT/Trunk.toml")"
  exit 1
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# scripts/build-portal.sh rebuilds the standard library for size from its source.
if ! rustup component list --installed | grep -q '^rust-src'; then
  log "adding rust-src (the portal's release build rebuilds std for size)"
  rustup component add rust-src
fi

# Trunk runs cargo offline (Trunk.toml), so every crate it builds is downloaded here first:
# the project's, and those of the standard library that build-portal.sh rebuilds (their own
# lock file; RUSTC_BOOTSTRAP because its manifest uses unstable cargo features).
cargo fetch --locked --manifest-path "$ROOT/Cargo.toml" >/dev/null
RUSTC_BOOTSTRAP=1 cargo fetch --locked \
  --manifest-path "$(rustc --print sysroot)/lib/rustlib/src/rust/library/Cargo.toml" >/dev/null

have_version() { # cmd expected
  command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -qF "$2"
}

if ! have_version trunk "$TRUNK_VERSION"; then
  log "installing trunk $TRUNK_VERSION (several minutes on a bare machine)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

# wasm-bindgen-cli's own lock file names a crate the registry lacks, hence no --locked.
if ! have_version wasm-bindgen "$WASM_BINDGEN_VERSION" || ! command -v wasm-bindgen-test-runner >/dev/null; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# Splits the release wasm into pages loaded on demand (scripts/split-wasm.sh). 0.2.4 is the
# first release that knows wasm-bindgen 0.2.128's internal names.
if ! cargo install --list | grep -qx "wasm_split_cli_support v$WASM_SPLIT_VERSION:"; then
  log "installing wasm-split-cli $WASM_SPLIT_VERSION"
  cargo install wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --features build-binary --locked
fi

if [ ! -x "$TOOLS/node_modules/.bin/wasm-opt" ] || ! "$TOOLS/node_modules/.bin/wasm-opt" --version | grep -q "version_${BINARYEN_VERSION%%.*}"; then
  log "installing binaryen $BINARYEN_VERSION (wasm-opt) from npm into .tools/"
  mkdir -p "$TOOLS"
  npm install --prefix "$TOOLS" --no-audit --no-fund --save-exact "binaryen@$BINARYEN_VERSION" >/dev/null
fi

if [ ! -x "$TOOLS/node_modules/axe-core/axe.min.js" ] && [ ! -f "$TOOLS/node_modules/axe-core/axe.min.js" ]; then
  log "installing axe-core from npm into .tools/ (accessibility scans in end-to-end tests)"
  npm install --prefix "$TOOLS" --no-audit --no-fund --save-exact "axe-core@4.10.3" >/dev/null
fi

# Minifies the served JavaScript and CSS (crates/portal-build, scripts/build-portal.sh).
ESBUILD_VERSION=0.24.2
if [ ! -x "$TOOLS/node_modules/.bin/esbuild" ] || [ "$("$TOOLS/node_modules/.bin/esbuild" --version)" != "$ESBUILD_VERSION" ]; then
  log "installing esbuild $ESBUILD_VERSION from npm into .tools/ (minifies the portal's JavaScript and CSS)"
  mkdir -p "$TOOLS"
  npm install --prefix "$TOOLS" --no-audit --no-fund --save-exact "esbuild@$ESBUILD_VERSION" >/dev/null
fi

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  log "installing chromium and chromium-driver from Debian"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi

if ! command -v faketime >/dev/null; then
  log "installing faketime from Debian (scripts/test-dates.sh runs the suite at other dates)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq faketime >/dev/null
fi

if ! command -v brotli >/dev/null; then
  log "installing brotli from Debian (bundle size check)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq brotli >/dev/null
fi

# TLS to PostgreSQL goes through native-tls, which is OpenSSL here: openssl-sys builds against
# the system's library, found by pkg-config (scripts/postgres.sh also runs the openssl CLI).
if ! pkg-config --exists openssl 2>/dev/null || ! command -v openssl >/dev/null; then
  log "installing libssl-dev, pkg-config and openssl from Debian (TLS to PostgreSQL)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libssl-dev pkg-config openssl >/dev/null
fi

# The server's second backend: scripts/test.sh runs the server's tests again on a throwaway
# PostgreSQL cluster (scripts/postgres.sh), from Debian's server binaries.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  log "installing postgresql from Debian (the server's tests on its PostgreSQL backend)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
fi

# The API fuzzer of scripts/schemathesis.sh, from PyPI, in a virtualenv of its own.
if ! "$TOOLS/venv/bin/schemathesis" --version 2>/dev/null | grep -qF "version $SCHEMATHESIS_VERSION"; then
  log "installing schemathesis $SCHEMATHESIS_VERSION from PyPI into .tools/venv (API fuzzing in test.sh)"
  if ! python3 -c 'import ensurepip' 2>/dev/null; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
  fi
  mkdir -p "$TOOLS"
  python3 -m venv "$TOOLS/venv"
  "$TOOLS/venv/bin/pip" install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

# An S3 stand-in for the report store's tests (crates/usage-server/tests/report_store.rs),
# from PyPI, in a virtualenv of its own.
if ! "$TOOLS/moto/bin/python" -c "import sys, moto; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null \
  || [ ! -x "$TOOLS/moto/bin/moto_server" ]; then
  log "installing moto $MOTO_VERSION from PyPI into .tools/moto (S3 for the report store's tests)"
  if ! python3 -c 'import ensurepip' 2>/dev/null; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
  fi
  mkdir -p "$TOOLS"
  python3 -m venv "$TOOLS/moto"
  "$TOOLS/moto/bin/pip" install -q --disable-pip-version-check "moto[server]==$MOTO_VERSION"
fi

log "toolchain ready"
