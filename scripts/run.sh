#!/usr/bin/env bash
# Builds Spiral (the server and the browser bundle), records the seed's demo history into a SQLite file (spiral.db, created on first
# run) and starts the server on http://127.0.0.1:3000/. Extra arguments go to `spiral serve`,
# e.g. scripts/run.sh --addr 0.0.0.0:8080. SPIRAL_DATABASE_URL picks another store.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# The browser bundle first: the pages the server renders load it to come alive.
scripts/build-frontend.sh
exec cargo run --release -p server --bin spiral -- serve --demo "$@"
