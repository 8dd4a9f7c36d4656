#!/usr/bin/env bash
# Four live transcription sessions at once on this machine (issue 15): starts a server on a free
# port with the project's plugins (make speech), runs scripts/speech/live_sessions.py against the
# sample samples/pipelines/dynamic/live_transcription.yml and prints, per session and sentence, the
# latency from the end of speech to the final transcript and whether any session fell behind.
#   bash scripts/speech/live-sessions.sh [live_sessions.py options, e.g. --sessions 4 --stagger 0.5]
# SKIT names the server binary (default: .build/release/skit if built, else .build/debug/skit).
set -euo pipefail
cd "$(dirname "$0")/../.."
SKIT=${SKIT:-$( [ -x .build/release/skit ] && echo .build/release/skit || echo .build/debug/skit )}
[ -x "$SKIT" ] || { echo "no server binary at $SKIT (swift build, or set SKIT)" >&2; exit 1; }
[ -f .plugins/native/libmoonshine.so ] || { echo "the speech plugins are missing: run make speech" >&2; exit 1; }
WORK=$(mktemp -d)
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$WORK/skit.toml" <<TOML
[server]
address = "127.0.0.1:$PORT"
[plugins]
directory = "$PWD/.plugins"
TOML
"$SKIT" serve -c "$WORK/skit.toml" >"$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 300); do
  curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  kill -0 "$SERVER" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.1
done
echo "server $SKIT on 127.0.0.1:$PORT (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
python3 scripts/speech/live_sessions.py --server "127.0.0.1:$PORT" --server-pid "$SERVER" --server-log "$WORK/server.log" "$@"
