/*
 * moonshine — StreamKit native plugin `plugin::native::moonshine`: English speech-to-text with
 * Moonshine base-en through sherpa-onnx's offline recognizer, segmented by silero VAD inside (as
 * the original's `sensevoice`).
 *
 * Input `in`: raw audio, 16 kHz mono f32. Output `out`: Transcription packets, one per speech
 * segment: {text, segments: [{text, start_time_ms, end_time_ms, confidence: null}], language,
 * metadata: {timestamp_us, duration_us, sequence}} with times from the start of the stream.
 *
 * The recognizer (≈ 650 MB with both ONNX Runtime sessions) is loaded once per process for each
 * (model_dir, num_threads, provider) and shared by every node; it is loaded in create_instance on
 * the node's own thread, never on a packet path. Each node has its own VAD (its stream state).
 * Every node's first call emits a `moonshine.model` telemetry event with the process's load count
 * and how many nodes share the model; every transcribed segment a `moonshine.segment` event
 * (audio_ms, closed_after_ms: audio the VAD took past the segment's end before closing it,
 * inference_ms).
 */
#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sherpa-onnx/c-api/c-api.h"
#include "speech_common.h"

#define TARGET "moonshine"
#define RATE 16000

static const CAudioFormat k_16k_mono = {RATE, 1, SAMPLE_FORMAT_F32};
static const CPacketTypeInfo k_accepts[] = {{PACKET_TYPE_RAW_AUDIO, &k_16k_mono, NULL}};
static const CInputPin k_inputs[] = {{"in", k_accepts, 1}};
static const COutputPin k_outputs[] = {{"out", {PACKET_TYPE_TRANSCRIPTION, NULL, NULL}}};
static const char* const k_categories[] = {"ml", "speech", "transcription"};
static const char k_schema[] =
    "{\"type\":\"object\",\"properties\":{"
    "\"model_dir\":{\"type\":\"string\",\"default\":\"models/moonshine-base-en\",\"description\":\"Folder with tokens.txt and encoder_model.onnx + decoder_model_merged.onnx (used when present) or encoder_model.ort + decoder_model_merged.ort; make speech writes both pairs\"},"
    "\"language\":{\"type\":\"string\",\"default\":\"en\",\"enum\":[\"en\",\"auto\"],\"description\":\"Moonshine base-en is English only\"},"
    "\"num_threads\":{\"type\":\"integer\",\"default\":1,\"minimum\":1,\"maximum\":16},"
    "\"execution_provider\":{\"type\":\"string\",\"default\":\"cpu\",\"enum\":[\"cpu\"]},"
    "\"use_vad\":{\"type\":\"boolean\",\"default\":true,\"description\":\"Segment by silero VAD; false transcribes fixed windows of max_segment_duration_secs\"},"
    "\"vad_model_path\":{\"type\":\"string\",\"default\":\"models/silero_vad.onnx\"},"
    "\"vad_threshold\":{\"type\":\"number\",\"default\":0.5,\"minimum\":0.01,\"maximum\":0.99},"
    "\"min_silence_duration_ms\":{\"type\":\"integer\",\"default\":500,\"minimum\":0,\"maximum\":10000,\"description\":\"Silence that ends a segment\"},"
    "\"max_segment_duration_secs\":{\"type\":\"number\",\"default\":20,\"minimum\":1,\"maximum\":60,\"description\":\"Longer speech is split\"}"
    "}}";
static const CNodeMetadata k_metadata = {
    "moonshine", "English speech-to-text (Moonshine base-en, sherpa-onnx) with silero VAD segmentation",
    k_inputs, 1, k_outputs, 1, k_schema, k_categories, 3};

typedef struct Config {
    char model_dir[1024];
    char language[16];
    int num_threads;
    char provider[32];
    int use_vad;
    char vad_model_path[1024];
    double vad_threshold;
    double min_silence_ms;
    double max_segment_s;
} Config;

/* ---- the shared recognizer cache ---- */

typedef struct Shared {
    char model_dir[1024];
    int num_threads;
    char provider[32];
    const SherpaOnnxOfflineRecognizer* recognizer;
    int users;
    struct Shared* next;
} Shared;

static pthread_mutex_t g_cache_lock = PTHREAD_MUTEX_INITIALIZER;
static Shared* g_cache;
static unsigned long g_loads;

/* Returns the shared recognizer for the config, loading it on first use (under the lock, so two
 * nodes starting together load it once). NULL with a message in err on failure. */
