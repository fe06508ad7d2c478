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

# The release bundle uses unstable options of the pinned stable rustc, allowed
# by RUSTC_BOOTSTRAP=1 for that one build only; README "Develop → The build's
# unstable options" says what each buys and what breaks without it. The debug
# build (the fast loop) uses none: plain stable, and its panics print their
# message and source line.
if [ ${#mode[@]} -gt 0 ]; then
  wasm_flags="-Zlocation-detail=none -Zfmt-debug=none"
  if [ -d "$(rustc --print sysroot)/lib/rustlib/src/rust/library" ]; then
    wasm_flags="$wasm_flags -Zunstable-options -Cpanic=immediate-abort"
    export CARGO_UNSTABLE_BUILD_STD=std,panic_abort CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size
  else
    printf '\033[1;33m[build-site] NOTICE: no rust-src component, so the release bundle is built without build-std (~15 KB brotli larger)\033[0m\n' >&2
  fi
  RUSTC_BOOTSTRAP=1 CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$wasm_flags" \
    cargo leptos build --release --split --frontend-only
  unset CARGO_UNSTABLE_BUILD_STD CARGO_UNSTABLE_BUILD_STD_FEATURES
else
  cargo leptos build --split --frontend-only
fi
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
  for f in target/site/pkg/*.wasm target/site/pkg/*.js target/site/pkg/*.css target/site/pkg/snippets/*/*.js target/site/pkg/snippets/*/js/*.js target/site/pkg/strength/* target/site/pkg/kdf/* target/site/pkg/fingerprint/*; do
    case "$f" in *.br|*.gz) continue ;; esac
    [ -f "$f" ] || continue  # a pattern that matched nothing
    brotli -f -k -q 11 "$f" && gzip -f -k -9 "$f"
  done
else
  # No stale release copies in front of a debug build's files.
  find target/site/pkg \( -name '*.br' -o -name '*.gz' \) -delete
fi
