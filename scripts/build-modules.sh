#!/usr/bin/env bash
# Builds the lazily loaded wasm modules into target/site/pkg/:
#   strength/  zxcvbn (≈ 700 KB of dictionaries), only where a master password is chosen;
#   kdf/       Argon2id built for speed (opt-level 3), only where a master password is typed;
#   fingerprint/  the EFF word list of fingerprint phrases (62 KB), only where a phrase is shown.
# Run after `cargo leptos build`, which replaces target/site/pkg.
# Usage: bash scripts/build-modules.sh [--release]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/portal-target}"
# Always optimised: the estimator runs on every keystroke, the KDF at every unlock.
cargo build --locked -q -p strength --lib --target wasm32-unknown-unknown --profile wasm-release
cargo build --locked -q -p kdf --lib --target wasm32-unknown-unknown --profile kdf-release
build() { # name profile wasm-opt-level
  local out="target/site/pkg/$1"
  rm -rf "$out" && mkdir -p "$out"
  wasm-bindgen --target web --no-typescript --out-dir "$out" "$CARGO_TARGET_DIR/wasm32-unknown-unknown/$2/$1.wasm"
  if [ "$release" = 1 ] && command -v wasm-opt >/dev/null; then
    wasm-opt "$3" --enable-bulk-memory --enable-nontrapping-float-to-int --enable-reference-types --enable-sign-ext \
      --enable-mutable-globals "$out/$1_bg.wasm" -o "$out/$1_bg.wasm"
  fi
  echo "$1 module: $(stat -c %s "$out/$1_bg.wasm") B"
}
release=0; [ "${1:-}" = "--release" ] && release=1
build strength wasm-release -Oz
build kdf kdf-release -O3
mkdir -p target/site/pkg/fingerprint
cp domain/data/eff_large_wordlist.txt target/site/pkg/fingerprint/eff_large_wordlist.txt
echo "fingerprint word list: $(stat -c %s target/site/pkg/fingerprint/eff_large_wordlist.txt) B"
