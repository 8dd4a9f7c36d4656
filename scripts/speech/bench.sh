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
run "moonshine (base-en, VAD segments)" libmoonshine.so '{"num_threads":1}' --wav "$WORK/speech.wav" --instances 3
run "piper (joe medium, 22.05 kHz)" libpiper.so '{"num_threads":1}' --text "$TEXT" --instances 3
