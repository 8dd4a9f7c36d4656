/*
 * whisper — StreamKit native plugin `plugin::native::whisper`: speech-to-text with whisper.cpp
 * (libwhisper 1.8.5 and its ggml from the pywhispercpp wheel), segmented by silero VAD (the ONNX
 * model the vad plugin uses, run by sherpa-onnx), with the original StreamKit plugin's params.
 *
 * Input `in`: raw audio, 16 kHz mono f32. Output `out`: one Transcription packet per speech
 * segment: {text (the segments joined by spaces), segments: [{text, start_time_ms, end_time_ms,
 * confidence: null}], language, metadata: {timestamp_us, duration_us, sequence}}, times from the
 * start of the stream. With `emit_vad_events: true` the node also sends `vad.speech_start`
 * ({segment_id, start_time_ms, threshold}) and `vad.speech_end` ({segment_id, start_time_ms,
 * end_time_ms, duration_ms, reason: "silence"|"max_duration"|"flush", silence_duration_ms}) to the
 * telemetry bus, as the original does (the original also reports the frame's speech probability,
 * which sherpa-onnx's VAD does not expose).
 *
 * Segmentation: silero VAD over 512-sample windows with `vad_threshold`; a segment closes after
 * `min_silence_duration_ms` of silence or at `max_segment_duration_secs`; what is open at the end of
 * the stream is transcribed by flush.
 *
 * The whisper.cpp context (the weights, ≈ 75 MB tiny.en / 145 MB base) is loaded once per process
 * for each model_path and shared by every node; each node has its own whisper_state (its decoder
 * buffers) and its own VAD. Loading happens in create_instance on the node's own thread; inference
 * runs inside process/flush, which the host calls on that thread too.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "sherpa-onnx/c-api/c-api.h"
#include "speech_common.h"
#include "whisper.h"

#define TARGET "whisper"
#define RATE 16000
#define WINDOW 512

static const CAudioFormat k_16k_mono = {RATE, 1, SAMPLE_FORMAT_F32};
static const CPacketTypeInfo k_accepts[] = {{PACKET_TYPE_RAW_AUDIO, &k_16k_mono, NULL}};
static const CInputPin k_inputs[] = {{"in", k_accepts, 1}};
static const COutputPin k_outputs[] = {{"out", {PACKET_TYPE_TRANSCRIPTION, NULL, NULL}}};
static const char* const k_categories[] = {"ml", "speech", "transcription"};
static const char k_schema[] =
    "{\"type\":\"object\",\"properties\":{"
    "\"model_path\":{\"type\":\"string\",\"default\":\"models/ggml-tiny.en.bin\",\"description\":\"Whisper ggml model; make speech writes models/ggml-tiny.en.bin (English) and models/ggml-base.bin (multilingual). Input audio must be 16 kHz mono f32\"},"
    "\"language\":{\"type\":\"string\",\"default\":\"en\",\"description\":\"Language code (en, es, fr, …) or auto; .en models transcribe English only\"},"
    "\"vad_model_path\":{\"type\":\"string\",\"default\":\"models/silero_vad.onnx\",\"description\":\"Silero VAD ONNX model\"},"
    "\"vad_threshold\":{\"type\":\"number\",\"default\":0.5,\"minimum\":0.0,\"maximum\":1.0,\"description\":\"VAD speech probability threshold\"},"
    "\"min_silence_duration_ms\":{\"type\":\"integer\",\"default\":700,\"minimum\":100,\"maximum\":5000,\"description\":\"Silence that ends a segment\"},"
    "\"max_segment_duration_secs\":{\"type\":\"number\",\"default\":30.0,\"minimum\":5.0,\"maximum\":120.0,\"description\":\"Longer speech is transcribed in pieces of this length\"},"
    "\"n_threads\":{\"type\":\"integer\",\"default\":0,\"minimum\":0,\"maximum\":32,\"description\":\"Decoding threads (0 = whisper.cpp's default: min(4, cores))\"},"
    "\"suppress_blank\":{\"type\":\"boolean\",\"default\":true},"
    "\"suppress_non_speech_tokens\":{\"type\":\"boolean\",\"default\":true,\"description\":\"Suppress [BLANK_AUDIO], [MUSIC] and the like\"},"
    "\"emit_vad_events\":{\"type\":\"boolean\",\"default\":false,\"description\":\"Send vad.speech_start / vad.speech_end to the telemetry bus\"},"
    "\"use_gpu\":{\"type\":\"boolean\",\"default\":false,\"description\":\"Accepted for the original's pipelines; this build is CPU only (true is refused)\"},"
    "\"gpu_device\":{\"type\":\"integer\",\"default\":0,\"minimum\":0,\"maximum\":7},"
    "\"audio_ctx\":{\"type\":\"integer\",\"default\":0,\"minimum\":-1,\"maximum\":1500,\"description\":\"Not in the original: encoder context; 0 = 30 s (most accurate), -1 = fitted to each segment (several times faster on short segments, less accurate)\"}"
    "}}";
static const CNodeMetadata k_metadata = {
    "whisper", "Speech-to-text with Whisper (whisper.cpp) and silero VAD segmentation. Requires 16 kHz mono audio.",
    k_inputs, 1, k_outputs, 1, k_schema, k_categories, 3};

typedef struct Config {
    char model_path[1024];
    char language[16];
    char vad_model_path[1024];
    double vad_threshold;
    double min_silence_ms;
    double max_segment_s;
    int n_threads;
    int suppress_blank;
    int suppress_nst;
    int emit_vad_events;
    int audio_ctx;
} Config;

/* ---- whisper.cpp's log: only warnings and errors, to stderr ---- */

