#!/usr/bin/env bash
# README command 1: install what is missing, build in release mode and serve
# the portal at http://127.0.0.1:3000 on an embedded SQLite file (data/portal.db,
# created and migrated on start). No other configuration is needed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh serve
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"  # wasm-opt from npm
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/portal-target}"
bash scripts/build-site.sh --release   # with precompressed copies of every file
export LEPTOS_OUTPUT_NAME=portal LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg
export LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}" LEPTOS_ENV=PROD
echo "Provider Portal: http://$LEPTOS_SITE_ADDR (data in ./data; Ctrl-C stops)"
exec "$CARGO_TARGET_DIR/release/server"
