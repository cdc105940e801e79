#!/usr/bin/env bash
# Fuzzes every decoder and input surface (fuzz/fuzz_targets) with cargo-fuzz and libFuzzer,
# seeded with real commands, stored events, export lines, checkpoints and proofs from the demo
# ledger (domain/examples/fuzz_seeds.rs). A crash leaves its input in fuzz/artifacts/TARGET/
# and fails the run: turn it into a regression test.
#
#   scripts/fuzz.sh                   every target for 10 seconds (what CI runs)
#   scripts/fuzz.sh 600               every target for 600 seconds
#   scripts/fuzz.sh 600 command_json  one target
#   FUZZ_RUNS=10000000 scripts/fuzz.sh 0 export_line   a fixed number of executions
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-10}"
shift || true
if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(sed -n 's/^name = "\(.*\)"$/\1/p' fuzz/Cargo.toml | grep -v '^spiral-fuzz$')
fi

# cargo-fuzz from crates.io, at the version this script was written for.
if [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz 0.13.2" ]; then
    cargo install cargo-fuzz --version 0.13.2 --locked
fi
target_dir="${CARGO_TARGET_DIR:-target}/fuzz"
fuzz=(--fuzz-dir fuzz --target-dir "$target_dir" -O -a -s none)

seeds="$target_dir/seeds"
rm -rf "$seeds"
cargo run -q -p domain --example fuzz_seeds -- "$seeds"
# cargo-fuzz passes a few flags stable rustc reserves for nightly; the machine has one stable
# toolchain, and RUSTC_BOOTSTRAP lets it accept them (for the fuzz build only).
export RUSTC_BOOTSTRAP=1
cargo fuzz build "${fuzz[@]}"

limit=(-max_total_time="$seconds")
if [ -n "${FUZZ_RUNS:-}" ]; then
    limit=(-runs="$FUZZ_RUNS")
fi
for target in "${targets[@]}"; do
    corpus="$target_dir/corpus/$target"
    mkdir -p "$corpus" "fuzz/artifacts/$target"
    echo "== fuzz $target"
    cargo fuzz run "${fuzz[@]}" "$target" "$corpus" "$seeds/$target" -- \
        "${limit[@]}" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="fuzz/artifacts/$target/" 2>&1 \
        | grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|==|.*(panicked|ERROR|deadly|SUMMARY))' || true
    if [ -n "$(ls -A "fuzz/artifacts/$target" 2>/dev/null)" ]; then
        echo "fuzz target $target found a crash: see fuzz/artifacts/$target/" >&2
        exit 1
    fi
done
