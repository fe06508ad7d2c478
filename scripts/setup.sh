#!/usr/bin/env bash
# Installs everything the portal needs on a fresh machine of this kind.
# Idempotent and quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

# Rust: the wasm target.
if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# rustfmt, for the test command's formatting check.
if ! rustup component list --installed | grep -q '^rustfmt'; then
  log "adding the rustfmt component"
  rustup component add rustfmt
fi

# The standard library's source, for the release bundle's build-std
# (scripts/build-site.sh). Not fatal: without it the release bundle is built
# against the prebuilt standard library (larger) and the tests do not need it.
if ! rustup component list --installed | grep -q '^rust-src'; then
  log "adding the rust-src component"
  timeout 300 rustup component add rust-src || log "NOTICE: rust-src could not be installed; the release bundle will be ~15 KB larger"
fi

# cargo-leptos 0.3.10 (0.3.11 needs a newer rustc). About 22 minutes to build once.
if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "0.3.10" ]; then
  log "installing cargo-leptos 0.3.10 (one-time, ~20 min on 2 cores)"
  cargo install cargo-leptos --version 0.3.10 --locked
fi

# wasm-bindgen-cli at exactly the version in Cargo.lock.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  log "installing wasm-bindgen-cli $want"
  CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS=fallback cargo install wasm-bindgen-cli --version "$want" --force
fi

# cargo-fuzz for the fuzz targets (fuzz/, run by scripts/fuzz.sh). About 2 minutes once.
if [ "$(cargo fuzz --version 2>/dev/null | awk '{print $2}')" != "0.13.2" ]; then
  log "installing cargo-fuzz 0.13.2"
  cargo install cargo-fuzz --version 0.13.2 --locked
fi

# Debian packages: Chromium for the browser tests, wrk and brotli for the
# benchmarks. (wasm-opt comes from npm's binaryen: Debian's 108 corrupts the
# reference-types tables that rustc 1.95 and wasm-bindgen 0.2.130 emit.)
missing=()
for pkg in chromium wrk brotli; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# npm packages of the end-to-end suite (no browser download: Debian's Chromium is used).
if [ ! -d end2end/node_modules/@playwright/test ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  log "installing end2end npm packages"
  (cd end2end && npm ci --no-audit --no-fund --loglevel=error)
fi
log "ready"
