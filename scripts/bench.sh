#!/usr/bin/env bash
# Benchmarks (not tests): members list at 50 and 10,000 members on SQLite and
# PostgreSQL under wrk, plus the first-load transfer sizes and Argon2id native.
# Usage: bash scripts/bench.sh [duration, default 30s]
#        BENCH_ONLY=list bash scripts/bench.sh 60s   (the members/list and SSR runs only)
#        BENCH_ONLY=first-load bash scripts/bench.sh  (the bundle and the first load in Chromium only)
#        BENCH_ONLY=sync bash scripts/bench.sh 30s     (Bitwarden's apps' /api/sync only)
#        BENCH_ONLY=msp bash scripts/bench.sh 20s      (300 clients, 30,000 members, 1,000,000 events)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh bench
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"  # wasm-opt from npm
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/portal-target}"
DUR="${1:-30s}"
PORT=3200

# The cross-client views of a large MSP: 300 client organisations, 30,000
# members, 1,000,000 events (server/examples/seed_msp.rs), on both databases.
msp_run() { # backend url
  local name=$1 url=$2 t0 token pid client
  t0=$(date +%s)
  read -r token pid client < <(DATABASE_URL="$url" "$CARGO_TARGET_DIR/release/examples/seed_msp")
  echo "== $name: seeded 300 clients, 30,000 members, 1,000,000 events in $(( $(date +%s) - t0 )) s"
  # PostgreSQL's autovacuum gathers statistics within a minute or so of a bulk
  # load; the benchmark starts sooner, so it asks at once (without statistics
  # the planner takes the log for 3,000 rows and sorts all million).
  case "$url" in postgres*) psql "$url" -qc ANALYZE ;; esac
  DATABASE_URL="$url" LEPTOS_OUTPUT_NAME=portal LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg \
    LEPTOS_SITE_ADDR=127.0.0.1:$PORT RUST_LOG=warn "$CARGO_TARGET_DIR/release/server" & local spid=$!
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
  local now from30 from365
  now=$(date +%s); from30=$((now - 30 * 86400)); from365=$((now - 366 * 86400))
  bench_post() { # label endpoint body
    cat > /tmp/portal-bench-msp.lua <<LUA
wrk.method = "POST"
wrk.body = '$3'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Cookie"] = "pp_session=$token"
wrk.headers["Accept-Encoding"] = "br, gzip"
LUA
    echo "== $name: $1"
    curl -s -o /dev/null -w "one request: %{http_code} in %{time_total} s, %{size_download} B compressed\n" -X POST \
      -H 'content-type: application/json' -H "cookie: pp_session=$token" -H 'accept-encoding: br' -d "$3" "http://127.0.0.1:$PORT/api/$2"
    wrk -t2 -c16 -d"$DUR" --timeout 60s --latency -s /tmp/portal-bench-msp.lua "http://127.0.0.1:$PORT/api/$2" \
      | grep -E "Requests/sec|Non-2xx|Socket errors|50%|99%|requests in"
  }
  bench_post "onboarding queue (every client's Invited, Expired, Needs confirmation)" providers/onboarding "{\"provider_id\":\"$pid\"}"
  bench_post "event stream, every client, last 30 days, first page of 100" providers/events \
    "{\"provider_id\":\"$pid\",\"filter\":{\"from\":$from30,\"to\":$now,\"clients\":true},\"offset\":0,\"limit\":100}"
  bench_post "event stream, every client, the whole year, page 50 of 100" providers/events \
    "{\"provider_id\":\"$pid\",\"filter\":{\"from\":$from365,\"to\":$now,\"clients\":true},\"offset\":4900,\"limit\":100}"
  bench_post "event stream, one client and one kind, the whole year" providers/events \
    "{\"provider_id\":\"$pid\",\"filter\":{\"from\":$from365,\"to\":$now,\"clients\":true,\"tenant\":\"$client\",\"kind\":\"vault_opened\"},\"offset\":0,\"limit\":100}"
  bench_post "event stream, one actor across every client, last 30 days" providers/events \
    "{\"provider_id\":\"$pid\",\"filter\":{\"from\":$from30,\"to\":$now,\"clients\":true,\"actor\":\"tech07@bench-msp.example.com\"},\"offset\":0,\"limit\":100}"
  bench_post "event log filters (kinds and actors of every client)" providers/events/facets "{\"provider_id\":\"$pid\",\"clients\":true}"
  echo "== $name: CSV export of the whole year, every client (one request)"
  curl -s -o /tmp/portal-bench-msp.csv -w "status %{http_code}, %{size_download} B in %{time_total} s\n" -H "cookie: pp_session=$token" \
    "http://127.0.0.1:$PORT/api/providers/$pid/events.csv?clients=1&from=$(date -u -d @$from365 +%F)&to=$(date -u +%F)"
  echo "rows: $(( $(wc -l < /tmp/portal-bench-msp.csv) - 1 ))"
  echo "peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/$spid/status)"
  kill $spid; wait $spid 2>/dev/null || true
}
if [ "${BENCH_ONLY:-}" = msp ]; then
  # The API alone (no site): the server and the seed in one plain cargo build.
  cargo build --release -p server --bin server --example seed_msp -q
  echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; date: $(date -u +%F)"
  rm -rf /tmp/portal-bench-sqlite; mkdir -p /tmp/portal-bench-sqlite
  msp_run sqlite "sqlite:///tmp/portal-bench-sqlite/msp.db?mode=rwc"
  echo "sqlite file: $(du -sh /tmp/portal-bench-sqlite/msp.db | cut -f1)"
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS portal_bench_msp" -c "CREATE DATABASE portal_bench_msp" postgres
  msp_run postgres "postgres://postgres@127.0.0.1:5432/portal_bench_msp"
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS portal_bench_msp WITH (FORCE)" postgres
  exit 0
