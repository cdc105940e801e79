#!/usr/bin/env bash
# Runs every test: formatting, lints, the wasm32 build of the browser entry, all unit and
# end-to-end tests on SQLite and on the running PostgreSQL, a short fuzz run of every decoder,
# and Schemathesis against the API's OpenAPI document.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    echo "PostgreSQL is not answering on 127.0.0.1:5432; the tests need it (see README)." >&2
    exit 1
fi

# The browser tests drive Debian's Chromium; a Japanese font makes the screenshots readable.
# The cluster test puts HAProxy in front of several servers (scripts/cluster.sh).
if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi ipagothic || ! command -v haproxy >/dev/null; then
    echo "== installing Debian's chromium, a Japanese font and haproxy"
    packages="chromium chromium-driver fonts-ipafont-gothic haproxy"
    apt-get install -y $packages || { apt-get update && apt-get install -y $packages; }
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check
# The server (app with `ssr`) and the browser bundle (app with `hydrate`) are built by separate
# cargo runs so their features never merge; `frontend` is not a default member.
echo "== cargo clippy -D warnings (server side, then the wasm32 bundle)"
cargo clippy --all-targets -- -D warnings
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings
echo "== the browser bundle (release wasm32 + wasm-bindgen)"
scripts/build-frontend.sh
echo "== cargo test"
cargo test
# Hostile input, briefly: each fuzz target for a few seconds, and the API against its own
# OpenAPI document with Schemathesis. The long runs are in BENCHMARKS.md.
echo "== fuzz (a few seconds per target)"
scripts/fuzz.sh "${SPIRAL_FUZZ_SECONDS:-5}"
echo "== schemathesis (the API against its OpenAPI document)"
scripts/schemathesis.sh "${SPIRAL_SCHEMATHESIS_EXAMPLES:-30}"
