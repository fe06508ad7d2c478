#!/usr/bin/env bash
# Builds the portal into target/site and the server binary: the browser bundle
# split into lazily loaded chunks (cargo leptos build --split), the server, and
# the lazily loaded modules (scripts/build-modules.sh). One definition for the
# test, serve and bench commands. The browser tests run the release build
# (--release), exactly what the serve command ships.
# Usage: bash scripts/build-site.sh [--release]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"  # wasm-opt from npm
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/portal-target}"
mode=()
[ "${1:-}" = "--release" ] && mode=(--release)

# The browser bundle, with two rustc options that shrink it (BENCHMARKS.md,
# first load): panics carry no source file and line (-Zlocation-detail=none: the
# paths and Location records were ~20 % of the shell's data section), and
# `{:?}` formatting prints nothing (-Zfmt-debug=none: no Debug code; the portal
# never shows Debug output to a person, panics in the console lose their
# detail). Both are still unstable options of the stable rustc 1.95, so
# RUSTC_BOOTSTRAP=1 is set for this one build of the wasm only (its own target
# folder, target/front): the server, the tests and the modules build on plain
# stable. wasm-opt (release) also strips the chunks' producers and
# target-features sections (wasm-opt-features in Cargo.toml).
wasm_flags="-Zlocation-detail=none -Zfmt-debug=none"
# Release only: the standard library is compiled with the bundle (build-std, from
# the rust-src component, scripts/setup.sh) for a panic that is a bare trap
# (-Cpanic=immediate-abort: no panic formatting or hook code) and core's
# smaller algorithms (optimize_for_size; BENCHMARKS.md). -Cpanic=abort would
# let the panic hook print the message, for +12.5 KB brotli on the Members
# first load (over the 300 KB budget; BENCHMARKS.md, first load): instead the
# chunk-load guard (frontend/src/lib.rs) logs where the bundle stopped and how
# to read the panic's message (the debug build prints it).
if [ ${#mode[@]} -gt 0 ]; then
  if [ -d "$(rustc --print sysroot)/lib/rustlib/src/rust/library" ]; then
    wasm_flags="$wasm_flags -Zunstable-options -Cpanic=immediate-abort"
    export CARGO_UNSTABLE_BUILD_STD=std,panic_abort CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size
  else
    printf '\033[1;33m[build-site] NOTICE: no rust-src component, so the release bundle is built without build-std (~15 KB brotli larger)\033[0m\n' >&2
  fi
fi
RUSTC_BOOTSTRAP=1 CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$wasm_flags" \
  cargo leptos build "${mode[@]}" --split --frontend-only
unset CARGO_UNSTABLE_BUILD_STD CARGO_UNSTABLE_BUILD_STD_FEATURES
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
# Release: precompressed copies, served as they are (brotli 11 beats
# on-the-fly compression): what the serve command ships and the browser tests run.
if [ ${#mode[@]} -gt 0 ]; then
  for f in target/site/pkg/*.wasm target/site/pkg/*.js target/site/pkg/*.css target/site/pkg/snippets/*/*.js target/site/pkg/strength/* target/site/pkg/kdf/* target/site/pkg/fingerprint/*; do
    case "$f" in *.br|*.gz) continue ;; esac
    brotli -f -k -q 11 "$f" && gzip -f -k -9 "$f"
  done
else
  # No stale release copies in front of a debug build's files.
  find target/site/pkg \( -name '*.br' -o -name '*.gz' \) -delete
fi
