#!/usr/bin/env bash
# Benchmark: `skit run` of a 10-minute 48 kHz stereo s16 WAV through audio::gain back to WAV,
# against `ffmpeg -i in.wav -af volume=2 out.wav`, in the same run. Prints wall time and peak
# memory (max RSS) of each, best of N runs.
#   scripts/bench-wav-gain.sh [path/to/skit] [runs]
set -euo pipefail
SKIT=${1:-.build/release/skit}
RUNS=${2:-5}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

cat > "$WORK/make.yml" <<'YAML'
mode: oneshot
steps:
  - kind: audio::tone
    params: {waveform: noise, amplitude: 0.3, sample_rate: 48000, channels: 2, duration_ms: 600000, frame_ms: 100}
  - kind: containers::wav::muxer
  - kind: streamkit::http_output
YAML
cat > "$WORK/gain.yml" <<'YAML'
mode: oneshot
steps:
  - kind: streamkit::http_input
  - kind: containers::wav::demuxer
  - kind: audio::gain
    params: {gain: 2.0}
  - kind: containers::wav::muxer
  - kind: streamkit::http_output
YAML

"$SKIT" run -q "$WORK/make.yml" -o "$WORK/in.wav"
echo "input: $(du -h "$WORK/in.wav" | cut -f1) (10 min, 48 kHz, stereo, s16)"

measure() { # label, command...
  local label=$1; shift
  local best_time="" best_rss=""
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f "%e %M" -o "$WORK/t" "$@" >/dev/null 2>&1
    read -r t rss < "$WORK/t"
    if [ -z "$best_time" ] || awk "BEGIN{exit !($t < $best_time)}"; then best_time=$t; fi
    if [ -z "$best_rss" ] || [ "$rss" -gt "$best_rss" ]; then best_rss=$rss; fi
  done
  printf "%-8s best wall %6.2f s   peak RSS %6.1f MB\n" "$label" "$best_time" "$(awk "BEGIN{print $best_rss/1024}")"
  echo "$best_time" > "$WORK/$label.time"
}

measure ffmpeg ffmpeg -nostdin -y -loglevel error -i "$WORK/in.wav" -af volume=2 "$WORK/ffmpeg.wav"
measure skit "$SKIT" run -q "$WORK/gain.yml" -i "$WORK/in.wav" -o "$WORK/skit.wav"
awk -v s="$(cat "$WORK/skit.time")" -v f="$(cat "$WORK/ffmpeg.time")" 'BEGIN{printf "ratio skit/ffmpeg: %.2fx (target <= 1.5x)\n", s/f}'
python3 - "$WORK/skit.wav" "$WORK/ffmpeg.wav" <<'PY'
import sys
def payload(path):
    data = open(path, "rb").read()
    index = data.find(b"data", 12)
    return data[index + 8:]
a, b = payload(sys.argv[1]), payload(sys.argv[2])
print("outputs: identical samples" if a == b else f"outputs: differ ({len(a)} vs {len(b)} bytes)")
PY
