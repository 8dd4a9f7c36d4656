/*
 * vad — StreamKit native plugin `plugin::native::vad`: silero voice activity detection through
 * sherpa-onnx's C API.
 *
 * Input `in`: raw audio, 16 kHz mono f32 (anything else is refused with a pointer to
 * `audio::resampler`). Output `out`:
 * - `output_mode: events` (default): Custom packets `plugin::native::vad/vad-event@1` with
 *   `{event_type: "speech_start"|"speech_end", timestamp_ms, duration_ms}` (times from the start
 *   of the stream; duration only on speech_end), the same as `vad.speech_start` /
 *   `vad.speech_end` telemetry;
 * - `output_mode: filtered_audio`: only the speech, one raw-audio packet per speech segment.
 *
 * The detector is created in create_instance (never on a packet path). A sherpa detector holds
 * the stream's state next to its ONNX session, so each node has its own (the model is 2.3 MB).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sherpa-onnx/c-api/c-api.h"
#include "speech_common.h"

#define TARGET "vad"
#define VAD_RATE 16000
#define EVENT_TYPE_ID "plugin::native::vad/vad-event@1"

static const CAudioFormat k_16k_mono = {VAD_RATE, 1, SAMPLE_FORMAT_F32};
static const CPacketTypeInfo k_accepts[] = {{PACKET_TYPE_RAW_AUDIO, &k_16k_mono, NULL}};
static const CInputPin k_inputs[] = {{"in", k_accepts, 1}};
static const COutputPin k_outputs[] = {{"out", {PACKET_TYPE_ANY, NULL, NULL}}};
static const char* const k_categories[] = {"audio", "ml", "speech"};
static const char k_schema[] =
    "{\"type\":\"object\",\"properties\":{"
    "\"model_path\":{\"type\":\"string\",\"default\":\"models/silero_vad.onnx\",\"description\":\"Silero VAD ONNX model (make speech writes it)\"},"
    "\"output_mode\":{\"type\":\"string\",\"enum\":[\"events\",\"filtered_audio\"],\"default\":\"events\",\"description\":\"events: speech_start/speech_end packets; filtered_audio: only speech passes\",\"tunable\":true},"
    "\"threshold\":{\"type\":\"number\",\"default\":0.5,\"minimum\":0.01,\"maximum\":0.99,\"description\":\"Speech probability threshold\"},"
    "\"min_silence_duration_s\":{\"type\":\"number\",\"default\":0.5,\"minimum\":0.0,\"maximum\":10,\"description\":\"Silence that ends a segment (seconds)\"},"
    "\"min_speech_duration_s\":{\"type\":\"number\",\"default\":0.25,\"minimum\":0.0,\"maximum\":10,\"description\":\"Shortest speech kept (seconds)\"},"
    "\"window_size\":{\"type\":\"integer\",\"default\":512,\"enum\":[256,512,768,1024,1536],\"description\":\"Samples per model call\"},"
    "\"max_speech_duration_s\":{\"type\":\"number\",\"default\":30,\"minimum\":1,\"maximum\":600,\"description\":\"Longer speech is split (seconds)\"},"
    "\"num_threads\":{\"type\":\"integer\",\"default\":1,\"minimum\":1,\"maximum\":16},"
    "\"provider\":{\"type\":\"string\",\"default\":\"cpu\",\"enum\":[\"cpu\"]},"
    "\"debug\":{\"type\":\"boolean\",\"default\":false}"
    "}}";
static const CNodeMetadata k_metadata = {
    "vad", "Voice activity detection (silero, sherpa-onnx): speech events or speech-only audio",
    k_inputs, 1, k_outputs, 1, k_schema, k_categories, 3};

typedef struct VadConfig {
    char model_path[1024];
    int filtered_audio;
    double threshold;
    double min_silence_s;
    double min_speech_s;
    int window_size;
    double max_speech_s;
    int num_threads;
    char provider[32];
    int debug;
} VadConfig;

typedef struct Vad {
    VadConfig config;
    const SherpaOnnxVoiceActivityDetector* detector;
    SkFloats pending;       /* samples not yet fed (less than one window) */
    long long fed;          /* samples fed to the detector */
    int in_speech;
    long long speech_start; /* sample index of the open segment's start */
    unsigned long long segments;
    CLogCallback log;
    void* log_user_data;
} Vad;