static Shared* acquire(const Config* c, char* err, size_t err_len, unsigned long* loads, int* users) {
    Shared* s;
    char encoder[1100], decoder[1100], tokens[1100];
    SherpaOnnxOfflineRecognizerConfig config;
    pthread_mutex_lock(&g_cache_lock);
    for (s = g_cache; s != NULL; s = s->next) {
        if (strcmp(s->model_dir, c->model_dir) == 0 && s->num_threads == c->num_threads && strcmp(s->provider, c->provider) == 0) break;
    }
    if (s == NULL) {
        /* The ONNX pair make speech converts (weights folded to float once) when both are there:
         * ≈ 5 times less CPU than the .ort files, whose int8 weights are dequantized again on
         * every decoder step (scripts/speech/moonshine_onnx.py). Otherwise the .ort files. */
        SkModelFormat format = SK_MODEL_ONNX;
        const char* ext = "onnx";
        snprintf(encoder, sizeof encoder, "%s/encoder_model.onnx", c->model_dir);
        snprintf(decoder, sizeof decoder, "%s/decoder_model_merged.onnx", c->model_dir);
        if (access(encoder, R_OK) != 0 || access(decoder, R_OK) != 0) {
            format = SK_MODEL_ORT;
            ext = "ort";
            snprintf(encoder, sizeof encoder, "%s/encoder_model.ort", c->model_dir);
            snprintf(decoder, sizeof decoder, "%s/decoder_model_merged.ort", c->model_dir);
        }
        snprintf(tokens, sizeof tokens, "%s/tokens.txt", c->model_dir);
        if (!sk_check_model_file("Moonshine encoder", encoder, format, SK_SPEECH_HINT, err, err_len) ||
            !sk_check_model_file("Moonshine decoder", decoder, format, SK_SPEECH_HINT, err, err_len) ||
            !sk_check_model_file("Moonshine tokens", tokens, SK_MODEL_TEXT, SK_SPEECH_HINT, err, err_len)) {
            pthread_mutex_unlock(&g_cache_lock);
            return NULL;
        }
        memset(&config, 0, sizeof config);
        config.feat_config.sample_rate = RATE;
        config.feat_config.feature_dim = 80;
        config.model_config.moonshine.encoder = encoder;
        config.model_config.moonshine.merged_decoder = decoder;
        config.model_config.tokens = tokens;
        config.model_config.num_threads = c->num_threads;
        config.model_config.provider = c->provider;
        config.decoding_method = "greedy_search";
        s = calloc(1, sizeof *s);
        if (s == NULL) { pthread_mutex_unlock(&g_cache_lock); snprintf(err, err_len, "out of memory"); return NULL; }
        s->recognizer = SherpaOnnxCreateOfflineRecognizer(&config);
        if (s->recognizer == NULL) {
            free(s);
            pthread_mutex_unlock(&g_cache_lock);
            snprintf(err, err_len, "sherpa-onnx could not load the Moonshine model in '%s' (encoder_model.%s, decoder_model_merged.%s, tokens.txt); %s",
                     c->model_dir, ext, ext, SK_SPEECH_HINT);
            return NULL;
        }
        snprintf(s->model_dir, sizeof s->model_dir, "%s", c->model_dir);
        snprintf(s->provider, sizeof s->provider, "%s", c->provider);
        s->num_threads = c->num_threads;
        s->next = g_cache;
        g_cache = s;
        g_loads += 1;
    }
    s->users += 1;
    *loads = g_loads;
    *users = s->users;
    pthread_mutex_unlock(&g_cache_lock);
    return s;
}

/* The model stays loaded after its last node ends: the next node starts at once. */
static void release(Shared* s) {
    pthread_mutex_lock(&g_cache_lock);
    s->users -= 1;
    pthread_mutex_unlock(&g_cache_lock);
}

/* ---- one node ---- */

typedef struct Moonshine {
    Config config;
    Shared* shared;
    const SherpaOnnxVoiceActivityDetector* vad;
    SkFloats pending;  /* samples not yet given to the VAD (less than one window), or without VAD the open window */
    long long fed;     /* samples consumed so far */
    long long window_start;
    unsigned long long sequence;
    unsigned long loads_at_start;
    int users_at_start;
    int reported;
    CLogCallback log;
    void* log_user_data;
} Moonshine;

static void default_config(Config* c) {
    memset(c, 0, sizeof *c);
    snprintf(c->model_dir, sizeof c->model_dir, "models/moonshine-base-en");
    snprintf(c->language, sizeof c->language, "en");
    c->num_threads = 1;
    snprintf(c->provider, sizeof c->provider, "cpu");
    c->use_vad = 1;
    snprintf(c->vad_model_path, sizeof c->vad_model_path, "models/silero_vad.onnx");
    c->vad_threshold = 0.5;
    c->min_silence_ms = 500;
    c->max_segment_s = 20;
}

