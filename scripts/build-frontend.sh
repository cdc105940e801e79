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

cargo build -p frontend --target wasm32-unknown-unknown --profile wasm-release
mkdir -p "$out"
wasm-bindgen --target web --no-typescript --out-dir "$out" \
    "$target/wasm32-unknown-unknown/wasm-release/frontend.wasm"
# wasm-opt (npm `binaryen`, installed by scripts/setup.sh) shrinks the bundle by a third.
if [ -x node_modules/.bin/wasm-opt ]; then
    node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
        --enable-sign-ext --enable-mutable-globals --enable-reference-types \
        "$out/frontend_bg.wasm" -o "$out/frontend_bg.wasm"
fi
gzip -9 -k -f "$out/frontend_bg.wasm" "$out/frontend.js"
echo "browser bundle: $out ($(stat -c %s "$out/frontend_bg.wasm") bytes, $(stat -c %s "$out/frontend_bg.wasm.gz") gzipped)"