static int read_config(const char* json, VadConfig* c, char* err, size_t err_len) {
    double number;
    int flag, r;
    char mode[64] = "";
    if ((r = sk_param_string(json, "model_path", c->model_path, sizeof c->model_path, err, err_len)) < 0) return 0;
    if ((r = sk_param_string(json, "output_mode", mode, sizeof mode, err, err_len)) < 0) return 0;
    if (r > 0) {
        if (strcmp(mode, "events") == 0) c->filtered_audio = 0;
        else if (strcmp(mode, "filtered_audio") == 0) c->filtered_audio = 1;
        else { snprintf(err, err_len, "output_mode must be \"events\" or \"filtered_audio\", not \"%s\"", mode); return 0; }
    }
    if (sk_param_number(json, "threshold", &c->threshold, err, err_len) < 0) return 0;
    if (sk_param_number(json, "min_silence_duration_s", &c->min_silence_s, err, err_len) < 0) return 0;
    if (sk_param_number(json, "min_speech_duration_s", &c->min_speech_s, err, err_len) < 0) return 0;
    if (sk_param_number(json, "max_speech_duration_s", &c->max_speech_s, err, err_len) < 0) return 0;
    if ((r = sk_param_number(json, "window_size", &number, err, err_len)) < 0) return 0;
    if (r > 0) c->window_size = (int)number;
    if ((r = sk_param_number(json, "num_threads", &number, err, err_len)) < 0) return 0;
    if (r > 0) c->num_threads = (int)number;
    if (sk_param_string(json, "provider", c->provider, sizeof c->provider, err, err_len) < 0) return 0;
    if ((r = sk_param_bool(json, "debug", &flag, err, err_len)) < 0) return 0;
    if (r > 0) c->debug = flag;
    if (!(c->threshold > 0 && c->threshold < 1)) { snprintf(err, err_len, "threshold must be between 0 and 1"); return 0; }
    if (c->window_size < 64 || c->window_size > 4096) { snprintf(err, err_len, "window_size must be 64…4096 samples"); return 0; }
    if (c->num_threads < 1 || c->num_threads > 64) { snprintf(err, err_len, "num_threads must be 1…64"); return 0; }
    if (c->min_silence_s < 0 || c->min_speech_s < 0 || c->max_speech_s <= 0) { snprintf(err, err_len, "durations must not be negative"); return 0; }
    return 1;
}

static void default_config(VadConfig* c) {
    memset(c, 0, sizeof *c);
    snprintf(c->model_path, sizeof c->model_path, "models/silero_vad.onnx");
    c->threshold = 0.5;
    c->min_silence_s = 0.5;
    c->min_speech_s = 0.25;
    c->window_size = 512;
    c->max_speech_s = 30;
    c->num_threads = 1;
    snprintf(c->provider, sizeof c->provider, "cpu");
}

static const CNodeMetadata* vad_get_metadata(void) { return &k_metadata; }

static CPluginHandle vad_create(const char* params_json, CLogCallback log, void* log_user_data) {
    VadConfig config;
    SherpaOnnxVadModelConfig model;
    char err[1536];
    Vad* vad;
    default_config(&config);
    if (!read_config(params_json, &config, err, sizeof err)) {
        sk_log(log, log_user_data, LOG_LEVEL_ERROR, TARGET, "plugin::native::vad: %s", err);
        return NULL;
    }
    if (!sk_check_model_file("VAD model", config.model_path, SK_MODEL_ONNX, SK_SPEECH_HINT, err, sizeof err)) {
        sk_log(log, log_user_data, LOG_LEVEL_ERROR, TARGET, "plugin::native::vad: %s", err);
        return NULL;
    }
    memset(&model, 0, sizeof model);
    model.silero_vad.model = config.model_path;
    model.silero_vad.threshold = (float)config.threshold;
    model.silero_vad.min_silence_duration = (float)config.min_silence_s;
    model.silero_vad.min_speech_duration = (float)config.min_speech_s;
    model.silero_vad.window_size = config.window_size;
    model.silero_vad.max_speech_duration = (float)config.max_speech_s;
    model.sample_rate = VAD_RATE;
    model.num_threads = config.num_threads;
    model.provider = config.provider;
    model.debug = config.debug;
    vad = calloc(1, sizeof *vad);
    if (vad == NULL) return NULL;
    vad->config = config;
    vad->log = log;
    vad->log_user_data = log_user_data;
    /* The buffer holds the longest segment plus slack. */
    vad->detector = SherpaOnnxCreateVoiceActivityDetector(&model, (float)config.max_speech_s + 5.0f);
    if (vad->detector == NULL) {
        sk_log(log, log_user_data, LOG_LEVEL_ERROR, TARGET, "plugin::native::vad: sherpa-onnx could not load the VAD model '%s'; %s", config.model_path, SK_SPEECH_HINT);
        free(vad);
        return NULL;
    }
    sk_log(log, log_user_data, LOG_LEVEL_INFO, TARGET, "vad ready (%s, threshold %.2f, %s)", config.model_path, config.threshold,
           config.filtered_audio ? "filtered_audio" : "events");
    return vad;
}