static void whisper_log(enum ggml_log_level level, const char* text, void* user_data) {
    (void)user_data;
    if (level == GGML_LOG_LEVEL_WARN || level == GGML_LOG_LEVEL_ERROR) fprintf(stderr, "whisper.cpp: %s", text);
}

/* ---- the shared model cache ---- */

typedef struct Shared {
    char model_path[1024];
    struct whisper_context* context;
    int users;
    struct Shared* next;
} Shared;

static pthread_mutex_t g_cache_lock = PTHREAD_MUTEX_INITIALIZER;
static Shared* g_cache;
static unsigned long g_loads;

/* A missing, unreadable or foreign file is a clear message instead of whisper.cpp's abort/log. */
static int check_ggml(const char* path, char* err, size_t err_len) {
    struct stat st;
    unsigned char head[4] = {0};
    FILE* file;
    if (path[0] == '\0') { snprintf(err, err_len, "Whisper model: no model_path given; %s", SK_SPEECH_HINT); return 0; }
    if (stat(path, &st) != 0) {
        snprintf(err, err_len, "Whisper model '%s' is missing (%s); %s", path, strerror(errno), SK_SPEECH_HINT);
        return 0;
    }
    if (!S_ISREG(st.st_mode)) { snprintf(err, err_len, "Whisper model '%s' is not a regular file; %s", path, SK_SPEECH_HINT); return 0; }
    file = fopen(path, "rb");
    if (file == NULL) { snprintf(err, err_len, "Whisper model '%s' cannot be read (%s); %s", path, strerror(errno), SK_SPEECH_HINT); return 0; }
    if (fread(head, 1, 4, file) != 4) head[0] = 0;
    fclose(file);
    /* "ggml" as a little-endian uint32 (0x67676d6c) */
    if (st.st_size < 1024 * 1024 || head[0] != 0x6c || head[1] != 0x6d || head[2] != 0x67 || head[3] != 0x67) {
        snprintf(err, err_len, "Whisper model '%s' is not a whisper.cpp ggml model (corrupt or truncated: %lld bytes); %s", path,
                 (long long)st.st_size, SK_SPEECH_HINT);
        return 0;
    }
    return 1;
}

