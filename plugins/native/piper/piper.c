/*
 * piper — StreamKit native plugin `plugin::native::piper`: text-to-speech with a Piper (VITS)
 * voice through sherpa-onnx's offline TTS, with phonemes from espeak-ng.
 *
 * LICENCE NOTE: this plugin links libespeak-ng, which is GPL-3.0-or-later, so the plugin binary
 * (libpiper.so) is GPL-3.0-or-later. It is a separate plugin; the server does not link it.
 *
 * Input `in`: Text. Output `out`: raw audio at the voice's rate (22 050 Hz), mono f32. Text is
 * buffered and spoken sentence by sentence: each complete sentence is synthesised and sent as
 * soon as it is in (with core::text_chunker upstream every sentence arrives as its own packet, so
 * its audio leaves the node before the next one is synthesised); the rest is spoken at flush.
 *
 * The voice is loaded once per process for each (model_dir, num_threads, noise_scale,
 * noise_scale_w, length_scale) and shared by every node; generation on one voice is serialised
 * (its ONNX Runtime session is shared). espeak-ng is process-global and not thread-safe: one lock.
 */
#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <espeak-ng/speak_lib.h>

#include "sherpa-onnx/c-api/c-api.h"
#include "speech_common.h"

#define TARGET "piper"

static const CPacketTypeInfo k_accepts[] = {{PACKET_TYPE_TEXT, NULL, NULL}};
static const CInputPin k_inputs[] = {{"in", k_accepts, 1}};
static const CAudioFormat k_22k_mono = {22050, 1, SAMPLE_FORMAT_F32};
static const COutputPin k_outputs[] = {{"out", {PACKET_TYPE_RAW_AUDIO, &k_22k_mono, NULL}}};
static const char* const k_categories[] = {"ml", "speech", "tts"};
static const char k_schema[] =
    "{\"type\":\"object\",\"properties\":{"
    "\"model_dir\":{\"type\":\"string\",\"default\":\"models/piper-en_US-joe-medium\",\"description\":\"Folder with model.onnx (with sherpa-onnx metadata) and tokens.txt (make speech writes it)\"},"
    "\"speaker_id\":{\"type\":\"integer\",\"default\":0,\"minimum\":0},"
    "\"speed\":{\"type\":\"number\",\"default\":1.0,\"minimum\":0.25,\"maximum\":4.0,\"description\":\"Speech rate (1 = the voice's own)\"},"
    "\"num_threads\":{\"type\":\"integer\",\"default\":1,\"minimum\":1,\"maximum\":16},"
    "\"min_sentence_length\":{\"type\":\"integer\",\"default\":10,\"minimum\":0,\"maximum\":1000,\"description\":\"A sentence shorter than this (characters) waits for the next one\"},"
    "\"noise_scale\":{\"type\":\"number\",\"default\":0.667,\"minimum\":0,\"maximum\":2},"
    "\"noise_scale_w\":{\"type\":\"number\",\"default\":0.8,\"minimum\":0,\"maximum\":2},"
    "\"length_scale\":{\"type\":\"number\",\"default\":1.0,\"minimum\":0.1,\"maximum\":5},"
    "\"max_text_chars\":{\"type\":\"integer\",\"default\":4000,\"minimum\":1,\"maximum\":100000,\"description\":\"Longest text the node holds at once; longer input is refused\"}"
    "}}";
static const CNodeMetadata k_metadata = {
    "piper", "Text-to-speech with a Piper voice (sherpa-onnx, espeak-ng phonemes; GPL-3.0+ because of espeak-ng)",
    k_inputs, 1, k_outputs, 1, k_schema, k_categories, 3};

typedef struct Config {
    char model_dir[1024];
    int speaker_id;
    double speed;
    int num_threads;
    int min_sentence_length;
    double noise_scale, noise_scale_w, length_scale;
    int max_text_chars;
} Config;

/* ---- shared voices ---- */

typedef struct Voice {
    char model_dir[1024];
    int num_threads;
    double noise_scale, noise_scale_w, length_scale;
    const SherpaOnnxOfflineTts* tts;
    int sample_rate;
    int speakers;
    char espeak_voice[64];
    pthread_mutex_t lock; /* one generation at a time on this voice */
    int users;
    struct Voice* next;
} Voice;

