#!/usr/bin/env bash
# Makes this machine ready to build and test Spiral. Idempotent: safe to run every time.
# Needs: a Rust toolchain installed with rustup, and (for the tests) PostgreSQL on 127.0.0.1:5432.
set -euo pipefail

# The browser's entry point is built for wasm32.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    rustup target add wasm32-unknown-unknown
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
