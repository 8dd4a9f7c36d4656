/*
 * speech-bench — runs one StreamKit native plugin outside the server, the way the host calls it
 * (create_instance, process_packet per 20 ms frame or per text, flush, destroy), and reports its
 * real-time factor, load time and peak memory. Built by `make speech` into .build-speech/.
 *
 *   speech-bench PLUGIN.so PARAMS_JSON --wav FILE [--no-resample] [-o OUT.wav] [-q]
 *   speech-bench PLUGIN.so PARAMS_JSON --text "Some sentences." [-o OUT.wav] [-q]
 *   ... [--instances N]   also create N-1 more instances first and print the resident memory
 *                         after each (what one more node sharing the model costs)
 *
 * WAV input (16-bit PCM, any rate, mono or first channel) is linearly resampled to 16 kHz mono
 * unless --no-resample. RTF = processing time / audio duration (input audio for VAD and STT,
 * output audio for TTS).
 */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "streamkit_plugin.h"

static int g_quiet;
static double g_input_at; /* seconds of input given so far */
static size_t g_out_samples;
static unsigned g_out_rate;
static float* g_out;
static size_t g_out_cap;

/* Current resident set size in MB (from /proc/self/statm). */
static double rss_mb(void) {
    FILE* f = fopen("/proc/self/statm", "r");
    long pages = 0, resident = 0;
    if (f == NULL) return 0;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    fclose(f);
    return (double)resident * 4096.0 / (1024.0 * 1024.0);
}

/* CPU time (user + system) of the whole process, all threads, in seconds. */
static double cpu_seconds(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec / 1e6 + (double)usage.ru_stime.tv_sec + (double)usage.ru_stime.tv_usec / 1e6;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_log(CLogLevel level, const char* target, const char* message, void* user_data) {
    (void)user_data;
    if (!g_quiet || level >= LOG_LEVEL_WARN) fprintf(stderr, "[%s %d] %s\n", target ? target : "?", (int)level, message ? message : "");
}

static CResult on_output(const char* pin, const CPacket* packet, void* user_data) {
    CResult ok = {true, NULL};
    (void)user_data;
    switch (packet->packet_type) {
    case PACKET_TYPE_RAW_AUDIO: {
        const CAudioFrame* frame = packet->data;
        if (g_out_samples + frame->sample_count > g_out_cap) {
            size_t cap = g_out_cap ? g_out_cap * 2 : 1 << 16;
            while (cap < g_out_samples + frame->sample_count) cap *= 2;
            g_out = realloc(g_out, cap * sizeof(float));
            if (g_out == NULL) { fprintf(stderr, "out of memory\n"); exit(1); }
            g_out_cap = cap;
        }
        memcpy(g_out + g_out_samples, frame->samples, frame->sample_count * sizeof(float));
        g_out_samples += frame->sample_count;
        g_out_rate = frame->sample_rate;
        if (!g_quiet) printf("%s: audio %zu samples at %u Hz (%.3f s)\n", pin, frame->sample_count, frame->sample_rate, (double)frame->sample_count / frame->sample_rate);
        break;
    }
    case PACKET_TYPE_TRANSCRIPTION:
        printf("%s: at input %.2f s (wall %.2f): transcription %.*s\n", pin, g_input_at, now(), (int)packet->len, (const char*)packet->data);
        break;
    case PACKET_TYPE_CUSTOM: {
        const CCustomPacket* custom = packet->data;
        printf("%s: at input %.2f s: custom %s %.*s\n", pin, g_input_at, custom->type_id, (int)custom->data_len, (const char*)custom->data_json);
        break;
    }
    case PACKET_TYPE_TEXT:
        printf("%s: text %s\n", pin, (const char*)packet->data);
        break;
    default:
        printf("%s: packet type %d\n", pin, (int)packet->packet_type);
    }
    return ok;
}

static CResult on_telemetry(const char* event_type, const uint8_t* data, size_t len, const CPacketMetadata* meta, void* user_data) {
    CResult ok = {true, NULL};
    (void)meta; (void)user_data;
    if (!g_quiet) printf("telemetry %s %.*s\n", event_type, (int)len, (const char*)data);
    return ok;
}

static unsigned rd16(const unsigned char* p) { return (unsigned)p[0] | (unsigned)p[1] << 8; }
static unsigned long rd32(const unsigned char* p) { return (unsigned long)p[0] | (unsigned long)p[1] << 8 | (unsigned long)p[2] << 16 | (unsigned long)p[3] << 24; }

static float* read_wav(const char* path, size_t* frames, unsigned* rate) {
    FILE* f = fopen(path, "rb");
    unsigned char* bytes;
    long size;
    size_t off = 12;
    unsigned channels = 1, bits = 16;
    if (f == NULL) { perror(path); return NULL; }
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);
    bytes = malloc((size_t)size);
    if (bytes == NULL || fread(bytes, 1, (size_t)size, f) != (size_t)size) { fclose(f); return NULL; }
    fclose(f);
    while (off + 8 <= (size_t)size) {
        unsigned long chunk = rd32(bytes + off + 4);
        if (memcmp(bytes + off, "fmt ", 4) == 0) {
            channels = rd16(bytes + off + 10);
            *rate = (unsigned)rd32(bytes + off + 12);
            bits = rd16(bytes + off + 22);
        } else if (memcmp(bytes + off, "data", 4) == 0) {
            size_t avail = (size_t)size - off - 8;
            size_t n, i;
            float* out;
            if (chunk > avail || chunk == 0xFFFFFFFFul) chunk = avail; /* streamed WAVs (espeak-ng --stdout) */
            if (bits != 16) { fprintf(stderr, "only 16-bit WAV\n"); return NULL; }
            n = chunk / (2 * channels);
            out = malloc(n * sizeof(float) + 1);
            for (i = 0; i < n; i++) out[i] = (float)(short)rd16(bytes + off + 8 + i * 2 * channels) / 32768.0f;
            *frames = n;
            free(bytes);
            return out;
        }
        off += 8 + chunk + (chunk & 1);
    }
    fprintf(stderr, "%s: no data chunk\n", path);
    return NULL;
}