static pthread_mutex_t g_cache_lock = PTHREAD_MUTEX_INITIALIZER;
static Voice* g_voices;
static unsigned long g_loads;

static pthread_mutex_t g_espeak_lock = PTHREAD_MUTEX_INITIALIZER;
static int g_espeak_ready; /* 0 = not tried, 1 = ready, -1 = failed */

/* Reads the espeak voice from the voice's JSON ("espeak": {"voice": "en-us"}); en-us otherwise. */
static void read_espeak_voice(const char* model_dir, char* voice, size_t len) {
    char path[1100];
    FILE* f;
    char buf[8192];
    size_t n;
    const char* p;
    snprintf(voice, len, "en-us");
    snprintf(path, sizeof path, "%s/model.onnx.json", model_dir);
    f = fopen(path, "rb");
    if (f == NULL) return;
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    p = strstr(buf, "\"espeak\"");
    if (p == NULL) return;
    p = strstr(p, "\"voice\"");
    if (p == NULL) return;
    p = strchr(p + 7, '"');
    if (p == NULL) return;
    p++;
    n = 0;
    while (p[n] && p[n] != '"' && n + 1 < len) { voice[n] = p[n]; n++; }
    voice[n] = '\0';
}

static Voice* acquire(const Config* c, char* err, size_t err_len) {
    Voice* v;
    char model[1100], tokens[1100];
    SherpaOnnxOfflineTtsConfig config;
    pthread_mutex_lock(&g_cache_lock);
    for (v = g_voices; v != NULL; v = v->next) {
        if (strcmp(v->model_dir, c->model_dir) == 0 && v->num_threads == c->num_threads && v->noise_scale == c->noise_scale &&
            v->noise_scale_w == c->noise_scale_w && v->length_scale == c->length_scale)
            break;
    }
    if (v == NULL) {
        snprintf(model, sizeof model, "%s/model.onnx", c->model_dir);
        snprintf(tokens, sizeof tokens, "%s/tokens.txt", c->model_dir);
        if (!sk_check_model_file("Piper voice", model, SK_MODEL_ONNX, SK_SPEECH_HINT, err, err_len) ||
            !sk_check_model_file("Piper tokens", tokens, SK_MODEL_TEXT, SK_SPEECH_HINT, err, err_len)) {
            pthread_mutex_unlock(&g_cache_lock);
            return NULL;
        }
        memset(&config, 0, sizeof config);
        config.model.vits.model = model;
        config.model.vits.tokens = tokens;
        config.model.vits.noise_scale = (float)c->noise_scale;
        config.model.vits.noise_scale_w = (float)c->noise_scale_w;
        config.model.vits.length_scale = (float)c->length_scale;
        config.model.num_threads = c->num_threads;
        config.model.provider = "cpu";
        config.max_num_sentences = 1;
        v = calloc(1, sizeof *v);
        if (v == NULL) { pthread_mutex_unlock(&g_cache_lock); snprintf(err, err_len, "out of memory"); return NULL; }
        v->tts = SherpaOnnxCreateOfflineTts(&config);
        if (v->tts == NULL) {
            free(v);
            pthread_mutex_unlock(&g_cache_lock);
            snprintf(err, err_len, "sherpa-onnx could not load the Piper voice '%s' (model.onnx needs the metadata make speech writes); %s", model, SK_SPEECH_HINT);
            return NULL;
        }
        snprintf(v->model_dir, sizeof v->model_dir, "%s", c->model_dir);
        v->num_threads = c->num_threads;
        v->noise_scale = c->noise_scale;
        v->noise_scale_w = c->noise_scale_w;
        v->length_scale = c->length_scale;
        v->sample_rate = SherpaOnnxOfflineTtsSampleRate(v->tts);
        v->speakers = SherpaOnnxOfflineTtsNumSpeakers(v->tts);
        read_espeak_voice(c->model_dir, v->espeak_voice, sizeof v->espeak_voice);
        pthread_mutex_init(&v->lock, NULL);
        v->next = g_voices;
        g_voices = v;
        g_loads += 1;
    }
    v->users += 1;
    pthread_mutex_unlock(&g_cache_lock);
    return v;
}

