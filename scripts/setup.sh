#!/usr/bin/env bash
# Installs what a command of the portal needs on a fresh machine of this kind.
# Idempotent, and quick when everything is already there.
#   bash scripts/setup.sh serve   # build and run: the pinned Rust toolchain with the
#                                 # wasm target and rust-src, cargo-leptos,
#                                 # wasm-bindgen-cli, brotli, npm's wasm-opt and terser
#   bash scripts/setup.sh test    # serve + rustfmt, clippy, leptosfmt, cargo-fuzz,
#                                 # Chromium, the Playwright packages, Bitwarden's
#                                 # `bw` CLI (npm) and openssl
#   bash scripts/setup.sh bench   # serve + Chromium, the Playwright packages, wrk
#   bash scripts/setup.sh fuzz    # the pinned toolchain and cargo-fuzz only
# Several may be given; with none, `serve`.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

# The toolchain pinned in rust-toolchain.toml (rustup reads the file in every
# command run here; `rustup toolchain install` with no name installs it).
toolchain() {
  local channel
  channel=$(sed -n 's/^channel = "\(.*\)"$/\1/p' rust-toolchain.toml)
  if ! rustup toolchain list | grep -q "^$channel-"; then
    log "installing the Rust toolchain $channel (rust-toolchain.toml)"
    rustup toolchain install
  fi
}

component() { # name [not-fatal]
  rustup component list --installed | grep -q "^$1" && return 0
  log "adding the $1 component"
  if [ -n "${2:-}" ]; then
    timeout 300 rustup component add "$1" || log "NOTICE: $1 could not be installed: $2"
  else
    rustup component add "$1"
  fi
}

cargo_tool() { # command crate version: cargo install --locked unless the version answers
  if [ "$($1 --version 2>/dev/null | awk '{print $2}')" != "$3" ]; then
    log "installing $2 $3 (once)"
    cargo install "$2" --version "$3" --locked
  fi
}

debian() { # packages...
  local missing=() pkg
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# npm packages of end2end/package.json: its `dependencies` (binaryen's wasm-opt,
# as Debian's 108 corrupts the reference-types tables rustc 1.95 emits, and
# terser) build the bundle; its `devDependencies` (Playwright, axe, an SMTP
# sink; no browser download, Debian's Chromium is used) test and measure it.
npm_fresh() { [ -e "end2end/node_modules/$1/package.json" ] && [ ! end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; }

serve_tools() {
  if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
    log "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  # The standard library's source, for the release bundle's build-std
  # (scripts/build-site.sh); without it the bundle is built against the
  # prebuilt standard library.
  component rust-src "the release bundle will be ~15 KB larger"
  # 0.3.11 needs rustc 1.96. About 20 minutes to build once on 2 cores.
  cargo_tool "cargo leptos" cargo-leptos 0.3.10
  # wasm-bindgen-cli at exactly the version of the wasm-bindgen crate in
  # Cargo.lock. Not --locked: its own lock file pins a yanked crate, which
  # --locked refuses.
  local want have
  want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
  have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
  if [ "$have" != "$want" ]; then
    log "installing wasm-bindgen-cli $want"
    CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS=fallback cargo install wasm-bindgen-cli --version "$want" --force
  fi
  debian brotli # precompresses the release bundle (gzip is always there)
  # OpenSSL's headers for webauthn-rs (security keys), through openssl-sys.
  debian libssl-dev pkg-config
  if ! npm_fresh binaryen; then
    log "installing the npm build tools (wasm-opt, terser)"
    (cd end2end && npm ci --omit=dev --no-audit --no-fund --loglevel=error)
  fi
}

browser_tools() {
  debian chromium
  if ! npm_fresh @playwright/test || ! npm_fresh binaryen || ! npm_fresh @bitwarden/cli; then
    log "installing the end2end npm packages"
    (cd end2end && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

want_serve=0 want_test=0 want_bench=0 want_fuzz=0
for need in "${@:-serve}"; do
  case "$need" in
    serve) want_serve=1 ;;
    test) want_serve=1 want_test=1 want_fuzz=1 ;;
    bench) want_serve=1 want_bench=1 ;;
    fuzz) want_fuzz=1 ;;
    *) echo "setup.sh: unknown need '$need' (serve, test, bench, fuzz)" >&2; exit 2 ;;
  esac
done

toolchain
if [ $want_serve = 1 ]; then serve_tools; fi
if [ $want_test = 1 ]; then
  component rustfmt
  component clippy
  cargo_tool leptosfmt leptosfmt 0.1.33 # formats the view! macros
  browser_tools
  # Certificates for the tests that run Bitwarden's `bw` CLI over HTTPS.
  debian openssl
fi
if [ $want_bench = 1 ]; then
  browser_tools
  debian wrk
fi
if [ $want_fuzz = 1 ]; then cargo_tool "cargo fuzz" cargo-fuzz 0.13.2; fi
log "ready (${*:-serve})"
