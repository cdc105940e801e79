#!/usr/bin/env bash
# Read throughput of the API with wrk (Debian package `wrk`): starts the stream benchmark's
# in-process server over the demo history, signs in, and loads GET /api/timeline and GET / on
# loopback. Usage: scripts/bench-http.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-15}"
conns="${2:-50}"
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install -y wrk" >&2; exit 1; }
cargo bench -p server --bench stream --no-run >/dev/null 2>&1
log=$(mktemp)
SPIRAL_BENCH_CLIENTS=1 SPIRAL_BENCH_EVENTS_PER_RUN=1 SPIRAL_BENCH_SERVE_SECS=$((2 * secs + 20)) \
    cargo bench -p server --bench stream >"$log" 2>/dev/null &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 120); do grep -q "^serving" "$log" && break; sleep 1; done
addr=$(grep "^serving" "$log" | sed -E 's#serving (http://[^ ]+)/ .*#\1#')
cookie=$(grep "^serving" "$log" | sed -E 's#.*cookie: ##')
echo "## GET /api/timeline (signed in), ${conns} connections, ${secs} s"
wrk -t2 -c"$conns" -d"${secs}s" -H "Cookie: $cookie" "$addr/api/timeline"
echo "## GET / (server-rendered home page), ${conns} connections, ${secs} s"
wrk -t2 -c"$conns" -d"${secs}s" "$addr/"
