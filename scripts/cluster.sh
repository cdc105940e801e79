#!/usr/bin/env bash
# Several `spiral serve` instances on one PostgreSQL database behind HAProxy (Debian's package),
# all on loopback: how Spiral grows past one machine, to try and for the tests
# (tests/tests/cluster.rs). PostgreSQL is the one shared engine: sessions, idempotency keys and
# the ledger live in it; each commit's NOTIFY wakes every instance's live streams; one instance
# at a time signs the scheduled checkpoints (an advisory lock). HAProxy sends requests only to
# instances whose /api/ready answers 200, and retries a request on another when one goes away.
#
#   scripts/cluster.sh [N] [PORT] [SERVE OPTION…]
#
#   N      instances (default 3)
#   PORT   HAProxy's port on 127.0.0.1 (default 8080)
#   SERVE OPTION…  passed to every `spiral serve`, e.g. --demo
#
# SPIRAL_DATABASE_URL  the database (default postgres://postgres@127.0.0.1:5432/spiral_cluster,
#                      created when missing)
# SPIRAL_BIN           the spiral binary (default: built with cargo --release)
# SPIRAL_CLUSTER_DIR   where the signing key, logs, pid files and haproxy.cfg go (default: a new
#                      temporary directory)
#
# It prints "Spiral cluster: http://127.0.0.1:PORT/" once every instance is ready, then runs
# until interrupted; Ctrl-C or SIGTERM stops every instance and HAProxy.
set -euo pipefail
cd "$(dirname "$0")/.."

count="${1:-3}"
port="${2:-8080}"
shift $(( $# < 2 ? $# : 2 ))
url="${SPIRAL_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/spiral_cluster}"
dir="${SPIRAL_CLUSTER_DIR:-$(mktemp -d /tmp/spiral-cluster.XXXXXX)}"
mkdir -p "$dir"

if ! command -v haproxy >/dev/null; then
    apt-get install -y haproxy || { apt-get update && apt-get install -y haproxy; }
fi
if [ -z "${SPIRAL_BIN:-}" ]; then
    cargo build --release -p server --bin spiral
    SPIRAL_BIN="${CARGO_TARGET_DIR:-target}/release/spiral"
fi
# The database, created when missing (the URL's last segment names it).
if ! psql "$url" -Atc 'SELECT 1' >/dev/null 2>&1; then
    psql "${url%/*}/postgres" -qc "CREATE DATABASE \"${url##*/}\""
fi

pids=()
stop() {
    trap - EXIT INT TERM
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap stop EXIT
trap 'exit 0' INT TERM

# One signing key for all: every instance's checkpoints verify under one public key. One vault
# key for all: details one instance seals, every other opens.
backends=""
for i in $(seq 1 "$count"); do
    log="$dir/spiral-$i.log"
    "$SPIRAL_BIN" --database-url "$url" --key-file "$dir/signing.key" --vault-key-file "$dir/vault.key" \
        serve --addr 127.0.0.1:0 --behind-proxy "$@" >"$log" 2>&1 &
    pids+=("$!")
    echo "$!" >"$dir/spiral-$i.pid"
    address=""
    for _ in $(seq 1 600); do
        address="$(sed -n 's|^Spiral is listening on http://\(.*\)/$|\1|p' "$log")"
        [ -n "$address" ] && break
        kill -0 "$!" 2>/dev/null || { cat "$log" >&2; exit 1; }
        sleep 0.1
    done
    [ -n "$address" ] || { echo "instance $i did not start; see $log" >&2; exit 1; }
    echo "instance $i: http://$address/ (log $log)"
    backends+="    server spiral-$i $address check inter 1s fall 2 rise 1"$'\n'
done

cat >"$dir/haproxy.cfg" <<EOF
global
    maxconn 4096

defaults
    mode http
    timeout connect 5s
    timeout client 1h
    timeout server 1h
    timeout tunnel 1h
    # A request that found its instance gone is sent to another.
    retries 2
    option redispatch 1
    # The instances take the client's address from the last entry (spiral serve --behind-proxy).
    option forwardfor

frontend spiral
    bind 127.0.0.1:$port
    default_backend instances

backend instances
    balance roundrobin
    option httpchk GET /api/ready
    http-check expect status 200
    # Which instance answered, for people trying the cluster and for the tests.
    http-response set-header X-Spiral-Instance %s
$backends
EOF
haproxy -f "$dir/haproxy.cfg" -db >"$dir/haproxy.log" 2>&1 &
pids+=("$!")
echo "$!" >"$dir/haproxy.pid"

# Ready when HAProxy answers and every instance has folded the ledger.
for _ in $(seq 1 600); do
    ready=0
    for i in $(seq 1 "$count"); do
        address="$(sed -n 's|^Spiral is listening on http://\(.*\)/$|\1|p' "$dir/spiral-$i.log")"
        if curl -fsS "http://$address/api/ready" >/dev/null 2>&1; then ready=$((ready + 1)); fi
    done
    if [ "$ready" -eq "$count" ] && curl -fsS "http://127.0.0.1:$port/api/health" >/dev/null 2>&1; then
        echo "Spiral cluster: http://127.0.0.1:$port/ ($count instances; files in $dir)"
        # An instance that stops is left stopped (HAProxy routes around it) until Ctrl-C.
        wait || true
        exit 0
    fi
    sleep 0.2
done
echo "the cluster did not become ready; see $dir" >&2
exit 1