static float* resample(const float* in, size_t n, unsigned from, unsigned to, size_t* out_n) {
    size_t m = (size_t)((double)n * to / from), i;
    float* out = malloc(m * sizeof(float) + 1);
    for (i = 0; i < m; i++) {
        double pos = (double)i * from / to;
        size_t a = (size_t)pos;
        double t = pos - (double)a;
        float x = in[a < n ? a : n - 1], y = in[a + 1 < n ? a + 1 : n - 1];
        out[i] = (float)(x + (y - x) * t);
    }
    *out_n = m;
    return out;
}

static void write_wav(const char* path, const float* s, size_t n, unsigned rate) {
    FILE* f = fopen(path, "wb");
    unsigned char h[44];
    size_t i;
    unsigned long data = (unsigned long)n * 2;
    if (f == NULL) { perror(path); return; }
    memcpy(h, "RIFF", 4);
    h[4] = (unsigned char)(data + 36); h[5] = (unsigned char)((data + 36) >> 8); h[6] = (unsigned char)((data + 36) >> 16); h[7] = (unsigned char)((data + 36) >> 24);
    memcpy(h + 8, "WAVEfmt ", 8);
    h[16] = 16; h[17] = h[18] = h[19] = 0; h[20] = 1; h[21] = 0; h[22] = 1; h[23] = 0;
    h[24] = (unsigned char)rate; h[25] = (unsigned char)(rate >> 8); h[26] = (unsigned char)(rate >> 16); h[27] = 0;
    h[28] = (unsigned char)(rate * 2); h[29] = (unsigned char)((rate * 2) >> 8); h[30] = (unsigned char)((rate * 2) >> 16); h[31] = 0;
    h[32] = 2; h[33] = 0; h[34] = 16; h[35] = 0;
    memcpy(h + 36, "data", 4);
    h[40] = (unsigned char)data; h[41] = (unsigned char)(data >> 8); h[42] = (unsigned char)(data >> 16); h[43] = (unsigned char)(data >> 24);
    fwrite(h, 1, 44, f);
    for (i = 0; i < n; i++) {
        float v = s[i] > 1 ? 1 : s[i] < -1 ? -1 : s[i];
        short q = (short)(v * 32767);
        fputc(q & 0xFF, f);
        fputc((q >> 8) & 0xFF, f);
    }
    fclose(f);
}

