#!/usr/bin/env bash
# Runs every test: formatting, lints, the wasm32 build of the browser entry, and all unit and
# end-to-end tests on SQLite and on the running PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    echo "PostgreSQL is not answering on 127.0.0.1:5432; the tests need it (see README)." >&2
    exit 1
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy -D warnings"
cargo clippy --workspace --all-targets -- -D warnings
echo "== domain and frontend for wasm32 (the browser's replay build, without cqrs-es)"
cargo build -p frontend --target wasm32-unknown-unknown --release
echo "== cargo test"
cargo test --workspace
