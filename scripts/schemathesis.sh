#!/usr/bin/env bash
# Checks the HTTP API against its own OpenAPI document with Schemathesis (PyPI), a contract
# tester nobody here wrote: it generates requests from /api/openapi.json, valid and invalid,
# and fails on any server error, undocumented status, wrong content type, response that does
# not match its schema, or accepted invalid input. Run as staff and as auditor on a demo ledger.
#
#   scripts/schemathesis.sh          a short run (CI): 30 examples per operation and role
#   scripts/schemathesis.sh 1000     a long run (BENCHMARKS.md)
#   SCHEMATHESIS_ARGS="--include-path /api/commands --phases coverage" scripts/schemathesis.sh 100
set -euo pipefail
cd "$(dirname "$0")/.."
examples="${1:-30}"

venv="${SPIRAL_VENV:-/var/cache/spiral/venv}"
if [ ! -x "$venv/bin/schemathesis" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "schemathesis==4.32.5"
fi

target="${CARGO_TARGET_DIR:-target}"
cargo build -q -p server --bin spiral
spiral="$target/debug/spiral"

work="$(mktemp -d)"
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
db="sqlite:$work/schemathesis.db"
password="schemathesis password"
"$spiral" --database-url "$db" --key-file "$work/key" demo >/dev/null
for role in staff auditor; do
    echo "$password" | "$spiral" --database-url "$db" user add "st-$role" --role "$role" >/dev/null
done
"$spiral" --database-url "$db" --key-file "$work/key" serve --addr 127.0.0.1:0 >"$work/serve.out" 2>"$work/serve.err" &
server=$!
for _ in $(seq 1 100); do
    addr="$(sed -n 's|^Spiral is listening on http://\(.*\)/$|\1|p' "$work/serve.out")"
    [ -n "$addr" ] && break
    sleep 0.1
done
[ -n "$addr" ] || { echo "spiral serve did not start" >&2; cat "$work/serve.err" >&2; exit 1; }

status=0
for role in staff auditor; do
    cookie="$(curl -s -i -H 'Content-Type: application/json' \
        -d "{\"name\":\"st-$role\",\"password\":\"$password\"}" "http://$addr/api/login" \
        | sed -n 's/^[Ss]et-[Cc]ookie: \(spiral_session=[0-9a-f]*\).*/\1/p' | head -n 1)"
    [ -n "$cookie" ] || { echo "could not sign in as st-$role" >&2; exit 1; }
    echo "== schemathesis as $role ($examples examples per operation)"
    # Signing out would end the session the run uses; everything else is exercised.
    "$venv/bin/schemathesis" run "http://$addr/api/openapi.json" \
        --header "Cookie: $cookie" \
        --checks all --exclude-checks positive_data_acceptance,ignored_auth \
        --exclude-path /api/logout \
        --max-examples "$examples" --workers 1 --seed 1 \
        --suppress-health-check all --no-color \
        --report junit --report-dir "${SPIRAL_ARTIFACTS:-artifacts}/schemathesis/$role" \
        ${SCHEMATHESIS_ARGS:-} \
        || status=1
done
if ! kill -0 "$server" 2>/dev/null; then
    echo "spiral serve died during the run" >&2
    cat "$work/serve.err" >&2
    status=1
fi
exit "$status"
