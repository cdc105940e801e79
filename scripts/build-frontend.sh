#!/usr/bin/env bash
# Builds the browser bundle: the `frontend` crate for wasm32 in release mode (profile
# wasm-release: optimised for size), then wasm-bindgen's
# JavaScript glue, into $CARGO_TARGET_DIR/site/pkg (default target/site/pkg), where `spiral serve`
# looks for it (or set SPIRAL_SITE to the `site` directory). A gzipped twin of each file is
# written beside it; the server sends that to browsers that accept gzip.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

target="${CARGO_TARGET_DIR:-target}"
out="$target/site/pkg"

# The standard library is rebuilt for the bundle with the size profile and the immediate-abort
# panic strategy: no panic message machinery in the browser (a panic, which the code never means
# to reach, stops the app with a trap instead of a message), a twentieth of the bundle. Both are
# unstable cargo/rustc options; RUSTC_BOOTSTRAP lets the machine's one stable toolchain accept
# them, for this build only, in a target directory of its own (clippy's wasm32 check stays on
# the ordinary std). Needs the toolchain's rust-src (scripts/setup.sh adds it).
RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort" \
    CARGO_TARGET_DIR="$target/wasm-std" \
    cargo build -p frontend --target wasm32-unknown-unknown --profile wasm-release -Z build-std=std,panic_abort
mkdir -p "$out"
wasm-bindgen --target web --no-typescript --out-dir "$out" \
    "$target/wasm-std/wasm32-unknown-unknown/wasm-release/frontend.wasm"
# wasm-opt (npm `binaryen`, installed by scripts/setup.sh) shrinks the bundle by a third;
# --converge repeats its passes until nothing shrinks more: another 2 KB gzipped for ~40 s.
if [ -x node_modules/.bin/wasm-opt ]; then
    node_modules/.bin/wasm-opt -Oz --converge --enable-bulk-memory --enable-nontrapping-float-to-int \
        --enable-sign-ext --enable-mutable-globals --enable-reference-types \
        "$out/frontend_bg.wasm" -o "$out/frontend_bg.wasm"
fi
# Zopfli (pigz -11): ordinary gzip that every browser reads, 4% smaller than gzip -9.
pigz -11 -k -f "$out/frontend_bg.wasm" "$out/frontend.js"
gzipped="$(stat -c %s "$out/frontend_bg.wasm.gz")"
echo "browser bundle: $out ($(stat -c %s "$out/frontend_bg.wasm") bytes, $gzipped gzipped)"
# The bundle's budget (issue 12): 400 KB gzipped, what a first visit downloads before it can
# replay anything.
budget=400000
if [ "$gzipped" -gt "$budget" ]; then
    echo "the browser bundle is $gzipped bytes gzipped, over its budget of $budget" >&2
    exit 1
fi