static int read_config(const char* json, Config* c, char* err, size_t err_len) {
    double number;
    int flag, r;
    if (sk_param_string(json, "model_dir", c->model_dir, sizeof c->model_dir, err, err_len) < 0) return 0;
    if (sk_param_string(json, "language", c->language, sizeof c->language, err, err_len) < 0) return 0;
    if ((r = sk_param_number(json, "num_threads", &number, err, err_len)) < 0) return 0;
    if (r > 0) c->num_threads = (int)number;
    if (sk_param_string(json, "execution_provider", c->provider, sizeof c->provider, err, err_len) < 0) return 0;
    if ((r = sk_param_bool(json, "use_vad", &flag, err, err_len)) < 0) return 0;
    if (r > 0) c->use_vad = flag;
    if (sk_param_string(json, "vad_model_path", c->vad_model_path, sizeof c->vad_model_path, err, err_len) < 0) return 0;
    if (sk_param_number(json, "vad_threshold", &c->vad_threshold, err, err_len) < 0) return 0;
    if (sk_param_number(json, "min_silence_duration_ms", &c->min_silence_ms, err, err_len) < 0) return 0;
    if (sk_param_number(json, "max_segment_duration_secs", &c->max_segment_s, err, err_len) < 0) return 0;
    if (strcmp(c->language, "en") != 0 && strcmp(c->language, "auto") != 0) {
        snprintf(err, err_len, "language '%s' is not available: Moonshine base-en transcribes English (\"en\") only", c->language);
        return 0;
    }
    if (c->num_threads < 1 || c->num_threads > 64) { snprintf(err, err_len, "num_threads must be 1…64"); return 0; }
    if (!(c->vad_threshold > 0 && c->vad_threshold < 1)) { snprintf(err, err_len, "vad_threshold must be between 0 and 1"); return 0; }
    if (c->min_silence_ms < 0) { snprintf(err, err_len, "min_silence_duration_ms must not be negative"); return 0; }
    if (!(c->max_segment_s >= 1 && c->max_segment_s <= 60)) { snprintf(err, err_len, "max_segment_duration_secs must be 1…60"); return 0; }
    return 1;
}

static const CNodeMetadata* moon_get_metadata(void) { return &k_metadata; }

static void moon_destroy(CPluginHandle handle);

static CPluginHandle moon_create(const char* params_json, CLogCallback log, void* log_user_data) {
    Config config;
    char err[1536];
    Moonshine* m;
    default_config(&config);
    if (!read_config(params_json, &config, err, sizeof err)) {
        sk_log(log, log_user_data, LOG_LEVEL_ERROR, TARGET, "plugin::native::moonshine: %s", err);
        return NULL;
    }
    m = calloc(1, sizeof *m);
    if (m == NULL) return NULL;
    m->config = config;
    m->log = log;
    m->log_user_data = log_user_data;
    if (config.use_vad) {
        SherpaOnnxVadModelConfig vad;
        if (!sk_check_model_file("VAD model", config.vad_model_path, SK_MODEL_ONNX, SK_SPEECH_HINT, err, sizeof err)) {
            sk_log(log, log_user_data, LOG_LEVEL_ERROR, TARGET, "plugin::native::moonshine: %s", err);
            free(m);
            return NULL;
        }
        memset(&vad, 0, sizeof vad);
        vad.silero_vad.model = config.vad_model_path;
        vad.silero_vad.threshold = (float)config.vad_threshold;
        vad.silero_vad.min_silence_duration = (float)(config.min_silence_ms / 1000.0);
        vad.silero_vad.min_speech_duration = 0.25f;
        vad.silero_vad.window_size = 512;
        vad.silero_vad.max_speech_duration = (float)config.max_segment_s;
        vad.sample_rate = RATE;
        vad.num_threads = 1;
        vad.provider = "cpu";
        m->vad = SherpaOnnxCreateVoiceActivityDetector(&vad, (float)config.max_segment_s + 5.0f);
        if (m->vad == NULL) {
            sk_log(log, log_user_data, LOG_LEVEL_ERROR, TARGET, "plugin::native::moonshine: sherpa-onnx could not load the VAD model '%s'; %s",
                   config.vad_model_path, SK_SPEECH_HINT);
            free(m);
            return NULL;
        }
    }
    m->shared = acquire(&config, err, sizeof err, &m->loads_at_start, &m->users_at_start);
    if (m->shared == NULL) {
        sk_log(log, log_user_data, LOG_LEVEL_ERROR, TARGET, "plugin::native::moonshine: %s", err);
        moon_destroy(m);
        return NULL;
    }
    sk_log(log, log_user_data, LOG_LEVEL_INFO, TARGET, "moonshine ready (%s; model loads in this process: %lu, nodes sharing it: %d)",
           config.model_dir, m->loads_at_start, m->users_at_start);
    return m;
}

