#!/usr/bin/env bash
# Builds the portal into target/site and the server binary: the browser bundle
# split into lazily loaded chunks (cargo leptos build --split), the server, and
# the lazily loaded modules (scripts/build-modules.sh). One definition for the
# test, serve and bench commands: the browser tests (debug) go through the same
# steps and options as the release that ships, which adds only wasm-opt and terser.
# Usage: bash scripts/build-site.sh [--release]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"  # wasm-opt from npm
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/portal-target}"
mode=()
[ "${1:-}" = "--release" ] && mode=(--release)

# The browser bundle, with two rustc options that shrink it (BENCHMARKS.md,
# session 9): panics carry no source file and line (-Zlocation-detail=none: the
# paths and Location records were ~20 % of the shell's data section), and
# `{:?}` formatting prints nothing (-Zfmt-debug=none: no Debug code; the portal
# never shows Debug output to a person, panics in the console lose their
# detail). Both are still unstable options of the stable rustc 1.95, so
# RUSTC_BOOTSTRAP=1 is set for this one build of the wasm only (its own target
# folder, target/front): the server, the tests and the modules build on plain
# stable. wasm-opt (release) also strips the chunks' producers and
# target-features sections (wasm-opt-features in Cargo.toml).
RUSTC_BOOTSTRAP=1 CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Zlocation-detail=none -Zfmt-debug=none" \
  cargo leptos build "${mode[@]}" --split --frontend-only
cargo leptos build "${mode[@]}" --split --server-only
# The chunk loader wasm-split writes is not minified by cargo-leptos (it lists
# every chunk's users in comments): terser from npm, as for any script (release).
if [ ${#mode[@]} -gt 0 ]; then
  for f in target/site/pkg/__wasm_split.*.js; do
    terser "$f" --module --compress --mangle --output "$f.min" && mv "$f.min" "$f"
  done
fi
# After cargo-leptos, which replaces target/site/pkg on a front build.
bash scripts/build-modules.sh "${mode[@]}"
