#!/usr/bin/env bash
# Runs the cargo-fuzz targets in fuzz/ (request parsing and queue-message decoding), each
# for a bounded time, and fails on the first crash, leaving the input in fuzz/artifacts/.
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 60; FUZZ_SECONDS works too)
#
# Installs cargo-fuzz if it is missing (`cargo install cargo-fuzz --locked`). libFuzzer's
# instrumentation needs nightly flags: the nightly toolchain is used when rustup has one;
# otherwise the stable toolchain with RUSTC_BOOTSTRAP=1 (no other toolchain can be fetched
# on a fresh machine); FUZZ_TOOLCHAIN=stable or =nightly forces one. Both were checked.
# Seeds come from fuzz/seeds/<target> with the dictionary fuzz/json.dict; new inputs go to
# fuzz/corpus/<target> (ignored by git). Builds go to fuzz/target unless CARGO_TARGET_DIR
# is set.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-${FUZZ_SECONDS:-60}}"
targets=(parse_request decode_message)
cargo_fuzz_version=0.13.2

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz $cargo_fuzz_version"
  cargo install cargo-fuzz --locked --version "$cargo_fuzz_version"
fi

toolchain_choice="${FUZZ_TOOLCHAIN:-}"
if [ -z "$toolchain_choice" ]; then
  if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    toolchain_choice=nightly
  else
    toolchain_choice=stable
  fi
fi
if [ "$toolchain_choice" = nightly ]; then
  toolchain=(+nightly)
  echo "== toolchain: nightly ($(rustc +nightly --version))"
else
  toolchain=()
  export RUSTC_BOOTSTRAP=1
  echo "== toolchain: stable with RUSTC_BOOTSTRAP=1 ($(rustc --version))"
fi

failed=()
for target in "${targets[@]}"; do
  echo "== fuzzing $target for ${seconds}s"
  mkdir -p "fuzz/corpus/$target"
  log="$(mktemp)"
  if cargo "${toolchain[@]}" fuzz run "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -dict="$PWD/fuzz/json.dict" -print_final_stats=1 >"$log" 2>&1; then
    grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+[[:space:]]+DONE)' "$log" || true
    echo "$target: no crash"
  else
    tail -n 60 "$log"
    echo "$target: CRASH (see fuzz/artifacts/$target)"
    failed+=("$target")
  fi
  rm -f "$log"
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzzing found crashes in: ${failed[*]}"
  exit 1
fi
echo "fuzzing: ${#targets[@]} targets, ${seconds}s each, no crash"