/* Transcribes one stretch of audio and sends a Transcription packet (nothing for silence). */
static CResult transcribe(Moonshine* m, const float* samples, size_t count, long long start, COutputCallback out_cb, void* out_ud) {
    const SherpaOnnxOfflineStream* stream;
    const SherpaOnnxOfflineRecognizerResult* result;
    SkText text = {0}, json = {0};
    const char* begin;
    size_t length;
    long long start_ms, end_ms;
    CPacket packet;
    CResult status = CResult_success();
    if (count < RATE / 10) return status; /* shorter than 100 ms: nothing to say */
    stream = SherpaOnnxCreateOfflineStream(m->shared->recognizer);
    if (stream == NULL) return sk_error("moonshine: could not create a recognizer stream");
    SherpaOnnxAcceptWaveformOffline(stream, RATE, samples, (int32_t)count);
    SherpaOnnxDecodeOfflineStream(m->shared->recognizer, stream);
    result = SherpaOnnxGetOfflineStreamResult(stream);
    begin = result != NULL && result->text != NULL ? result->text : "";
    while (*begin && isspace((unsigned char)*begin)) begin++;
    length = strlen(begin);
    while (length > 0 && isspace((unsigned char)begin[length - 1])) length--;
    sk_text_append(&text, begin, length);
    if (result != NULL) SherpaOnnxDestroyOfflineRecognizerResult(result);
    SherpaOnnxDestroyOfflineStream(stream);
    if (length == 0 || text.failed) { sk_text_free(&text); return status; }

    start_ms = start * 1000 / RATE;
    end_ms = (start + (long long)count) * 1000 / RATE;
    sk_text_append(&json, "{\"text\":", 8);
    sk_text_append_json_string(&json, text.data);
    sk_text_append(&json, ",\"segments\":[{\"text\":", 21);
    sk_text_append_json_string(&json, text.data);
    sk_text_appendf(&json, ",\"start_time_ms\":%lld,\"end_time_ms\":%lld,\"confidence\":null}],\"language\":\"en\",", start_ms, end_ms);
    sk_text_appendf(&json, "\"metadata\":{\"timestamp_us\":%lld,\"duration_us\":%lld,\"sequence\":%llu}}", start * 1000000LL / RATE,
                    (long long)count * 1000000LL / RATE, m->sequence);
    m->sequence += 1;
    if (json.failed) status = sk_error("moonshine: out of memory");
    else {
        packet.packet_type = PACKET_TYPE_TRANSCRIPTION;
        packet.data = json.data;
        packet.len = json.len;
        status = out_cb("out", &packet, out_ud);
    }
    sk_text_free(&text);
    sk_text_free(&json);
    return status;
}

static double monotonic_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec * 1000.0 + (double)now.tv_nsec / 1e6;
}

/* Transcribes every segment the VAD has closed. Each one also gives a `moonshine.segment`
 * telemetry event: its length, how much audio the VAD had been fed past its end when it closed it
 * (the silence it waited for), and the inference time — the parts of live latency that are ours. */
static CResult drain_segments(Moonshine* m, COutputCallback out_cb, void* out_ud, CTelemetryCallback tel_cb, void* tel_ud) {
    while (!SherpaOnnxVoiceActivityDetectorEmpty(m->vad)) {
        const SherpaOnnxSpeechSegment* segment = SherpaOnnxVoiceActivityDetectorFront(m->vad);
        CResult result = CResult_success();
        if (segment != NULL && segment->n > 0) {
            double started = monotonic_ms();
            result = transcribe(m, segment->samples, (size_t)segment->n, segment->start, out_cb, out_ud);
            if (result.success && tel_cb != NULL) {
                char json[200];
                long long closed_after = m->fed - ((long long)segment->start + segment->n);
                int n = snprintf(json, sizeof json, "{\"audio_ms\":%lld,\"closed_after_ms\":%lld,\"inference_ms\":%.1f}",
                                 (long long)segment->n * 1000 / RATE, closed_after * 1000 / RATE, monotonic_ms() - started);
                if (n > 0 && (size_t)n < sizeof json) tel_cb("moonshine.segment", (const uint8_t*)json, (size_t)n, NULL, tel_ud);
            }
        }
        if (segment != NULL) SherpaOnnxDestroySpeechSegment(segment);
        SherpaOnnxVoiceActivityDetectorPop(m->vad);
        if (!result.success) return result;
    }
    return CResult_success();
}

