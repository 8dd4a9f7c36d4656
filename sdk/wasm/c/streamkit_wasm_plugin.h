/*
 * StreamKit WASM plugin SDK for C — world streamkit:plugin@0.1.0 (wit/plugin.wit).
 *
 * A plugin is a C file that defines the five functions at the end of this header
 * (sk_plugin_metadata, sk_plugin_create, sk_plugin_process, sk_plugin_update_params,
 * sk_plugin_destroy) and is linked with streamkit_wasm_plugin.c, which holds the canonical-ABI
 * glue: the core exports and imports of the component, cabi_realloc and the post-return
 * functions. Build it with zig (wasm32-wasi, reactor), embed wit/ with
 * `wasm-tools component embed wit --world plugin`, then `wasm-tools component new`
 * (see sdk/wasm/README.md and examples/plugins/gain-wasm-c).
 *
 * Threading: a component instance is single-threaded; the host never calls in concurrently.
 * Every node of a pipeline gets its own component instance (its own linear memory).
 */
#ifndef STREAMKIT_WASM_PLUGIN_H
#define STREAMKIT_WASM_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- types (interface streamkit:plugin/types) — values are the WIT case indices ---- */

typedef enum {
    SK_SAMPLE_FLOAT32 = 0,
    SK_SAMPLE_S16_LE = 1,
} sk_sample_format;

typedef enum {
    SK_TYPE_RAW_AUDIO = 0,
    SK_TYPE_OPUS_AUDIO = 1,
    SK_TYPE_TEXT = 2,
    SK_TYPE_BINARY = 3,
    SK_TYPE_CUSTOM = 4,
    SK_TYPE_ANY = 5,
} sk_packet_type_kind;

/* A pin type. For SK_TYPE_RAW_AUDIO the audio fields apply (0 = any rate / channel count);
 * for SK_TYPE_CUSTOM, custom_type_id names the type. */
typedef struct {
    sk_packet_type_kind kind;
    uint32_t sample_rate;
    uint16_t channels;
    sk_sample_format sample_format;
    const char *custom_type_id;
} sk_packet_type;

typedef struct {
    const char *name;
    const sk_packet_type *accepts;
    size_t accepts_count;
} sk_input_pin;

typedef struct {
    const char *name;
    sk_packet_type produces;
} sk_output_pin;

/* Returned by sk_plugin_metadata. All strings are NUL-terminated; the glue copies nothing and
 * frees nothing of it, so static data is the natural choice. param_schema must be valid JSON. */
typedef struct {
    const char *kind; /* without namespace: the host registers "plugin::wasm::<kind>" */
    const sk_input_pin *inputs;
    size_t input_count;
    const sk_output_pin *outputs;
    size_t output_count;
    const char *param_schema;
    const char *const *categories;
    size_t category_count;
} sk_node_metadata;

typedef enum {
    SK_PACKET_AUDIO = 0,
    SK_PACKET_TEXT = 1,
    SK_PACKET_BINARY = 2,
    SK_PACKET_CUSTOM = 3,
} sk_packet_kind;

typedef enum {
    SK_CUSTOM_JSON = 0,
} sk_custom_encoding;

/* A packet handed to sk_plugin_process. Its memory belongs to the glue and is freed when
 * sk_plugin_process returns: copy what you want to keep. Audio samples may be modified in
 * place (and then sent on). Strings are NUL-terminated (the length excludes the NUL). */
typedef struct {
    sk_packet_kind kind;
    union {
        struct {
            uint32_t sample_rate;
            uint16_t channels;
            float *samples;        /* interleaved */
            size_t sample_count;   /* total samples over all channels */
        } audio;
        struct {
            const char *data;
            size_t len;
        } text;
        struct {
            const uint8_t *data;
            size_t len;
        } binary;
        struct {
            const char *type_id;
            size_t type_id_len;
            sk_custom_encoding encoding;
            const char *data;      /* JSON text */
            size_t data_len;
        } custom;
    } u;
} sk_packet;

/* ---- host functions (interface streamkit:plugin/host) ---- */

typedef enum {
    SK_LOG_DEBUG = 0,
    SK_LOG_INFO = 1,
    SK_LOG_WARN = 2,
    SK_LOG_ERROR = 3,
} sk_log_level;

/* The output side of one process call. Valid only during that call. */
typedef struct sk_output sk_output;

/* Send a packet on an output pin. Returns NULL on success, or the host's error message, which
 * stays valid until the next send on this output or the end of the process call. The packet's
 * memory is only read during the call. */
const char *sk_send(sk_output *out, const char *pin, const sk_packet *packet);
const char *sk_send_audio(sk_output *out, const char *pin, uint32_t sample_rate, uint16_t channels,
                          const float *samples, size_t sample_count);
const char *sk_send_text(sk_output *out, const char *pin, const char *text);
const char *sk_send_binary(sk_output *out, const char *pin, const uint8_t *data, size_t len);
const char *sk_send_custom(sk_output *out, const char *pin, const char *type_id, const char *json);

/* Log through the server's log (printf-style; the message is cut at 1023 bytes). */
void sk_log(sk_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Format an error message into a buffer owned by the glue, for returning from
 * sk_plugin_process / sk_plugin_update_params (cut at 1023 bytes; overwritten by the next call). */
const char *sk_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- what the plugin defines ---- */

/* Static description of the node. Called once per metadata() call; the result must stay valid. */
const sk_node_metadata *sk_plugin_metadata(void);

/* Create an instance. params_json is the parameters as NUL-terminated JSON text, or NULL when
 * the node has none; like every string the glue hands you, it is freed when the call returns. Return a non-NULL pointer of your choosing. The WIT constructor cannot
 * fail, so returning NULL makes the glue trap (the host then reports a construct error). */
void *sk_plugin_create(const char *params_json);

/* Handle one packet arriving on input_pin. Return NULL on success or an error message (static,
 * or from sk_errorf; the glue copies it). An error stops the node. */
const char *sk_plugin_process(void *instance, const char *input_pin, sk_packet *packet, sk_output *out);

/* New parameters while running (params_json may be NULL). Return NULL or an error message; an
 * error stops the node. */
const char *sk_plugin_update_params(void *instance, const char *params_json);

/* Free the instance. Called exactly once: from the WIT cleanup() when the node ends normally,
 * otherwise from the resource destructor if the host drops the handle (a host need not do
 * either, e.g. on error exits the whole component instance is simply discarded). After it, the
 * glue answers process/update-params with an error without calling you. */
void sk_plugin_destroy(void *instance);

#ifdef __cplusplus
}
#endif

#endif /* STREAMKIT_WASM_PLUGIN_H */
