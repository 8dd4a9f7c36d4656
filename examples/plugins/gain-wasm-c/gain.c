/*
 * gain-wasm-c — a StreamKit WASM plugin in C (component of world streamkit:plugin@0.1.0).
 *
 * Kind `gain_filter_c` (registered as `plugin::wasm::gain_filter_c`): multiplies 48 kHz mono f32
 * audio on pin `in` by a gain given in decibels and sends it on `out`.
 *
 * Parameter `gain_db`: number, -60…+20, default 0; values outside the range are clamped.
 *  - constructor: missing or unreadable params -> 0 dB (the WIT constructor cannot fail); a bad
 *    value is logged as a warning.
 *  - update-params: none / empty / no `gain_db` key -> unchanged; a `gain_db` that is not a
 *    number -> error (the host stops the node).
 *  - a packet that is not audio -> error "Gain plugin only accepts audio packets".
 *
 * Everything component-specific lives in sdk/wasm/c/streamkit_wasm_plugin.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "streamkit_wasm_plugin.h"

#define GAIN_DB_MIN (-60.0)
#define GAIN_DB_MAX (20.0)

static const sk_packet_type k_mono_48k_f32 = {SK_TYPE_RAW_AUDIO, 48000, 1, SK_SAMPLE_FLOAT32, NULL};
static const sk_input_pin k_inputs[] = {{"in", &k_mono_48k_f32, 1}};
static const sk_output_pin k_outputs[] = {{"out", {SK_TYPE_RAW_AUDIO, 48000, 1, SK_SAMPLE_FLOAT32, NULL}}};
static const char *const k_categories[] = {"audio", "filters"};
static const char k_schema[] =
    "{\"type\":\"object\",\"properties\":{\"gain_db\":{\"type\":\"number\",\"default\":0,"
    "\"minimum\":-60,\"maximum\":20,\"description\":\"Gain in decibels\"}}}";
static const sk_node_metadata k_metadata = {
    "gain_filter_c", k_inputs, 1, k_outputs, 1, k_schema, k_categories, 2,
};

typedef struct {
    double gain_db;
    float linear;
} gain_state;

enum { KEY_ABSENT = 0, KEY_OK = 1, KEY_BAD = -1 };

/* Reads the number after "gain_db" in a JSON object, clamped to the range. */
static int read_gain_db(const char *json, double *db) {
    if (json == NULL) return KEY_ABSENT;
    const char *key = strstr(json, "\"gain_db\"");
    if (key == NULL) return KEY_ABSENT;
    const char *p = key + strlen("\"gain_db\"");
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    if (*p != ':') return KEY_BAD;
    p++;
    char *end;
    double value = strtod(p, &end);
    if (end == p || isnan(value)) return KEY_BAD;
    if (value < GAIN_DB_MIN) value = GAIN_DB_MIN;
    if (value > GAIN_DB_MAX) value = GAIN_DB_MAX;
    *db = value;
    return KEY_OK;
}

static void set_gain(gain_state *g, double db) {
    g->gain_db = db;
    g->linear = powf(10.0f, (float)db / 20.0f);
}

const sk_node_metadata *sk_plugin_metadata(void) { return &k_metadata; }

void *sk_plugin_create(const char *params_json) {
    gain_state *g = malloc(sizeof *g);
    if (g == NULL) return NULL;
    double db = 0.0;
    if (read_gain_db(params_json, &db) == KEY_BAD) {
        sk_log(SK_LOG_WARN, "gain_filter_c: gain_db is not a number, using 0 dB");
        db = 0.0;
    }
    set_gain(g, db);
    sk_log(SK_LOG_INFO, "gain_filter_c: created at %.2f dB", db);
    return g;
}

const char *sk_plugin_process(void *instance, const char *input_pin, sk_packet *packet, sk_output *out) {
    gain_state *g = instance;
    (void)input_pin;
    if (packet->kind != SK_PACKET_AUDIO) return "Gain plugin only accepts audio packets";
    float *s = packet->u.audio.samples;
    size_t n = packet->u.audio.sample_count;
    /* The gain in a local: through `g` the compiler must reload it after every store to `s`
       (they might alias), one more interpreted load per sample. */
    const float gain = g->linear;
    for (size_t i = 0; i < n; i++) s[i] *= gain;
    return sk_send_audio(out, "out", packet->u.audio.sample_rate, packet->u.audio.channels, s, n);
}

const char *sk_plugin_update_params(void *instance, const char *params_json) {
    gain_state *g = instance;
    double db;
    switch (read_gain_db(params_json, &db)) {
    case KEY_OK:
        set_gain(g, db);
        sk_log(SK_LOG_INFO, "gain_filter_c: gain now %.2f dB", db);
        return NULL;
    case KEY_BAD:
        return "gain_db must be a number";
    default:
        return NULL; /* nothing to change */
    }
}

void sk_plugin_destroy(void *instance) {
    sk_log(SK_LOG_INFO, "gain_filter_c: cleanup");
    free(instance);
}