static Shared* acquire(const Config* c, char* err, size_t err_len, unsigned long* loads, int* users) {
    Shared* s;
    pthread_mutex_lock(&g_cache_lock);
    for (s = g_cache; s != NULL; s = s->next) {
        if (strcmp(s->model_path, c->model_path) == 0) break;
    }
    if (s == NULL) {
        struct whisper_context_params params;
        if (!check_ggml(c->model_path, err, err_len)) { pthread_mutex_unlock(&g_cache_lock); return NULL; }
        s = calloc(1, sizeof *s);
        if (s == NULL) { pthread_mutex_unlock(&g_cache_lock); snprintf(err, err_len, "out of memory"); return NULL; }
        whisper_log_set(whisper_log, NULL);
        params = whisper_context_default_params();
        params.use_gpu = false;
        params.flash_attn = false;
        s->context = whisper_init_from_file_with_params_no_state(c->model_path, params);
        if (s->context == NULL) {
            free(s);
            pthread_mutex_unlock(&g_cache_lock);
            snprintf(err, err_len, "whisper.cpp could not load the model '%s' (a damaged or incompatible ggml file); %s", c->model_path, SK_SPEECH_HINT);
            return NULL;
        }
        snprintf(s->model_path, sizeof s->model_path, "%s", c->model_path);
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

typedef struct Whisper {
    Config config;
    Shared* shared;
    struct whisper_state* state;
    const SherpaOnnxVoiceActivityDetector* vad;
    SkFloats pending;     /* samples not yet given to the VAD (less than one window) */
    long long fed;        /* samples given to the VAD so far */
    int speaking;         /* the VAD's state after the last window */
    long long speech_start_ms;
    unsigned long long segment_counter;
    char segment_id[64];
    unsigned long long sequence;
    unsigned long loads_at_start;
    int users_at_start;
    int reported;
    CLogCallback log;
    void* log_user_data;
} Whisper;

static void default_config(Config* c) {
    memset(c, 0, sizeof *c);
    snprintf(c->model_path, sizeof c->model_path, "models/ggml-tiny.en.bin");
    snprintf(c->language, sizeof c->language, "en");
    snprintf(c->vad_model_path, sizeof c->vad_model_path, "models/silero_vad.onnx");
    c->vad_threshold = 0.5;
    c->min_silence_ms = 700;
    c->max_segment_s = 30;
    c->n_threads = 0;
    c->suppress_blank = 1;
    c->suppress_nst = 1;
    c->emit_vad_events = 0;
}

static int read_config(const char* json, Config* c, char* err, size_t err_len) {
    double number;
    int flag, r, use_gpu = 0;
    if (sk_param_string(json, "model_path", c->model_path, sizeof c->model_path, err, err_len) < 0) return 0;
    if (sk_param_string(json, "language", c->language, sizeof c->language, err, err_len) < 0) return 0;
    if (sk_param_string(json, "vad_model_path", c->vad_model_path, sizeof c->vad_model_path, err, err_len) < 0) return 0;
    if (sk_param_number(json, "vad_threshold", &c->vad_threshold, err, err_len) < 0) return 0;
    if (sk_param_number(json, "min_silence_duration_ms", &c->min_silence_ms, err, err_len) < 0) return 0;
    if (sk_param_number(json, "max_segment_duration_secs", &c->max_segment_s, err, err_len) < 0) return 0;
    if ((r = sk_param_number(json, "n_threads", &number, err, err_len)) < 0) return 0;
    if (r > 0) c->n_threads = (int)number;
    if ((r = sk_param_bool(json, "suppress_blank", &flag, err, err_len)) < 0) return 0;
    if (r > 0) c->suppress_blank = flag;
    if ((r = sk_param_bool(json, "suppress_non_speech_tokens", &flag, err, err_len)) < 0) return 0;
    if (r > 0) c->suppress_nst = flag;
    if ((r = sk_param_bool(json, "emit_vad_events", &flag, err, err_len)) < 0) return 0;
    if (r > 0) c->emit_vad_events = flag;
    if ((r = sk_param_bool(json, "use_gpu", &flag, err, err_len)) < 0) return 0;
    if (r > 0) use_gpu = flag;
    if (sk_param_number(json, "gpu_device", &number, err, err_len) < 0) return 0;
    if ((r = sk_param_number(json, "audio_ctx", &number, err, err_len)) < 0) return 0;
    if (r > 0) c->audio_ctx = (int)number;
    if (c->audio_ctx < -1 || c->audio_ctx > 1500) { snprintf(err, err_len, "audio_ctx must be -1 (fit to the segment), 0 (30 s, default) or 1…1500"); return 0; }
    if (use_gpu) { snprintf(err, err_len, "use_gpu: this whisper.cpp build (pywhispercpp wheel) is CPU only; leave use_gpu false"); return 0; }
    if (strcmp(c->language, "auto") != 0 && whisper_lang_id(c->language) < 0) {
        snprintf(err, err_len, "language '%s' is not a Whisper language code (en, es, fr, de, … or auto)", c->language);
        return 0;
    }
    if (c->n_threads < 0 || c->n_threads > 64) { snprintf(err, err_len, "n_threads must be 0…64 (0 = automatic)"); return 0; }
    if (!(c->vad_threshold > 0 && c->vad_threshold < 1)) { snprintf(err, err_len, "vad_threshold must be between 0 and 1"); return 0; }
    if (!(c->min_silence_ms >= 0 && c->min_silence_ms <= 60000)) { snprintf(err, err_len, "min_silence_duration_ms must be 0…60000"); return 0; }
    if (!(c->max_segment_s >= 1 && c->max_segment_s <= 120)) { snprintf(err, err_len, "max_segment_duration_secs must be 1…120"); return 0; }
    return 1;
}

static const CNodeMetadata* wh_get_metadata(void) { return &k_metadata; }

static void wh_destroy(CPluginHandle handle);

static CPluginHandle wh_create(const char* params_json, CLogCallback log, void* log_user_data) {
    Config config;
    char err[1536];
    Whisper* w;
    SherpaOnnxVadModelConfig vad;
    default_config(&config);
    if (!read_config(params_json, &config, err, sizeof err)) {
        sk_log(log, log_user_data, LOG_LEVEL_ERROR, TARGET, "plugin::native::whisper: %s", err);
        return NULL;
    }
    if (!sk_check_model_file("VAD model", config.vad_model_path, SK_MODEL_ONNX, SK_SPEECH_HINT, err, sizeof err)) {
        sk_log(log, log_user_data, LOG_LEVEL_ERROR, TARGET, "plugin::native::whisper: %s", err);
        return NULL;
    }
    w = calloc(1, sizeof *w);
    if (w == NULL) return NULL;
    w->config = config;
    w->log = log;
    w->log_user_data = log_user_data;
    w->shared = acquire(&config, err, sizeof err, &w->loads_at_start, &w->users_at_start);
    if (w->shared == NULL) {
        sk_log(log, log_user_data, LOG_LEVEL_ERROR, TARGET, "plugin::native::whisper: %s", err);
        wh_destroy(w);
        return NULL;
    }
    if (!whisper_is_multilingual(w->shared->context) && strcmp(config.language, "en") != 0) {
        sk_log(log, log_user_data, LOG_LEVEL_ERROR, TARGET,
               "plugin::native::whisper: language '%s' is not available: '%s' is an English-only model (use language: en, or models/ggml-base.bin for other languages)",
               config.language, config.model_path);
        wh_destroy(w);
        return NULL;
    }
    w->state = whisper_init_state(w->shared->context);
    if (w->state == NULL) {
        sk_log(log, log_user_data, LOG_LEVEL_ERROR, TARGET, "plugin::native::whisper: could not create a whisper.cpp state for '%s' (out of memory?)",
               config.model_path);
        wh_destroy(w);
        return NULL;
    }
    memset(&vad, 0, sizeof vad);
    vad.silero_vad.model = config.vad_model_path;
    vad.silero_vad.threshold = (float)config.vad_threshold;
    vad.silero_vad.min_silence_duration = (float)(config.min_silence_ms / 1000.0);
    vad.silero_vad.min_speech_duration = 0.25f;
    vad.silero_vad.window_size = WINDOW;
    vad.silero_vad.max_speech_duration = (float)config.max_segment_s;
    vad.sample_rate = RATE;
    vad.num_threads = 1;
    vad.provider = "cpu";
    w->vad = SherpaOnnxCreateVoiceActivityDetector(&vad, (float)config.max_segment_s + 5.0f);
    if (w->vad == NULL) {
        sk_log(log, log_user_data, LOG_LEVEL_ERROR, TARGET, "plugin::native::whisper: sherpa-onnx could not load the VAD model '%s'; %s",
               config.vad_model_path, SK_SPEECH_HINT);
        wh_destroy(w);
        return NULL;
    }
    sk_log(log, log_user_data, LOG_LEVEL_INFO, TARGET, "whisper ready (%s, language %s; model loads in this process: %lu, nodes sharing it: %d)",
           config.model_path, config.language, w->loads_at_start, w->users_at_start);
    return w;
}

static double monotonic_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec * 1000.0 + (double)now.tv_nsec / 1e6;
}

static void trimmed(const char* text, const char** begin, size_t* length) {
    const char* b = text != NULL ? text : "";
    size_t n;
    while (*b && isspace((unsigned char)*b)) b++;
    n = strlen(b);
    while (n > 0 && isspace((unsigned char)b[n - 1])) n--;
    *begin = b;
    *length = n;
}

/* Transcribes one segment (samples from stream sample `start`) and sends a Transcription packet
 * (nothing when Whisper hears no words). */
static CResult transcribe(Whisper* w, const float* samples, size_t count, long long start, COutputCallback out_cb, void* out_ud,
                          double* inference_ms) {
    struct whisper_full_params params;
    SkText text = {0}, segments = {0}, json = {0};
    long long base_ms = start * 1000 / RATE;
    int n, i, lang;
    double started = monotonic_ms();
    CResult status = CResult_success();
    *inference_ms = 0;
    if (count < RATE / 10) return status; /* shorter than 100 ms: nothing to say */
    params = whisper_full_default_params(WHISPER_SAMPLING_GREEDY);
    params.language = w->config.language;
    params.detect_language = false;
    params.translate = false;
    params.no_context = true; /* each segment on its own, as a fresh whisper_full call on the original's state */
    params.print_progress = false;
    params.print_special = false;
    params.print_realtime = false;
    params.print_timestamps = false;
    params.suppress_blank = w->config.suppress_blank != 0;
    params.suppress_nst = w->config.suppress_nst != 0;
    if (w->config.n_threads > 0) params.n_threads = w->config.n_threads;
    /* The encoder's cost is that of its context (1500 positions = 30 s, whatever the segment's
     * length). audio_ctx -1 fits it to the segment (50 positions a second, plus 64, rounded up to
     * 64): several times faster on short segments but less accurate (tiny.en misheard words of
     * espeak-ng sentences that it gets right with the full context); > 0 sets it. */
    if (w->config.audio_ctx < 0) {
        int ctx = (int)(count / 320) + 64;
        ctx = (ctx + 63) / 64 * 64;
        params.audio_ctx = ctx < 1500 ? ctx : 0;
    } else if (w->config.audio_ctx > 0) {
        params.audio_ctx = w->config.audio_ctx;
    }
    if (whisper_full_with_state(w->shared->context, w->state, params, samples, (int)count) != 0) {
        return sk_error("plugin::native::whisper: whisper.cpp inference failed on a %.2f s segment", (double)count / RATE);
    }
    *inference_ms = monotonic_ms() - started;
    n = whisper_full_n_segments_from_state(w->state);
    sk_text_append(&segments, "[", 1);
    for (i = 0; i < n; i++) {
        const char* begin;
        size_t length;
        char piece[4096];
        trimmed(whisper_full_get_segment_text_from_state(w->state, i), &begin, &length);
        if (length == 0) continue;
        if (length >= sizeof piece) length = sizeof piece - 1;
        memcpy(piece, begin, length);
        piece[length] = '\0';
        if (text.len > 0) sk_text_append(&text, " ", 1);
        sk_text_append(&text, piece, length);
        if (segments.len > 1) sk_text_append(&segments, ",", 1);
        sk_text_append(&segments, "{\"text\":", 8);
        sk_text_append_json_string(&segments, piece);
        /* whisper.cpp's segment times are in centiseconds from the start of the segment's audio */
        sk_text_appendf(&segments, ",\"start_time_ms\":%lld,\"end_time_ms\":%lld,\"confidence\":null}",
                        base_ms + (long long)whisper_full_get_segment_t0_from_state(w->state, i) * 10,
                        base_ms + (long long)whisper_full_get_segment_t1_from_state(w->state, i) * 10);
    }
    sk_text_append(&segments, "]", 1);
    if (text.len == 0 || text.failed || segments.failed) {
        int failed = text.failed || segments.failed;
        sk_text_free(&text);
        sk_text_free(&segments);
        return failed ? sk_error("whisper: out of memory") : status;
    }
    lang = whisper_full_lang_id_from_state(w->state);
    sk_text_append(&json, "{\"text\":", 8);
    sk_text_append_json_string(&json, text.data);
    sk_text_append(&json, ",\"segments\":", 12);
    sk_text_append(&json, segments.data, segments.len);
    sk_text_append(&json, ",\"language\":", 12);
    sk_text_append_json_string(&json, strcmp(w->config.language, "auto") == 0 && lang >= 0 ? whisper_lang_str(lang) : w->config.language);
    sk_text_appendf(&json, ",\"metadata\":{\"timestamp_us\":%lld,\"duration_us\":%lld,\"sequence\":%llu}}", start * 1000000LL / RATE,
                    (long long)count * 1000000LL / RATE, w->sequence);
    w->sequence += 1;
    if (json.failed) status = sk_error("whisper: out of memory");
    else {
        CPacket packet;
        packet.packet_type = PACKET_TYPE_TRANSCRIPTION;
        packet.data = json.data;
        packet.len = json.len;
        status = out_cb("out", &packet, out_ud);
    }
    sk_text_free(&text);
    sk_text_free(&segments);
    sk_text_free(&json);
    return status;
}

static void telemetry(CTelemetryCallback tel_cb, void* tel_ud, const char* event, const char* json) {
    if (tel_cb != NULL) tel_cb(event, (const uint8_t*)json, strlen(json), NULL, tel_ud);
}

/* Transcribes every segment the VAD has closed; `reason` is why it closed. Each segment also gives
 * a `whisper.segment` telemetry event (audio_ms, closed_after_ms, inference_ms) as moonshine's. */
static CResult drain_segments(Whisper* w, const char* reason, COutputCallback out_cb, void* out_ud, CTelemetryCallback tel_cb, void* tel_ud) {
    while (!SherpaOnnxVoiceActivityDetectorEmpty(w->vad)) {
        const SherpaOnnxSpeechSegment* segment = SherpaOnnxVoiceActivityDetectorFront(w->vad);
        CResult result = CResult_success();
        if (segment != NULL && segment->n > 0) {
            long long start_ms = (long long)segment->start * 1000 / RATE;
            long long end = (long long)segment->start + segment->n;
            long long end_ms = end * 1000 / RATE;
            long long closed_after = w->fed - end;
            double inference_ms = 0;
            char json[400];
            if (w->config.emit_vad_events) {
                const char* why = reason;
                if (w->segment_id[0] == '\0') snprintf(w->segment_id, sizeof w->segment_id, "seg-%lld-%llu", start_ms, ++w->segment_counter);
                /* a segment cut at max_segment_duration_secs closes while speech goes on */
                if (strcmp(reason, "silence") == 0 && SherpaOnnxVoiceActivityDetectorDetected(w->vad) && closed_after * 1000 / RATE < w->config.min_silence_ms)
                    why = "max_duration";
                snprintf(json, sizeof json,
                         "{\"segment_id\":\"%s\",\"start_time_ms\":%lld,\"end_time_ms\":%lld,\"duration_ms\":%lld,\"reason\":\"%s\",\"silence_duration_ms\":%lld}",
                         w->segment_id, start_ms, end_ms, end_ms - start_ms, why, closed_after * 1000 / RATE);
                telemetry(tel_cb, tel_ud, "vad.speech_end", json);
                w->segment_id[0] = '\0';
            }
            result = transcribe(w, segment->samples, (size_t)segment->n, segment->start, out_cb, out_ud, &inference_ms);
            if (result.success) {
                snprintf(json, sizeof json, "{\"audio_ms\":%lld,\"closed_after_ms\":%lld,\"inference_ms\":%.1f}", (long long)segment->n * 1000 / RATE,
                         closed_after * 1000 / RATE, inference_ms);
                telemetry(tel_cb, tel_ud, "whisper.segment", json);
            }
        }
        if (segment != NULL) SherpaOnnxDestroySpeechSegment(segment);
        SherpaOnnxVoiceActivityDetectorPop(w->vad);
        if (!result.success) return result;
    }
    return CResult_success();
}

/* vad.speech_start when the VAD switches to speech (it needs 250 ms of speech to decide; the event
 * carries the estimated start of the speech). */
static void watch_speech_start(Whisper* w, CTelemetryCallback tel_cb, void* tel_ud) {
    int now = SherpaOnnxVoiceActivityDetectorDetected(w->vad) != 0;
    if (now && !w->speaking && w->config.emit_vad_events && w->segment_id[0] == '\0') {
        char json[256];
        long long start_ms = (w->fed - (long long)(0.25 * RATE) - WINDOW) * 1000 / RATE;
        if (start_ms < 0) start_ms = 0;
        w->speech_start_ms = start_ms;
        snprintf(w->segment_id, sizeof w->segment_id, "seg-%lld-%llu", start_ms, ++w->segment_counter);
        snprintf(json, sizeof json, "{\"segment_id\":\"%s\",\"start_time_ms\":%lld,\"threshold\":%.3f}", w->segment_id, start_ms, w->config.vad_threshold);
        telemetry(tel_cb, tel_ud, "vad.speech_start", json);
    }
    w->speaking = now;
}

static CResult wh_process(CPluginHandle handle, const char* input_pin, const CPacket* packet, COutputCallback out_cb, void* out_ud,
                          CTelemetryCallback tel_cb, void* tel_ud) {
    Whisper* w = handle;
    const CAudioFrame* frame;
    size_t offset = 0;
    CResult result = CResult_success();
    (void)input_pin;
    if (w == NULL || packet == NULL) return sk_error("whisper: null argument");
    if (packet->packet_type != PACKET_TYPE_RAW_AUDIO) return sk_error("plugin::native::whisper accepts raw audio only");
    frame = packet->data;
    if (frame == NULL) return sk_error("whisper: null audio frame");
    if (frame->sample_rate != RATE || frame->channels != 1) {
        return sk_error("plugin::native::whisper needs 16 kHz mono audio but got %u Hz with %u channel(s); put an audio::resampler "
                        "(target_sample_rate: 16000) and mono audio (e.g. audio::opus::decoder's output) before it",
                        frame->sample_rate, (unsigned)frame->channels);
    }
    if (!w->reported && tel_cb != NULL) {
        char json[160];
        snprintf(json, sizeof json, "{\"model_loads\":%lu,\"nodes_sharing\":%d}", w->loads_at_start, w->users_at_start);
        telemetry(tel_cb, tel_ud, "whisper.model", json);
        w->reported = 1;
    }
    if (frame->sample_count > 0 && !sk_floats_append(&w->pending, frame->samples, frame->sample_count)) return sk_error("whisper: out of memory");
    while (w->pending.len - offset >= WINDOW) {
        SherpaOnnxVoiceActivityDetectorAcceptWaveform(w->vad, w->pending.data + offset, WINDOW);
        offset += WINDOW;
        w->fed += WINDOW;
        result = drain_segments(w, "silence", out_cb, out_ud, tel_cb, tel_ud);
        if (!result.success) break;
        watch_speech_start(w, tel_cb, tel_ud);
    }
    sk_floats_drop_front(&w->pending, offset);
    return result;
}

static CResult wh_update(CPluginHandle handle, const char* params_json) {
    (void)params_json;
    if (handle == NULL) return sk_error("whisper: null handle");
    return sk_error("whisper: parameters cannot change while the node runs; destroy and recreate the node");
}

static CResult wh_flush(CPluginHandle handle, COutputCallback out_cb, void* out_ud, CTelemetryCallback tel_cb, void* tel_ud) {
    Whisper* w = handle;
    if (w == NULL) return sk_error("whisper: null handle");
    if (w->pending.len > 0) SherpaOnnxVoiceActivityDetectorAcceptWaveform(w->vad, w->pending.data, (int32_t)w->pending.len);
    w->fed += (long long)w->pending.len;
    w->pending.len = 0;
    SherpaOnnxVoiceActivityDetectorFlush(w->vad);
    return drain_segments(w, "flush", out_cb, out_ud, tel_cb, tel_ud);
}

static void wh_destroy(CPluginHandle handle) {
    Whisper* w = handle;
    if (w == NULL) return;
    if (w->vad != NULL) SherpaOnnxDestroyVoiceActivityDetector(w->vad);
    if (w->state != NULL) whisper_free_state(w->state);
    if (w->shared != NULL) release(w->shared);
    sk_floats_free(&w->pending);
    free(w);
}

static const CNativePluginAPI k_api = {
    STREAMKIT_NATIVE_PLUGIN_API_VERSION, wh_get_metadata, wh_create, wh_process, wh_update, wh_flush, wh_destroy,
};

STREAMKIT_PLUGIN_ENTRY(&k_api)