fi

bash scripts/build-site.sh --release >/dev/null
cargo build --release -p server --example seed -q
cargo build --release -p server --example seed_sync -q
cargo build --release -p domain --example kdf_bench -q
BIN="$CARGO_TARGET_DIR/release/server"
SEED="$CARGO_TARGET_DIR/release/examples/seed"
SEED_SYNC="$CARGO_TARGET_DIR/release/examples/seed_sync"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; date: $(date -u +%F)"
"$CARGO_TARGET_DIR/release/examples/kdf_bench"

echo "== the bundle (release, wasm-opt): the shell, and the lazily loaded page chunks (cargo leptos build --split)"
for f in target/site/pkg/portal.wasm target/site/pkg/portal.js target/site/pkg/portal.css target/site/pkg/__wasm_split.*.js; do
  printf '%-40s raw %8d B   brotli %8d B\n' "$(basename "$f")" "$(stat -c %s "$f")" "$(brotli -c -q 11 "$f" | wc -c)"
done
chunks=(target/site/pkg/chunk_*.wasm)
printf '%-40s raw %8d B   brotli %8d B\n' "${#chunks[@]} page chunks, all together" "$(cat "${chunks[@]}" | wc -c)" \
  "$(for c in "${chunks[@]}"; do brotli -c -q 11 "$c" | wc -c; done | awk '{s+=$1} END {print s}')"