static void release(Voice* v) {
    pthread_mutex_lock(&g_cache_lock);
    v->users -= 1;
    pthread_mutex_unlock(&g_cache_lock);
}

/* ---- phonemes (espeak-ng, under its lock) ---- */

static int espeak_ready(char* err, size_t err_len) {
    if (g_espeak_ready == 0) {
        int rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, NULL, espeakINITIALIZE_DONT_EXIT);
        g_espeak_ready = rate > 0 ? 1 : -1;
    }
    if (g_espeak_ready < 0) {
        snprintf(err, err_len, "espeak-ng could not start (is espeak-ng-data installed? `make speech` installs it)");
        return 0;
    }
    return 1;
}

/* Appends the UTF-8 text's code points to cps. */
static int append_codepoints(const char* utf8, int32_t** cps, size_t* n, size_t* cap) {
    const unsigned char* p = (const unsigned char*)utf8;
    while (*p) {
        uint32_t cp;
        int extra;
        if (*p < 0x80) { cp = *p; extra = 0; }
        else if ((*p & 0xE0) == 0xC0) { cp = *p & 0x1F; extra = 1; }
        else if ((*p & 0xF0) == 0xE0) { cp = *p & 0x0F; extra = 2; }
        else if ((*p & 0xF8) == 0xF0) { cp = *p & 0x07; extra = 3; }
        else { p++; continue; }
        p++;
        while (extra-- > 0) {
            if ((*p & 0xC0) != 0x80) break;
            cp = (cp << 6) | (*p & 0x3F);
            p++;
        }
        if (*n == *cap) {
            size_t grown = *cap ? *cap * 2 : 256;
            int32_t* next = realloc(*cps, grown * sizeof(int32_t));
            if (next == NULL) return 0;
            *cps = next;
            *cap = grown;
        }
        (*cps)[(*n)++] = (int32_t)cp;
    }
    return 1;
}

/* IPA phonemes of one sentence as code points, clause by clause with the clause's punctuation
 * kept (as Piper's own phonemizer does). Returns the count (0 for nothing to say), -1 on error. */
static long phonemize(const char* voice, const char* sentence, int32_t** cps, char* err, size_t err_len) {
    size_t n = 0, cap = 0;
    const void* cursor = sentence;
    const char* previous = sentence;
    pthread_mutex_lock(&g_espeak_lock);
    if (!espeak_ready(err, err_len)) { pthread_mutex_unlock(&g_espeak_lock); return -1; }
    if (espeak_SetVoiceByName(voice) != EE_OK) {
        pthread_mutex_unlock(&g_espeak_lock);
        snprintf(err, err_len, "espeak-ng has no voice '%s'", voice);
        return -1;
    }
    while (cursor != NULL) {
        const char* phonemes = espeak_TextToPhonemes(&cursor, espeakCHARS_UTF8, espeakPHONEMES_IPA);
        const char* end = cursor != NULL ? (const char*)cursor : previous + strlen(previous);
        char punct = 0;
        const char* q = end;
        /* The clause's terminator: the last non-space character espeak consumed. */
        while (q > previous && isspace((unsigned char)q[-1])) q--;
        if (q > previous && strchr(",.;:!?", q[-1]) != NULL) punct = q[-1];
        if (phonemes != NULL && phonemes[0] != '\0') {
            if (n > 0 && !append_codepoints(" ", cps, &n, &cap)) goto oom;
            if (!append_codepoints(phonemes, cps, &n, &cap)) goto oom;
            if (punct) {
                char p[2] = {punct, 0};
                if (!append_codepoints(p, cps, &n, &cap)) goto oom;
            }
        }
        previous = end;
    }
    pthread_mutex_unlock(&g_espeak_lock);
    return (long)n;
oom:
    pthread_mutex_unlock(&g_espeak_lock);
    snprintf(err, err_len, "out of memory");
    return -1;
}

/* ---- one node ---- */

typedef struct Piper {
    Config config;
    Voice* voice;
    SkText buffer; /* text not yet spoken */
    unsigned long long texts;
    unsigned long long sentences;
    CLogCallback log;
    void* log_user_data;
} Piper;