static long long ms_of(long long samples) { return samples * 1000 / VAD_RATE; }

static CResult emit_event(Vad* vad, const char* event_type, long long at_samples, long long duration_samples, COutputCallback out_cb,
                          void* out_ud, CTelemetryCallback tel_cb, void* tel_ud) {
    char json[256];
    int length;
    CPacketMetadata meta;
    CCustomPacket custom;
    CPacket packet;
    if (duration_samples >= 0)
        length = snprintf(json, sizeof json, "{\"event_type\":\"%s\",\"timestamp_ms\":%lld,\"duration_ms\":%lld,\"segment\":%llu}", event_type,
                          ms_of(at_samples), ms_of(duration_samples), vad->segments);
    else
        length = snprintf(json, sizeof json, "{\"event_type\":\"%s\",\"timestamp_ms\":%lld,\"duration_ms\":null,\"segment\":%llu}", event_type,
                          ms_of(at_samples), vad->segments);
    if (length <= 0 || (size_t)length >= sizeof json) return sk_error("vad: event too long");
    memset(&meta, 0, sizeof meta);
    meta.timestamp_us = (uint64_t)(at_samples * 1000000LL / VAD_RATE);
    meta.has_timestamp_us = true;
    if (tel_cb != NULL) {
        char name[64];
        snprintf(name, sizeof name, "vad.%s", event_type);
        tel_cb(name, (const uint8_t*)json, (size_t)length, &meta, tel_ud);
    }
    if (vad->config.filtered_audio) return CResult_success();
    custom.type_id = EVENT_TYPE_ID;
    custom.encoding = CUSTOM_ENCODING_JSON;
    custom.data_json = (const uint8_t*)json;
    custom.data_len = (size_t)length;
    custom.metadata = &meta;
    packet.packet_type = PACKET_TYPE_CUSTOM;
    packet.data = &custom;
    packet.len = sizeof custom;
    return out_cb("out", &packet, out_ud);
}

/* Pops every completed segment: a speech_end event (events) or the segment's audio (filtered). */
static CResult drain_segments(Vad* vad, COutputCallback out_cb, void* out_ud, CTelemetryCallback tel_cb, void* tel_ud) {
    while (!SherpaOnnxVoiceActivityDetectorEmpty(vad->detector)) {
        const SherpaOnnxSpeechSegment* segment = SherpaOnnxVoiceActivityDetectorFront(vad->detector);
        CResult result = CResult_success();
        if (segment != NULL && segment->n > 0) {
            long long start = segment->start;
            long long end = segment->start + segment->n;
            if (!vad->in_speech) {
                /* A segment whose start was not seen (e.g. completed by flush at once). */
                result = emit_event(vad, "speech_start", start, -1, out_cb, out_ud, tel_cb, tel_ud);
            }
            if (result.success) result = emit_event(vad, "speech_end", end, end - start, out_cb, out_ud, tel_cb, tel_ud);
            if (result.success && vad->config.filtered_audio) {
                CAudioFrame frame;
                CPacket packet;
                frame.sample_rate = VAD_RATE;
                frame.channels = 1;
                frame.samples = segment->samples;
                frame.sample_count = (size_t)segment->n;
                packet.packet_type = PACKET_TYPE_RAW_AUDIO;
                packet.data = &frame;
                packet.len = sizeof frame;
                result = out_cb("out", &packet, out_ud);
            }
            vad->in_speech = 0;
            vad->segments += 1;
        }
        if (segment != NULL) SherpaOnnxDestroySpeechSegment(segment);
        SherpaOnnxVoiceActivityDetectorPop(vad->detector);
        if (!result.success) return result;
    }
    return CResult_success();
}

