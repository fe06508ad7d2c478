#!/usr/bin/env bash
# Long reliability run (not part of the test command): 60 s (or $1) of mixed
# members-list / invite / sign-up + accept traffic against the release server
# on SQLite (or DATABASE_URL). Fails on any error or 5xx; prints memory each second.
# Usage: bash scripts/load.sh [seconds, default 60]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh bench >/dev/null
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/portal-target}"
SECS="${1:-60}"
cargo build --release -q -p server --bin server --example load
DIR=$(mktemp -d /tmp/portal-load.XXXXXX)
PORT=3300
export DATABASE_URL="${DATABASE_URL:-sqlite://$DIR/portal.db?mode=rwc}"
DATA_DIR="$DIR" MAIL_DIR="$DIR/mail" LEPTOS_OUTPUT_NAME=portal LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg \
  LEPTOS_SITE_ADDR=127.0.0.1:$PORT LEPTOS_ENV=PROD PUBLIC_URL=http://127.0.0.1:$PORT RUST_LOG=warn \
  "$CARGO_TARGET_DIR/release/server" & SPID=$!
trap 'kill $SPID 2>/dev/null || true; rm -rf "$DIR"' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
echo "machine: $(nproc) cores; date: $(date -u +%F); database: ${DATABASE_URL%%:*}"
"$CARGO_TARGET_DIR/release/examples/load" "http://127.0.0.1:$PORT" "$DIR/mail" "$SPID" "$SECS"