static void default_config(Config* c) {
    memset(c, 0, sizeof *c);
    snprintf(c->model_dir, sizeof c->model_dir, "models/piper-en_US-joe-medium");
    c->speed = 1.0;
    c->num_threads = 1;
    c->min_sentence_length = 10;
    c->noise_scale = 0.667;
    c->noise_scale_w = 0.8;
    c->length_scale = 1.0;
    c->max_text_chars = 4000;
}

static int read_config(const char* json, Config* c, char* err, size_t err_len) {
    double number;
    int r;
    if (sk_param_string(json, "model_dir", c->model_dir, sizeof c->model_dir, err, err_len) < 0) return 0;
    if ((r = sk_param_number(json, "speaker_id", &number, err, err_len)) < 0) return 0;
    if (r > 0) c->speaker_id = (int)number;
    if (sk_param_number(json, "speed", &c->speed, err, err_len) < 0) return 0;
    if ((r = sk_param_number(json, "num_threads", &number, err, err_len)) < 0) return 0;
    if (r > 0) c->num_threads = (int)number;
    if ((r = sk_param_number(json, "min_sentence_length", &number, err, err_len)) < 0) return 0;
    if (r > 0) c->min_sentence_length = (int)number;
    if (sk_param_number(json, "noise_scale", &c->noise_scale, err, err_len) < 0) return 0;
    if (sk_param_number(json, "noise_scale_w", &c->noise_scale_w, err, err_len) < 0) return 0;
    if (sk_param_number(json, "length_scale", &c->length_scale, err, err_len) < 0) return 0;
    if ((r = sk_param_number(json, "max_text_chars", &number, err, err_len)) < 0) return 0;
    if (r > 0) c->max_text_chars = (int)number;
    if (!(c->speed >= 0.25 && c->speed <= 4)) { snprintf(err, err_len, "speed must be 0.25…4"); return 0; }
    if (c->num_threads < 1 || c->num_threads > 64) { snprintf(err, err_len, "num_threads must be 1…64"); return 0; }
    if (c->speaker_id < 0) { snprintf(err, err_len, "speaker_id must not be negative"); return 0; }
    if (c->max_text_chars < 1) { snprintf(err, err_len, "max_text_chars must be at least 1"); return 0; }
    if (!(c->length_scale > 0)) { snprintf(err, err_len, "length_scale must be positive"); return 0; }
    return 1;
}

static const CNodeMetadata* piper_get_metadata(void) { return &k_metadata; }

static CPluginHandle piper_create(const char* params_json, CLogCallback log, void* log_user_data) {
    Config config;
    char err[1536];
    Piper* p;
    default_config(&config);
    if (!read_config(params_json, &config, err, sizeof err)) {
        sk_log(log, log_user_data, LOG_LEVEL_ERROR, TARGET, "plugin::native::piper: %s", err);
        return NULL;
    }
    p = calloc(1, sizeof *p);
    if (p == NULL) return NULL;
    p->config = config;
    p->log = log;
    p->log_user_data = log_user_data;
    p->voice = acquire(&config, err, sizeof err);
    if (p->voice == NULL) {
        sk_log(log, log_user_data, LOG_LEVEL_ERROR, TARGET, "plugin::native::piper: %s", err);
        free(p);
        return NULL;
    }
    if (config.speaker_id >= p->voice->speakers && p->voice->speakers > 0) {
        sk_log(log, log_user_data, LOG_LEVEL_ERROR, TARGET, "plugin::native::piper: speaker_id %d is out of range (the voice has %d speaker(s))",
               config.speaker_id, p->voice->speakers);
        release(p->voice);
        free(p);
        return NULL;
    }
    if (p->voice->sample_rate != 22050) {
        sk_log(log, log_user_data, LOG_LEVEL_WARN, TARGET, "piper: the voice speaks at %d Hz, not the 22050 Hz this node declares", p->voice->sample_rate);
    }
    sk_log(log, log_user_data, LOG_LEVEL_INFO, TARGET, "piper ready (%s, %d Hz, espeak voice %s; voice loads in this process: %lu)", config.model_dir,
           p->voice->sample_rate, p->voice->espeak_voice, g_loads);
    return p;
}