int main(int argc, char** argv) {
    const char *plugin, *params, *wav = NULL, *text = NULL, *out_path = NULL;
    int resample16k = 1, i, instances = 1;
    CPluginHandle extra[64];
    double rss_before;
    void* lib;
    const CNativePluginAPI* (*entry)(void);
    const CNativePluginAPI* api;
    CPluginHandle handle;
    double t0, t_create, t_process = 0, input_seconds = 0, cpu_start;
    CResult r;
    struct rusage usage;
    if (argc < 5) {
        fprintf(stderr, "usage: %s PLUGIN.so PARAMS_JSON (--wav FILE [--no-resample] | --text TEXT) [-o OUT.wav] [-q]\n", argv[0]);
        return 2;
    }
    plugin = argv[1];
    params = argv[2];
    for (i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--wav") == 0 && i + 1 < argc) wav = argv[++i];
        else if (strcmp(argv[i], "--text") == 0 && i + 1 < argc) text = argv[++i];
        else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) out_path = argv[++i];
        else if (strcmp(argv[i], "--no-resample") == 0) resample16k = 0;
        else if (strcmp(argv[i], "-q") == 0) g_quiet = 1;
        else if (strcmp(argv[i], "--instances") == 0 && i + 1 < argc) instances = atoi(argv[++i]);
        else { fprintf(stderr, "unknown argument %s\n", argv[i]); return 2; }
    }
    lib = dlopen(plugin, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) { fprintf(stderr, "%s\n", dlerror()); return 1; }
    *(void**)&entry = dlsym(lib, STREAMKIT_NATIVE_PLUGIN_ENTRY_SYMBOL);
    if (entry == NULL) { fprintf(stderr, "no entry symbol\n"); return 1; }
    api = entry();
    rss_before = rss_mb();
    t0 = now();
    handle = api->create_instance(params, on_log, NULL);
    t_create = now() - t0;
    if (handle == NULL) { fprintf(stderr, "create_instance failed\n"); return 1; }
    if (instances < 1) instances = 1;
    if (instances > 64) instances = 64;
    printf("memory: %.1f MB before the first instance, %.1f MB after it\n", rss_before, rss_mb());
    for (i = 1; i < instances; i++) {
        double before = rss_mb();
        extra[i] = api->create_instance(params, on_log, NULL);
        if (extra[i] == NULL) { fprintf(stderr, "create_instance %d failed\n", i + 1); return 1; }
        printf("memory: instance %d adds %.1f MB (%.1f MB resident)\n", i + 1, rss_mb() - before, rss_mb());
    }
    cpu_start = cpu_seconds();
    if (wav != NULL) {
        size_t n = 0, pos;
        unsigned rate = 0;
        float* samples = read_wav(wav, &n, &rate);
        CAudioFrame frame;
        CPacket packet;
        if (samples == NULL) return 1;
        if (resample16k && rate != 16000) {
            size_t m;
            float* r16 = resample(samples, n, rate, 16000, &m);
            free(samples);
            samples = r16;
            n = m;
            rate = 16000;
        }
        input_seconds = (double)n / rate;
        for (pos = 0; pos < n; pos += rate / 50) {
            size_t count = n - pos < rate / 50 ? n - pos : rate / 50;
            frame.sample_rate = rate;
            frame.channels = 1;
            frame.samples = samples + pos;
            frame.sample_count = count;
            packet.packet_type = PACKET_TYPE_RAW_AUDIO;
            packet.data = &frame;
            packet.len = sizeof frame;
            g_input_at = (double)(pos + count) / rate;
            t0 = now();
            r = api->process_packet(handle, "in", &packet, on_output, NULL, on_telemetry, NULL);
            t_process += now() - t0;
            if (!r.success) { fprintf(stderr, "process_packet failed: %s\n", r.error_message ? r.error_message : "?"); return 1; }
        }
    } else if (text != NULL) {
        CPacket packet;
        packet.packet_type = PACKET_TYPE_TEXT;
        packet.data = text;
        packet.len = strlen(text) + 1;
        t0 = now();
        r = api->process_packet(handle, "in", &packet, on_output, NULL, on_telemetry, NULL);
        t_process += now() - t0;
        if (!r.success) { fprintf(stderr, "process_packet failed: %s\n", r.error_message ? r.error_message : "?"); return 1; }
    }
    t0 = now();
    r = api->flush(handle, on_output, NULL, on_telemetry, NULL);
    t_process += now() - t0;
    if (!r.success) { fprintf(stderr, "flush failed: %s\n", r.error_message ? r.error_message : "?"); return 1; }
    {
        double cpu = cpu_seconds() - cpu_start;
        getrusage(RUSAGE_SELF, &usage);
        if (text != NULL) input_seconds = g_out_rate ? (double)g_out_samples / g_out_rate : 0;
        printf("bench: load %.3f s, processing %.3f s wall / %.3f s CPU for %.3f s of audio, RTF %.4f (wall) %.4f (CPU), peak RSS %ld MB\n", t_create,
               t_process, cpu, input_seconds, input_seconds > 0 ? t_process / input_seconds : 0.0, input_seconds > 0 ? cpu / input_seconds : 0.0,
               usage.ru_maxrss / 1024);
    }
    if (out_path != NULL && g_out_samples > 0) write_wav(out_path, g_out, g_out_samples, g_out_rate);
    api->destroy_instance(handle);
    for (i = 1; i < instances; i++) api->destroy_instance(extra[i]);
    return 0;
}