static CResult moon_process(CPluginHandle handle, const char* input_pin, const CPacket* packet, COutputCallback out_cb, void* out_ud,
                            CTelemetryCallback tel_cb, void* tel_ud) {
    Moonshine* m = handle;
    const CAudioFrame* frame;
    (void)input_pin;
    if (m == NULL || packet == NULL) return sk_error("moonshine: null argument");
    if (packet->packet_type != PACKET_TYPE_RAW_AUDIO) return sk_error("plugin::native::moonshine accepts raw audio only");
    frame = packet->data;
    if (frame == NULL) return sk_error("moonshine: null audio frame");
    if (frame->sample_rate != RATE || frame->channels != 1) {
        return sk_error("plugin::native::moonshine needs 16 kHz mono audio but got %u Hz with %u channel(s); put an audio::resampler "
                        "(target_sample_rate: 16000) and mono audio (e.g. audio::opus::decoder's output) before it",
                        frame->sample_rate, (unsigned)frame->channels);
    }
    if (!m->reported && tel_cb != NULL) {
        char json[160];
        int n = snprintf(json, sizeof json, "{\"model_loads\":%lu,\"nodes_sharing\":%d}", m->loads_at_start, m->users_at_start);
        if (n > 0 && (size_t)n < sizeof json) tel_cb("moonshine.model", (const uint8_t*)json, (size_t)n, NULL, tel_ud);
        m->reported = 1;
    }
    if (frame->sample_count > 0 && !sk_floats_append(&m->pending, frame->samples, frame->sample_count)) return sk_error("moonshine: out of memory");
    if (m->vad != NULL) {
        size_t offset = 0;
        CResult result = CResult_success();
        while (m->pending.len - offset >= 512) {
            SherpaOnnxVoiceActivityDetectorAcceptWaveform(m->vad, m->pending.data + offset, 512);
            offset += 512;
            m->fed += 512;
            result = drain_segments(m, out_cb, out_ud, tel_cb, tel_ud);
            if (!result.success) break;
        }
        sk_floats_drop_front(&m->pending, offset);
        return result;
    }
    /* Without VAD: fixed windows of max_segment_duration_secs. */
    {
        size_t window = (size_t)(m->config.max_segment_s * RATE);
        while (m->pending.len >= window) {
            CResult result = transcribe(m, m->pending.data, window, m->window_start, out_cb, out_ud);
            m->window_start += (long long)window;
            sk_floats_drop_front(&m->pending, window);
            if (!result.success) return result;
        }
    }
    return CResult_success();
}

static CResult moon_update(CPluginHandle handle, const char* params_json) {
    (void)params_json;
    if (handle == NULL) return sk_error("moonshine: null handle");
    return sk_error("moonshine: parameters cannot change while the node runs; destroy and recreate the node");
}

static CResult moon_flush(CPluginHandle handle, COutputCallback out_cb, void* out_ud, CTelemetryCallback tel_cb, void* tel_ud) {
    Moonshine* m = handle;
    if (m == NULL) return sk_error("moonshine: null handle");
    if (m->vad != NULL) {
        if (m->pending.len > 0) SherpaOnnxVoiceActivityDetectorAcceptWaveform(m->vad, m->pending.data, (int32_t)m->pending.len);
        m->fed += (long long)m->pending.len;
        m->pending.len = 0;
        SherpaOnnxVoiceActivityDetectorFlush(m->vad);
        return drain_segments(m, out_cb, out_ud, tel_cb, tel_ud);
    } else {
        CResult result = transcribe(m, m->pending.data, m->pending.len, m->window_start, out_cb, out_ud);
        m->window_start += (long long)m->pending.len;
        m->pending.len = 0;
        return result;
    }
}

static void moon_destroy(CPluginHandle handle) {
    Moonshine* m = handle;
    if (m == NULL) return;
    if (m->vad != NULL) SherpaOnnxDestroyVoiceActivityDetector(m->vad);
    if (m->shared != NULL) release(m->shared);
    sk_floats_free(&m->pending);
    free(m);
}

static const CNativePluginAPI k_api = {
    STREAMKIT_NATIVE_PLUGIN_API_VERSION, moon_get_metadata, moon_create, moon_process, moon_update, moon_flush, moon_destroy,
};

STREAMKIT_PLUGIN_ENTRY(&k_api)