static double monotonic_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Speaks one sentence and sends its audio; a `tts.sentence` telemetry event says what was made. */
static CResult speak(Piper* p, const char* sentence, COutputCallback out_cb, void* out_ud, CTelemetryCallback tel_cb, void* tel_ud) {
    double started = monotonic_ms();
    int32_t* cps = NULL;
    int32_t len;
    long count;
    char err[512];
    SherpaOnnxGenerationConfig gen;
    const SherpaOnnxGeneratedAudio* audio;
    CResult result = CResult_success();
    count = phonemize(p->voice->espeak_voice, sentence, &cps, err, sizeof err);
    if (count < 0) { free(cps); return sk_error("piper: %s", err); }
    if (count == 0) { free(cps); return result; } /* nothing pronounceable (punctuation only) */
    len = (int32_t)count;
    memset(&gen, 0, sizeof gen);
    gen.sid = p->config.speaker_id;
    gen.speed = (float)p->config.speed;
    gen.silence_scale = 0.2f;
    gen.phoneme_codepoints = cps;
    gen.phoneme_codepoints_lens = &len;
    gen.phoneme_codepoints_num_sentences = 1;
    pthread_mutex_lock(&p->voice->lock);
    audio = SherpaOnnxOfflineTtsGenerateWithConfig(p->voice->tts, sentence, &gen, NULL, NULL);
    pthread_mutex_unlock(&p->voice->lock);
    free(cps);
    if (audio == NULL) return sk_error("piper: synthesis failed for a sentence of %zu characters", strlen(sentence));
    if (audio->n > 0 && audio->samples != NULL) {
        CAudioFrame frame;
        CPacket packet;
        frame.sample_rate = (uint32_t)audio->sample_rate;
        frame.channels = 1;
        frame.samples = audio->samples;
        frame.sample_count = (size_t)audio->n;
        packet.packet_type = PACKET_TYPE_RAW_AUDIO;
        packet.data = &frame;
        packet.len = sizeof frame;
        result = out_cb("out", &packet, out_ud);
    }
    p->sentences += 1;
    if (tel_cb != NULL) {
        char json[192];
        int n = snprintf(json, sizeof json, "{\"sentence\":%llu,\"characters\":%zu,\"audio_ms\":%lld,\"synthesis_ms\":%.1f}", p->sentences,
                         strlen(sentence), audio->sample_rate > 0 ? (long long)audio->n * 1000 / audio->sample_rate : 0LL, monotonic_ms() - started);
        if (n > 0 && (size_t)n < sizeof json) tel_cb("tts.sentence", (const uint8_t*)json, (size_t)n, NULL, tel_ud);
    }
    SherpaOnnxDestroyOfflineTtsGeneratedAudio(audio);
    return result;
}

/* Length of the first complete sentence in text (through its terminator and spaces), 0 if none.
 * A sentence ends at . ! ? or a newline followed by whitespace or the end of the buffer. */
static size_t sentence_end(const char* text, size_t len, int at_end, size_t min_length) {
    size_t i;
    for (i = 0; i < len; i++) {
        char c = text[i];
        int terminator = c == '.' || c == '!' || c == '?' || c == '\n';
        if (!terminator) continue;
        if (i + 1 < len ? isspace((unsigned char)text[i + 1]) : at_end || c == '\n' || c == '.' || c == '!' || c == '?') {
            size_t end = i + 1;
            if (end < min_length && i + 1 < len) continue; /* too short: wait for more */
            while (end < len && isspace((unsigned char)text[end])) end++;
            return end;
        }
    }
    return 0;
}

static int is_blank(const char* text, size_t len) {
    size_t i;
    for (i = 0; i < len; i++)
        if (!isspace((unsigned char)text[i])) return 0;
    return 1;
}

