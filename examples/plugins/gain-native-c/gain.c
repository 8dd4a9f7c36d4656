/*
 * gain-native-c — a StreamKit native plugin in plain C.
 *
 * Kind `gain_native_c` (registered as `plugin::native::gain_native_c`): multiplies raw f32 audio
 * by a gain given in decibels (`gain_db`, -60…+20, default 0), tunable while it runs. Every 50
 * packets it emits a `gain.stats` telemetry event with the packets seen and the output peak.
 *
 * It needs nothing but the one header, sdk/c/streamkit_plugin.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "streamkit_plugin.h"

#define GAIN_DB_MIN (-60.0f)
#define GAIN_DB_MAX (20.0f)

/* ---- metadata: static, valid for the life of the library ---- */

static const CAudioFormat k_any_f32 = {0, 0, SAMPLE_FORMAT_F32}; /* 0 = any rate / any channels */
static const CPacketTypeInfo k_accepts[] = {{PACKET_TYPE_RAW_AUDIO, &k_any_f32, NULL}};
static const CInputPin k_inputs[] = {{"in", k_accepts, 1}};
static const COutputPin k_outputs[] = {{"out", {PACKET_TYPE_RAW_AUDIO, &k_any_f32, NULL}}};
static const char* const k_categories[] = {"audio", "filters"};
static const char k_schema[] =
    "{\"type\":\"object\",\"properties\":{\"gain_db\":{\"type\":\"number\",\"default\":0,"
    "\"minimum\":-60,\"maximum\":20,\"description\":\"Gain in decibels\",\"tunable\":true}}}";
static const CNodeMetadata k_metadata = {
    "gain_native_c", "Audio gain in decibels, written in C", k_inputs, 1, k_outputs, 1, k_schema, k_categories, 2};

/* ---- instance state ---- */

typedef struct Gain {
    float linear;
    unsigned long packets;
    float peak;
    CLogCallback log;
    void* log_user_data;
} Gain;

/* Reads "gain_db" from the params JSON; returns 0 and leaves *db alone when absent. */
static int read_gain_db(const char* json, float* db) {
    const char* key;
    const char* colon;
    char* end;
    double value;
    if (json == NULL) return 0;
    key = strstr(json, "\"gain_db\"");
    if (key == NULL) return 0;
    colon = strchr(key + 9, ':');
    if (colon == NULL) return -1;
    value = strtod(colon + 1, &end);
    if (end == colon + 1) return -1;
    if (value < GAIN_DB_MIN) value = GAIN_DB_MIN;
    if (value > GAIN_DB_MAX) value = GAIN_DB_MAX;
    *db = (float)value;
    return 1;
}

static float to_linear(float db) { return powf(10.0f, db / 20.0f); }

static const CNodeMetadata* gain_get_metadata(void) { return &k_metadata; }

static CPluginHandle gain_create(const char* params_json, CLogCallback log, void* log_user_data) {
    float db = 0.0f;
    char line[96];
    Gain* gain;
    if (read_gain_db(params_json, &db) < 0) return NULL;
    gain = calloc(1, sizeof *gain);
    if (gain == NULL) return NULL;
    gain->linear = to_linear(db);
    gain->log = log;
    gain->log_user_data = log_user_data;
    if (log != NULL) {
        snprintf(line, sizeof line, "gain_native_c ready at %.2f dB", db);
        log(LOG_LEVEL_INFO, "gain_native_c", line, log_user_data);
    }
    return gain;
}

static CResult gain_process(CPluginHandle handle, const char* input_pin, const CPacket* packet, COutputCallback out_cb,
                            void* out_user_data, CTelemetryCallback tel_cb, void* tel_user_data) {
    Gain* gain = handle;
    const CAudioFrame* in;
    CAudioFrame frame;
    CPacket out;
    CResult result;
    float* samples;
    size_t i;
    (void)input_pin;
    if (gain == NULL || packet == NULL) return CResult_error("null argument");
    if (packet->packet_type != PACKET_TYPE_RAW_AUDIO) return CResult_error("gain_native_c only accepts raw audio");
    in = packet->data;
    /* The input is borrowed: write into a buffer of our own, which the host copies. */
    samples = malloc((in->sample_count > 0 ? in->sample_count : 1) * sizeof(float));
    if (samples == NULL) return CResult_error("out of memory");
    for (i = 0; i < in->sample_count; i++) {
        float value = in->samples[i] * gain->linear;
        float magnitude = fabsf(value);
        if (magnitude > gain->peak) gain->peak = magnitude;
        samples[i] = value;
    }
    frame.sample_rate = in->sample_rate;
    frame.channels = in->channels;
    frame.samples = samples;
    frame.sample_count = in->sample_count;
    out.packet_type = PACKET_TYPE_RAW_AUDIO;
    out.data = &frame;
    out.len = sizeof frame;
    result = out_cb("out", &out, out_user_data);
    free(samples);
    if (!result.success) return result;

    gain->packets += 1;
    if (tel_cb != NULL && gain->packets % 50 == 0) {
        char json[128];
        int length = snprintf(json, sizeof json, "{\"packets\":%lu,\"peak\":%.6f}", gain->packets, gain->peak);
        if (length > 0) tel_cb("gain.stats", (const uint8_t*)json, (size_t)length, NULL, tel_user_data);
        gain->peak = 0.0f;
    }
    return CResult_success();
}

static CResult gain_update(CPluginHandle handle, const char* params_json) {
    Gain* gain = handle;
    float db = 0.0f;
    int found;
    if (gain == NULL) return CResult_error("null handle");
    found = read_gain_db(params_json, &db);
    if (found < 0) return CResult_error("gain_db must be a number");
    if (found > 0) gain->linear = to_linear(db);
    return CResult_success();
}

static CResult gain_flush(CPluginHandle handle, COutputCallback out_cb, void* out_user_data, CTelemetryCallback tel_cb,
                          void* tel_user_data) {
    (void)handle; (void)out_cb; (void)out_user_data; (void)tel_cb; (void)tel_user_data;
    return CResult_success(); /* nothing buffered */
}

static void gain_destroy(CPluginHandle handle) {
    Gain* gain = handle;
    if (gain != NULL && gain->log != NULL) gain->log(LOG_LEVEL_DEBUG, "gain_native_c", "destroyed", gain->log_user_data);
    free(gain);
}

static const CNativePluginAPI k_api = {
    STREAMKIT_NATIVE_PLUGIN_API_VERSION, gain_get_metadata, gain_create, gain_process, gain_update, gain_flush, gain_destroy,
};

STREAMKIT_PLUGIN_ENTRY(&k_api)
