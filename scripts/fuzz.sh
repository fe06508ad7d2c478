#!/usr/bin/env bash
# Fuzzes every cargo-fuzz target (fuzz/fuzz_targets) for N seconds each.
#   bash scripts/fuzz.sh        # 10 s per target: the short run of the test command
#   bash scripts/fuzz.sh 600    # the longer run (BENCHMARKS.md lists its figures)
# A failing input is kept in fuzz/artifacts/<target>/ and the script fails.
# The machine's stable toolchain builds the targets: cargo-fuzz passes a few
# -Z flags, which RUSTC_BOOTSTRAP=1 allows (no sanitizer: `domain` has no unsafe code).
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
bash scripts/setup.sh fuzz >/dev/null
export PATH="$HOME/.cargo/bin:$PATH"
export RUSTC_BOOTSTRAP=1
target_dir="${FUZZ_TARGET_DIR:-$HOME/.cache/portal-fuzz-target}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for t in $(cargo fuzz list --fuzz-dir fuzz); do
  mkdir -p "$work/$t"
  printf '\033[1;34m[fuzz]\033[0m %s for %s s\n' "$t" "$secs"
  rc=0
  cargo fuzz run --fuzz-dir fuzz --sanitizer none --target-dir "$target_dir" "$t" "$work/$t" "fuzz/seeds/$t" -- \
    -max_total_time="$secs" -max_len=4096 -print_final_stats=1 >"$work/$t.log" 2>&1 || rc=$?
  grep -E '^(stat::number_of_executed_units|stat::new_units_added|Done [0-9]+ runs)' "$work/$t.log" || true
  if [ "$rc" -ne 0 ]; then
    tail -n 60 "$work/$t.log" >&2
    echo "fuzz target $t failed; the input is in fuzz/artifacts/$t/" >&2
    exit 1
  fi
done