/* Speaks every complete sentence in the buffer (all of it when at_end). */
static CResult speak_buffer(Piper* p, int at_end, COutputCallback out_cb, void* out_ud, CTelemetryCallback tel_cb, void* tel_ud) {
    CResult result = CResult_success();
    size_t consumed = 0;
    for (;;) {
        const char* rest = p->buffer.data + consumed;
        size_t rest_len = p->buffer.len - consumed;
        size_t end;
        char* sentence;
        if (rest_len == 0) break;
        end = sentence_end(rest, rest_len, at_end, (size_t)p->config.min_sentence_length);
        if (end == 0) {
            if (!at_end) break;
            end = rest_len;
        }
        if (!is_blank(rest, end)) {
            sentence = malloc(end + 1);
            if (sentence == NULL) return sk_error("piper: out of memory");
            memcpy(sentence, rest, end);
            sentence[end] = '\0';
            result = speak(p, sentence, out_cb, out_ud, tel_cb, tel_ud);
            free(sentence);
        }
        consumed += end;
        if (!result.success) break;
    }
    if (consumed > 0) {
        memmove(p->buffer.data, p->buffer.data + consumed, p->buffer.len - consumed);
        p->buffer.len -= consumed;
        p->buffer.data[p->buffer.len] = '\0';
    }
    return result;
}

static CResult piper_process(CPluginHandle handle, const char* input_pin, const CPacket* packet, COutputCallback out_cb, void* out_ud,
                             CTelemetryCallback tel_cb, void* tel_ud) {
    Piper* p = handle;
    const char* text;
    size_t len;
    (void)input_pin;
    if (p == NULL || packet == NULL) return sk_error("piper: null argument");
    if (packet->packet_type != PACKET_TYPE_TEXT) return sk_error("plugin::native::piper accepts Text only");
    text = packet->data != NULL ? packet->data : "";
    len = strlen(text);
    if (is_blank(text, len)) {
        return sk_error("plugin::native::piper received empty text: there is nothing to speak (send text with words)");
    }
    if (p->buffer.len + len > (size_t)p->config.max_text_chars) {
        return sk_error("plugin::native::piper received %zu characters of text, more than max_text_chars (%d); split long text into sentences "
                        "(core::text_chunker) or raise max_text_chars",
                        p->buffer.len + len, p->config.max_text_chars);
    }
    sk_text_append(&p->buffer, text, len);
    if (p->buffer.failed) return sk_error("piper: out of memory");
    p->texts += 1;
    /* Between packets a word boundary is a space; text_chunker trims its chunks. */
    if (len > 0 && !isspace((unsigned char)text[len - 1])) sk_text_append(&p->buffer, " ", 1);
    return speak_buffer(p, 0, out_cb, out_ud, tel_cb, tel_ud);
}

static CResult piper_update(CPluginHandle handle, const char* params_json) {
    Piper* p = handle;
    Config next;
    char err[1536];
    if (p == NULL) return sk_error("piper: null handle");
    next = p->config;
    if (!read_config(params_json, &next, err, sizeof err)) return sk_error("piper: %s", err);
    if (strcmp(next.model_dir, p->config.model_dir) != 0 || next.num_threads != p->config.num_threads ||
        next.noise_scale != p->config.noise_scale || next.noise_scale_w != p->config.noise_scale_w || next.length_scale != p->config.length_scale) {
        return sk_error("piper: model_dir, num_threads and the noise/length scales cannot change while the node runs; recreate the node");
    }
    p->config = next; /* speaker_id, speed, min_sentence_length, max_text_chars */
    return CResult_success();
}

static CResult piper_flush(CPluginHandle handle, COutputCallback out_cb, void* out_ud, CTelemetryCallback tel_cb, void* tel_ud) {
    Piper* p = handle;
    if (p == NULL) return sk_error("piper: null handle");
    if (p->texts == 0) return sk_error("plugin::native::piper got no text before its input ended: there was nothing to speak");
    return speak_buffer(p, 1, out_cb, out_ud, tel_cb, tel_ud);
}

static void piper_destroy(CPluginHandle handle) {
    Piper* p = handle;
    if (p == NULL) return;
    if (p->voice != NULL) release(p->voice);
    sk_text_free(&p->buffer);
    free(p);
}

static const CNativePluginAPI k_api = {
    STREAMKIT_NATIVE_PLUGIN_API_VERSION, piper_get_metadata, piper_create, piper_process, piper_update, piper_flush, piper_destroy,
};

STREAMKIT_PLUGIN_ENTRY(&k_api)
