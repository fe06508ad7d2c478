#!/usr/bin/env bash
# Benchmarks (not tests): members list at 50 and 10,000 members on SQLite and
# PostgreSQL under wrk, plus the first-load transfer sizes and Argon2id native.
# Usage: bash scripts/bench.sh [duration, default 30s]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"  # wasm-opt from npm
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/portal-target}"
DUR="${1:-30s}"
cargo leptos build --release >/dev/null
cargo build --release -p server --example seed -q
cargo build --release -p domain --example kdf_bench -q
BIN="$CARGO_TARGET_DIR/release/server"
SEED="$CARGO_TARGET_DIR/release/examples/seed"
PORT=3200
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; date: $(date -u +%F)"
"$CARGO_TARGET_DIR/release/examples/kdf_bench"

echo "== first-load transfer (release, wasm-opt)"
for f in target/site/pkg/portal.wasm target/site/pkg/portal.js target/site/pkg/portal.css; do
  printf '%-32s raw %8d B   brotli %8d B\n' "$(basename "$f")" "$(stat -c %s "$f")" "$(brotli -c -q 11 "$f" | wc -c)"
done

run() { # backend url members
  local name=$1 url=$2 n=$3
  read -r token pid < <(DATABASE_URL="$url" "$SEED" "$n")
  DATABASE_URL="$url" LEPTOS_OUTPUT_NAME=portal LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg \
    LEPTOS_SITE_ADDR=127.0.0.1:$PORT RUST_LOG=warn "$BIN" & local spid=$!
  for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
  cat > /tmp/portal-bench.lua <<LUA
wrk.method = "POST"
wrk.body = '{"provider_id":"$pid"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Cookie"] = "pp_session=$token"
wrk.headers["Accept-Encoding"] = "br, gzip"
LUA
  local bytes; bytes=$(curl -s -X POST -H 'content-type: application/json' -H "cookie: pp_session=$token" -H 'accept-encoding: br' \
    -d "{\"provider_id\":\"$pid\"}" "http://127.0.0.1:$PORT/api/members/list" | wc -c)
  echo "== members/list, $name, $n members (response $bytes B compressed)"
  wrk -t2 -c32 -d"$DUR" --timeout 60s --latency -s /tmp/portal-bench.lua "http://127.0.0.1:$PORT/api/members/list" \
    | grep -E "Requests/sec|Non-2xx|Socket errors|50%|99%|requests in"
  echo "peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/$spid/status)"
  kill $spid; wait $spid 2>/dev/null || true
}
rm -rf /tmp/portal-bench-sqlite; mkdir -p /tmp/portal-bench-sqlite
for n in 50 10000; do
  run sqlite "sqlite:///tmp/portal-bench-sqlite/$n.db?mode=rwc" "$n"
  db="portal_bench_$n"
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" postgres
  run postgres "postgres://postgres@127.0.0.1:5432/$db" "$n"
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" postgres
done
