#!/usr/bin/env bash
# Server benchmarks, all on loopback, bounded in time:
#  1. start-up to healthy and idle RSS of `skit serve`;
#  2. wrk against the plain /healthz route (the cost of Hummingbird alone) and `skit-cli lt` with
#     50 concurrent oneshot requests of a small passthrough pipeline (the engine's own cost), same run;
#  3. 200 real-time sessions (tone → pacer → gain → sink): CPU and pacing lateness (`skit bench sessions`).
#   scripts/bench-server.sh [bin-dir] [seconds]
set -euo pipefail
BIN=${1:-.build/release}
SECONDS_PER=${2:-10}
PORT=45999
WORK=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT

start=$(date +%s%N)
SK_SERVER__ADDRESS=127.0.0.1:$PORT SK_PERMISSIONS__MAX_CONCURRENT_ONESHOTS=64 "$BIN/skit" serve -c "$WORK/none.toml" >"$WORK/server.log" 2>&1 &
SERVER=$!
until curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null; do sleep 0.002; done
ready=$(date +%s%N)
echo "start-up to healthy: $(( (ready - start) / 1000000 )) ms (target <= 300 ms)"
sleep 1
echo "idle RSS: $(awk '/VmRSS/ {printf "%.1f MB", $2/1024}' /proc/$SERVER/status) (target <= 30 MB)"

echo "== plain route: wrk -c50 -t2 -d${SECONDS_PER}s /healthz"
wrk -c50 -t2 -d"${SECONDS_PER}s" --latency "http://127.0.0.1:$PORT/healthz" | grep -E "Requests/sec|50%|99%"

head -c 1024 /dev/urandom > "$WORK/small.bin"
cat > "$WORK/lt.toml" <<TOML
[oneshot]
pipeline = "$(pwd)/samples/loadtest/pipelines/oneshot_passthrough.yml"
input_file = "$WORK/small.bin"
concurrency = 50
duration_secs = $SECONDS_PER
request_timeout_secs = 60
TOML
echo "== oneshot passthrough: skit-cli lt, 50 concurrent, ${SECONDS_PER}s (1 KiB per request, echoed back; the load generator shares the machine)"
"$BIN/skit-cli" --server "http://127.0.0.1:$PORT" lt "$WORK/lt.toml"
kill $SERVER; wait $SERVER 2>/dev/null || true

echo "== 200 real-time sessions"
"$BIN/skit" bench sessions --count 200 --seconds "$SECONDS_PER"