/* Feeds whole windows, so the detector's own clock is ours and speech starts are exact. */
static CResult feed(Vad* vad, COutputCallback out_cb, void* out_ud, CTelemetryCallback tel_cb, void* tel_ud) {
    size_t window = (size_t)vad->config.window_size;
    size_t offset = 0;
    CResult result = CResult_success();
    while (vad->pending.len - offset >= window) {
        SherpaOnnxVoiceActivityDetectorAcceptWaveform(vad->detector, vad->pending.data + offset, (int32_t)window);
        offset += window;
        vad->fed += (long long)window;
        result = drain_segments(vad, out_cb, out_ud, tel_cb, tel_ud);
        if (!result.success) break;
        if (!vad->in_speech && SherpaOnnxVoiceActivityDetectorDetected(vad->detector)) {
            /* sherpa-onnx opens a segment 2 windows + the minimum speech before the detection. */
            long long start = vad->fed - 2 * (long long)window - (long long)llround(vad->config.min_speech_s * VAD_RATE);
            if (start < 0) start = 0;
            vad->in_speech = 1;
            vad->speech_start = start;
            result = emit_event(vad, "speech_start", start, -1, out_cb, out_ud, tel_cb, tel_ud);
            if (!result.success) break;
        }
    }
    sk_floats_drop_front(&vad->pending, offset);
    return result;
}

static CResult vad_process(CPluginHandle handle, const char* input_pin, const CPacket* packet, COutputCallback out_cb, void* out_ud,
                           CTelemetryCallback tel_cb, void* tel_ud) {
    Vad* vad = handle;
    const CAudioFrame* frame;
    (void)input_pin;
    if (vad == NULL || packet == NULL) return sk_error("vad: null argument");
    if (packet->packet_type != PACKET_TYPE_RAW_AUDIO) return sk_error("plugin::native::vad accepts raw audio only");
    frame = packet->data;
    if (frame == NULL) return sk_error("vad: null audio frame");
    if (frame->sample_rate != VAD_RATE || frame->channels != 1) {
        return sk_error("plugin::native::vad needs 16 kHz mono audio but got %u Hz with %u channel(s); put an audio::resampler "
                        "(target_sample_rate: 16000) and mono audio (e.g. audio::opus::decoder's output) before it",
                        frame->sample_rate, (unsigned)frame->channels);
    }
    if (frame->sample_count > 0 && !sk_floats_append(&vad->pending, frame->samples, frame->sample_count)) return sk_error("vad: out of memory");
    return feed(vad, out_cb, out_ud, tel_cb, tel_ud);
}

static CResult vad_update(CPluginHandle handle, const char* params_json) {
    Vad* vad = handle;
    VadConfig next;
    char err[1536];
    if (vad == NULL) return sk_error("vad: null handle");
    next = vad->config;
    if (!read_config(params_json, &next, err, sizeof err)) return sk_error("vad: %s", err);
    if (strcmp(next.model_path, vad->config.model_path) != 0 || next.num_threads != vad->config.num_threads ||
        strcmp(next.provider, vad->config.provider) != 0 || next.threshold != vad->config.threshold ||
        next.min_silence_s != vad->config.min_silence_s || next.min_speech_s != vad->config.min_speech_s ||
        next.window_size != vad->config.window_size || next.max_speech_s != vad->config.max_speech_s) {
        return sk_error("vad: only output_mode can change while the node runs; destroy and recreate the node to change the detector");
    }
    vad->config.filtered_audio = next.filtered_audio;
    return CResult_success();
}

static CResult vad_flush(CPluginHandle handle, COutputCallback out_cb, void* out_ud, CTelemetryCallback tel_cb, void* tel_ud) {
    Vad* vad = handle;
    if (vad == NULL) return sk_error("vad: null handle");
    if (vad->pending.len > 0) {
        SherpaOnnxVoiceActivityDetectorAcceptWaveform(vad->detector, vad->pending.data, (int32_t)vad->pending.len);
        vad->fed += (long long)vad->pending.len;
        vad->pending.len = 0;
    }
    SherpaOnnxVoiceActivityDetectorFlush(vad->detector);
    return drain_segments(vad, out_cb, out_ud, tel_cb, tel_ud);
}

static void vad_destroy(CPluginHandle handle) {
    Vad* vad = handle;
    if (vad == NULL) return;
    if (vad->detector != NULL) SherpaOnnxDestroyVoiceActivityDetector(vad->detector);
    sk_floats_free(&vad->pending);
    free(vad);
}

static const CNativePluginAPI k_api = {
    STREAMKIT_NATIVE_PLUGIN_API_VERSION, vad_get_metadata, vad_create, vad_process, vad_update, vad_flush, vad_destroy,
};

STREAMKIT_PLUGIN_ENTRY(&k_api)
