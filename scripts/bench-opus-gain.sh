#!/usr/bin/env bash
# Benchmark: a 10-minute stereo Ogg/Opus file (made by ffmpeg at 64 kb/s) decoded, gained 2x
# and re-encoded to Ogg/Opus at 64 kb/s, by `skit run` and through `POST /api/v1/process` of
# `skit serve`, against `ffmpeg -i in.ogg -af volume=2 -c:a libopus -b:a 64k out.ogg` in the
# same run. Both use libopus at complexity 10 to encode. Prints wall time and peak memory
# (max RSS) of each, best of N runs, and checks the outputs with ffprobe.
#   scripts/bench-opus-gain.sh [path/to/skit] [runs]
set -euo pipefail
SKIT=${1:-.build/release/skit}
RUNS=${2:-3}
PORT=45998
WORK=$(mktemp -d)
SERVER=""
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT

# The input: chirps on both channels plus quiet pink noise, so the encoder has real work.
ffmpeg -nostdin -v error -y \
  -f lavfi -i "aevalsrc=0.4*sin(2*PI*(200+2*mod(t\,60))*t)|0.3*sin(2*PI*(500-3*mod(t\,45))*t):s=48000:d=600" \
  -f lavfi -i "anoisesrc=color=pink:amplitude=0.05:sample_rate=48000:duration=600" \
  -filter_complex "[1:a]aformat=channel_layouts=stereo[n];[0:a][n]amix=inputs=2:normalize=0[a]" -map "[a]" \
  -c:a libopus -b:a 64k "$WORK/in.ogg"
echo "input: $(du -h "$WORK/in.ogg" | cut -f1) (10 min, 48 kHz stereo Ogg/Opus, 64 kb/s, made by ffmpeg)"

cat > "$WORK/gain.yml" <<'YAML'
mode: oneshot
steps:
  - kind: streamkit::http_input
  - kind: containers::ogg::demuxer
  - kind: audio::opus::decoder
  - kind: audio::gain
    params: {gain: 2.0}
  - kind: audio::opus::encoder
    params: {bitrate: 64000}
  - kind: containers::ogg::muxer
  - kind: streamkit::http_output
YAML

measure() { # label, command...
  local label=$1; shift
  local best_time="" best_rss="" best_cpu=""
  for _ in $(seq "$RUNS"); do
    if ! /usr/bin/time -f "%e %M %U %S" -o "$WORK/t" "$@" >/dev/null 2>"$WORK/err"; then
      echo "$label failed:"; cat "$WORK/err" "$WORK/t"; exit 1
    fi
    read -r t rss user sys < "$WORK/t"
    if [ -z "$best_time" ] || awk "BEGIN{exit !($t < $best_time)}"; then best_time=$t; best_cpu=$(awk "BEGIN{print $user + $sys}"); fi
    if [ -z "$best_rss" ] || [ "$rss" -gt "$best_rss" ]; then best_rss=$rss; fi
  done
  # CPU time too: the machine may be shared, and a pipeline spreads its nodes over cores.
  printf "%-14s best wall %6.2f s   CPU %6.2f s   peak RSS %6.1f MB\n" "$label" "$best_time" "$best_cpu" "$(awk "BEGIN{print $best_rss/1024}")"
  echo "$best_time" > "$WORK/$label.time"
}

measure ffmpeg ffmpeg -nostdin -y -loglevel error -i "$WORK/in.ogg" -af volume=2 -c:a libopus -b:a 64k "$WORK/ffmpeg.ogg"
measure skit-run "$SKIT" run -q "$WORK/gain.yml" -i "$WORK/in.ogg" -o "$WORK/skit.ogg"
awk -v s="$(cat "$WORK/skit-run.time")" -v f="$(cat "$WORK/ffmpeg.time")" 'BEGIN{printf "ratio skit run/ffmpeg: %.2fx (target <= 1.0x)\n", s/f}'

# The same through the HTTP API: the server's peak RSS is read from the kernel after the runs.
SK_SERVER__ADDRESS=127.0.0.1:$PORT "$SKIT" serve -c "$WORK/none.toml" >"$WORK/server.log" 2>&1 &
SERVER=$!
until curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null; do sleep 0.01; done
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
ticks_before=$(cpu_ticks)
measure http-process curl -sf -F "config=@$WORK/gain.yml" -F "media=@$WORK/in.ogg;type=audio/ogg" -o "$WORK/http.ogg" "http://127.0.0.1:$PORT/api/v1/process"
ticks_after=$(cpu_ticks)
echo "server (the CPU and RSS above are curl's): CPU $(awk -v a="$ticks_after" -v b="$ticks_before" -v r="$RUNS" -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.2f s", (a-b)/hz/r}') per request, peak RSS (VmHWM, whole process) $(awk '/VmHWM/ {printf "%.1f MB", $2/1024}' /proc/$SERVER/status)"
awk -v s="$(cat "$WORK/http-process.time")" -v f="$(cat "$WORK/ffmpeg.time")" 'BEGIN{printf "ratio POST /api/v1/process/ffmpeg: %.2fx (target <= 1.0x)\n", s/f}'
kill $SERVER; wait $SERVER 2>/dev/null || true; SERVER=""

for f in ffmpeg skit http; do
  d=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$WORK/$f.ogg")
  printf "%-7s output: %s s, %s\n" "$f" "$d" "$(du -h "$WORK/$f.ogg" | cut -f1)"
done