run() { # backend url members [cache: on|off]
  local name=$1 url=$2 n=$3 cache=${4:-on}
  read -r token pid _ < <(DATABASE_URL="$url" "$SEED" "$n")
  DATABASE_URL="$url" LEPTOS_OUTPUT_NAME=portal LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg \
    LEPTOS_SITE_ADDR=127.0.0.1:$PORT RUST_LOG=warn LIST_CACHE=$cache "$BIN" & local spid=$!
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
  echo "== members/list, $name, $n members (response $bytes B compressed), list cache $cache"
  wrk -t2 -c32 -d"$DUR" --timeout 60s --latency -s /tmp/portal-bench.lua "http://127.0.0.1:$PORT/api/members/list" \
    | grep -E "Requests/sec|Non-2xx|Socket errors|50%|99%|requests in"
  echo "peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/$spid/status)"
  # Server-side rendered first load of the Members page, one request at a time:
  # the latency is the server's time per page.
  cat > /tmp/portal-bench-ssr.lua <<LUA
wrk.headers["Cookie"] = "pp_session=$token"
wrk.headers["Accept-Encoding"] = "br, gzip"
LUA
  local html; html=$(curl -s -H "cookie: pp_session=$token" "http://127.0.0.1:$PORT/providers/$pid/members" | wc -c)
  echo "== SSR first load of /providers/{id}/members, $name, $n members ($html B of HTML), one connection"
  wrk -t1 -c1 -d5s --latency -s /tmp/portal-bench-ssr.lua "http://127.0.0.1:$PORT/providers/$pid/members" \
    | grep -E "Requests/sec|Non-2xx|50%|99%"
  kill $spid; wait $spid 2>/dev/null || true
}
# /api/sync as Bitwarden's apps call it: a member of an organisation with
# 5,000 items in 50 collections (Can edit on each), and a provider admin of
# 100 client organisations; beside it the portal's own read of the same 5,000
# items (the Admin Console's vault, organizations/items).
sync_run() { # backend url
  local name=$1 url=$2
  read -r admin member session org < <(DATABASE_URL="$url" "$SEED_SYNC")
  DATABASE_URL="$url" LEPTOS_OUTPUT_NAME=portal LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg \
    LEPTOS_SITE_ADDR=127.0.0.1:$PORT RUST_LOG=warn "$BIN" & local spid=$!
  for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
  for who in "member:$member" "provider admin:$admin"; do
    local tok=${who#*:} bytes
    bytes=$(curl -s -H "authorization: Bearer $tok" -H 'accept-encoding: br' "http://127.0.0.1:$PORT/api/sync" | wc -c)
    echo "== /api/sync, $name, ${who%%:*} (response $bytes B compressed)"
    wrk -t2 -c32 -d"$DUR" --timeout 60s --latency -H "Authorization: Bearer $tok" -H "Accept-Encoding: br, gzip" \
      "http://127.0.0.1:$PORT/api/sync" | grep -E "Requests/sec|Non-2xx|Socket errors|50%|99%|requests in"
  done
  cat > /tmp/portal-bench-items.lua <<LUA
wrk.method = "POST"
wrk.body = '{"org_id":"$org"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Cookie"] = "pp_session=$session"
wrk.headers["Accept-Encoding"] = "br, gzip"
LUA
  echo "== organizations/items (the portal's vault page), $name, the same 5,000 items"
  wrk -t2 -c32 -d"$DUR" --timeout 60s --latency -s /tmp/portal-bench-items.lua "http://127.0.0.1:$PORT/api/organizations/items" \
    | grep -E "Requests/sec|Non-2xx|Socket errors|50%|99%|requests in"
  echo "peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/$spid/status)"
  kill $spid; wait $spid 2>/dev/null || true
}
if [ -z "${BENCH_ONLY:-}" ] || [ "$BENCH_ONLY" = sync ]; then
  rm -rf /tmp/portal-bench-sqlite; mkdir -p /tmp/portal-bench-sqlite
  sync_run sqlite "sqlite:///tmp/portal-bench-sqlite/sync.db?mode=rwc"
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS portal_bench_sync" -c "CREATE DATABASE portal_bench_sync" postgres
  sync_run postgres "postgres://postgres@127.0.0.1:5432/portal_bench_sync"
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS portal_bench_sync WITH (FORCE)" postgres
  [ "${BENCH_ONLY:-}" = sync ] && exit 0
fi

# The list cache (service/src/list_cache.rs) serves repeated reads of a large
# tenant's list while nothing changed; LIST_CACHE=off measures the read that
# follows every change (the database query each time).
rm -rf /tmp/portal-bench-sqlite; mkdir -p /tmp/portal-bench-sqlite
if [ "${BENCH_ONLY:-}" != first-load ]; then
for n in 50 10000; do
  run sqlite "sqlite:///tmp/portal-bench-sqlite/$n.db?mode=rwc" "$n"
  db="portal_bench_$n"
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" postgres
  run postgres "postgres://postgres@127.0.0.1:5432/$db" "$n"
  [ "$n" = 10000 ] && run "postgres (no list cache)" "postgres://postgres@127.0.0.1:5432/$db" "$n" off
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" postgres
done
run "sqlite (no list cache)" "sqlite:///tmp/portal-bench-sqlite/nocache.db?mode=rwc" 10000 off
fi

[ "${BENCH_ONLY:-}" = list ] && exit 0

echo "== browser (Chromium, release bundle)"
start() { # url
  DATABASE_URL="$1" LEPTOS_OUTPUT_NAME=portal LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg \
    LEPTOS_SITE_ADDR=127.0.0.1:$PORT RUST_LOG=warn "$BIN" & SPID=$!
  for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
}
url="sqlite:///tmp/portal-bench-sqlite/browser-table.db?mode=rwc"
read -r token pid email < <(DATABASE_URL="$url" "$SEED" 10000)
start "$url"
echo "== first load in Chromium: what a cold page fetches until it is hydrated (budget: 300 KB brotli)"
(cd end2end && BASE="http://127.0.0.1:$PORT" TOKEN=$token PID=$pid node bench-first-load.mjs)
[ "${BENCH_ONLY:-}" = first-load ] && { kill $SPID; wait $SPID 2>/dev/null || true; exit 0; }
(cd end2end && BASE="http://127.0.0.1:$PORT" node bench-argon2.mjs && BASE="http://127.0.0.1:$PORT" node bench-signup.mjs && BASE="http://127.0.0.1:$PORT" PID=$pid EMAIL=$email MODE=table node bench-members.mjs)
kill $SPID; wait $SPID 2>/dev/null || true
url="sqlite:///tmp/portal-bench-sqlite/browser-confirm.db?mode=rwc"
read -r _ pid email < <(DATABASE_URL="$url" SEED_ACCEPTED=1 "$SEED" 501)
start "$url"
(cd end2end && BASE="http://127.0.0.1:$PORT" PID=$pid EMAIL=$email MODE=confirm node bench-members.mjs)
kill $SPID; wait $SPID 2>/dev/null || true

echo "== invite of 20 addresses (one request, SQLite)"
url="sqlite:///tmp/portal-bench-sqlite/invite.db?mode=rwc"
read -r token pid _ < <(DATABASE_URL="$url" "$SEED" 1)
start "$url"
for round in 1 2 3 4 5; do
  emails=$(for i in $(seq 20); do printf 'r%s-%s@example.com,' "$round" "$i"; done)
  curl -s -o /dev/null -w "invite 20: %{http_code} in %{time_total} s\n" -X POST -H 'content-type: application/json' \
    -H "cookie: pp_session=$token" -d "{\"input\":{\"provider_id\":\"$pid\",\"emails\":\"$emails\",\"user_type\":\"ServiceUser\"}}" \
    "http://127.0.0.1:$PORT/api/members/invite"
done
kill $SPID; wait $SPID 2>/dev/null || true
