/*
 * moonshine-floor — the least a Moonshine transcription can cost here: sherpa-onnx's offline
 * recognizer called directly (no plugin, no VAD), with the plugin's model files and settings
 * (base-en encoder_model.onnx + decoder_model_merged.onnx, or with --ort the wheel's .ort files;
 * greedy search, cpu provider). make
 * speech-bench runs it on the same clip and the same speech segments as the plugin, so both
 * real-time factors come from the same run on the same machine load. Built by `make speech`.
 *
 *   moonshine-floor MODEL_DIR FILE.wav [--ort] [--threads N] [--repeat N] [START_S END_S]...
 *
 * Without START_S END_S pairs the whole clip is one decode. The WAV (16-bit PCM) is resampled
 * to 16 kHz linearly, as speech-bench does. CPU time is CLOCK_PROCESS_CPUTIME_ID (all threads).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sherpa-onnx/c-api/c-api.h"

static double clock_seconds(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char** argv) {
    const char* dir;
    const SherpaOnnxWave* wave;
    SherpaOnnxOfflineRecognizerConfig config;
    const SherpaOnnxOfflineRecognizer* recognizer;
    char encoder[1100], decoder[1100], tokens[1100];
    double ranges[256][2];
    int range_count = 0, threads = 1, repeat = 1, use_ort = 0, i, r;
    float* samples;
    size_t count, k;
    double cpu_total = 0, wall_total = 0, audio_total = 0, load_started;
    if (argc < 3) {
        fprintf(stderr, "usage: %s MODEL_DIR FILE.wav [--ort] [--threads N] [--repeat N] [START_S END_S]...\n", argv[0]);
        return 2;
    }
    dir = argv[1];
    for (i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--ort") == 0) use_ort = 1;
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) threads = atoi(argv[++i]);
        else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) repeat = atoi(argv[++i]);
        else if (i + 1 < argc && range_count < 256) {
            ranges[range_count][0] = atof(argv[i]);
            ranges[range_count][1] = atof(argv[++i]);
            range_count++;
        } else { fprintf(stderr, "unexpected argument %s\n", argv[i]); return 2; }
    }
    wave = SherpaOnnxReadWave(argv[2]);
    if (wave == NULL) { fprintf(stderr, "cannot read %s\n", argv[2]); return 1; }
    /* Linear resampling to 16 kHz, the same as speech-bench gives the plugin. */
    count = (size_t)((double)wave->num_samples * 16000 / wave->sample_rate);
    samples = malloc(count * sizeof(float) + 1);
    if (samples == NULL) return 1;
    for (k = 0; k < count; k++) {
        double pos = (double)k * wave->sample_rate / 16000;
        size_t a = (size_t)pos, n = (size_t)wave->num_samples;
        float x = wave->samples[a < n ? a : n - 1], y = wave->samples[a + 1 < n ? a + 1 : n - 1];
        samples[k] = (float)(x + (y - x) * (pos - (double)a));
    }
    if (range_count == 0) {
        ranges[0][0] = 0;
        ranges[0][1] = (double)count / 16000;
        range_count = 1;
    }
    snprintf(encoder, sizeof encoder, "%s/encoder_model.%s", dir, use_ort ? "ort" : "onnx");
    snprintf(decoder, sizeof decoder, "%s/decoder_model_merged.%s", dir, use_ort ? "ort" : "onnx");
    snprintf(tokens, sizeof tokens, "%s/tokens.txt", dir);
    memset(&config, 0, sizeof config);
    config.feat_config.sample_rate = 16000;
    config.feat_config.feature_dim = 80;
    config.model_config.moonshine.encoder = encoder;
    config.model_config.moonshine.merged_decoder = decoder;
    config.model_config.tokens = tokens;
    config.model_config.num_threads = threads;
    config.model_config.provider = "cpu";
    config.decoding_method = "greedy_search";
    load_started = clock_seconds(CLOCK_MONOTONIC);
    recognizer = SherpaOnnxCreateOfflineRecognizer(&config);
    if (recognizer == NULL) { fprintf(stderr, "cannot load the model in %s\n", dir); return 1; }
    printf("floor: load %.3f s\n", clock_seconds(CLOCK_MONOTONIC) - load_started);
    for (r = 0; r < repeat; r++) {
        for (i = 0; i < range_count; i++) {
            size_t from = (size_t)(ranges[i][0] * 16000), to = (size_t)(ranges[i][1] * 16000);
            const SherpaOnnxOfflineStream* stream;
            const SherpaOnnxOfflineRecognizerResult* result;
            double cpu0, wall0, cpu, wall, seconds;
            if (to > count) to = count;
            if (from >= to) continue;
            cpu0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
            wall0 = clock_seconds(CLOCK_MONOTONIC);
            stream = SherpaOnnxCreateOfflineStream(recognizer);
            SherpaOnnxAcceptWaveformOffline(stream, 16000, samples + from, (int32_t)(to - from));
            SherpaOnnxDecodeOfflineStream(recognizer, stream);
            result = SherpaOnnxGetOfflineStreamResult(stream);
            cpu = clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
            wall = clock_seconds(CLOCK_MONOTONIC) - wall0;
            seconds = (double)(to - from) / 16000;
            if (r == repeat - 1) {
                printf("floor: segment %.2f–%.2f s: %.3f s CPU (RTF %.3f): %s\n", ranges[i][0], ranges[i][1], cpu, cpu / seconds,
                       result != NULL && result->text != NULL ? result->text : "");
            }
            cpu_total += cpu;
            wall_total += wall;
            audio_total += seconds;
            if (result != NULL) SherpaOnnxDestroyOfflineRecognizerResult(result);
            SherpaOnnxDestroyOfflineStream(stream);
        }
    }
    printf("bench: direct sherpa-onnx calls (%s files), %d segment(s) x %d, %.3f s wall / %.3f s CPU for %.3f s of audio, RTF %.4f (wall) %.4f (CPU)\n",
           use_ort ? ".ort" : ".onnx", range_count, repeat, wall_total, cpu_total, audio_total, wall_total / audio_total, cpu_total / audio_total);
    SherpaOnnxDestroyOfflineRecognizer(recognizer);
    SherpaOnnxFreeWave(wave);
    free(samples);
    return 0;
}
