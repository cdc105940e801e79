#!/usr/bin/env bash
# Makes this machine ready to build and test Spiral. Idempotent: safe to run every time.
# Needs: a Rust toolchain installed with rustup, Node.js with npm, and (for the tests) PostgreSQL
# on 127.0.0.1:5432 and Debian's Chromium (scripts/test.sh installs it when missing).
set -euo pipefail

# The browser's entry point is built for wasm32, with the standard library rebuilt from source
# (scripts/build-frontend.sh).
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    rustup target add wasm32-unknown-unknown
fi
if ! rustup component list --installed | grep -q '^rust-src'; then
    rustup component add rust-src
fi

# wasm-bindgen's CLI writes the bundle's JavaScript glue; it must be exactly the version of the
# wasm-bindgen crate in Cargo.lock. Installed from crates.io (without --locked: one of its locked
# dependency versions is no longer in the registry).
WASM_BINDGEN_VERSION="$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"$/\1/p')"
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# npm tools (package-lock.json): binaryen's wasm-opt for the bundle, playwright-core for the tests.
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ]; then
    npm ci --no-audit --no-fund
fi

# pigz (Debian) gzips the bundle with its zopfli level (-11): plain gzip output, 4% smaller than
# gzip -9, for a few seconds once per build (scripts/build-frontend.sh).
if ! command -v pigz >/dev/null; then
    apt-get install -y pigz || { apt-get update && apt-get install -y pigz; }
fi

# PostgreSQL: the tests use the server on 127.0.0.1:5432 (trust authentication). Start the
# Debian cluster if it is installed but down.
if command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432; then
    if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
        pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
    fi
    for _ in $(seq 1 30); do
        pg_isready -q -h 127.0.0.1 -p 5432 && break
        sleep 1
    done
fi
