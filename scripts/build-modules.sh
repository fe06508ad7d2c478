#!/usr/bin/env bash
# Builds the lazily loaded strength module (zxcvbn) into target/site/pkg/strength/.
# Usage: bash scripts/build-strength.sh [--release]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/portal-target}"
out=target/site/pkg/strength
# Always optimised: the estimator runs on every keystroke.
cargo build --locked -q -p strength --lib --target wasm32-unknown-unknown --profile wasm-release
rm -rf "$out" && mkdir -p "$out"
wasm-bindgen --target web --no-typescript --out-dir "$out" "$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm-release/strength.wasm"
if [ "${1:-}" = "--release" ] && command -v wasm-opt >/dev/null; then
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-reference-types --enable-sign-ext \
    --enable-mutable-globals "$out/strength_bg.wasm" -o "$out/strength_bg.wasm"
fi
echo "strength module: $(stat -c %s "$out/strength_bg.wasm") B"
