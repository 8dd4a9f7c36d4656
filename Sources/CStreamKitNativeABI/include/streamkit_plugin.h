/*
 * streamkit_plugin.h — StreamKit native plugin C ABI, API version 2.
 *
 * This header is the single source of truth for the native plugin ABI. The
 * StreamKit host (Swift) imports it as the clang module `CStreamKitNativeABI`,
 * and plugin authors include the very same file from `sdk/c/streamkit_plugin.h`.
 *
 * It is binary compatible with the original StreamKit ABI v2: same struct
 * layouts, field order, enum values and function signatures. Unlike the
 * original example C header it declares the telemetry callback and gives
 * `process_packet` its full 7 parameters and `flush` its full 5 parameters,
 * which is what the host actually passes. (A plugin compiled against the old
 * 5/3-parameter prototypes still works, because the extra trailing arguments
 * are ignored under the SysV and AAPCS64 calling conventions, but it cannot
 * emit telemetry.)
 *
 * Requirements: C99 or later, LP64 target (x86_64 / aarch64, Linux or macOS).
 * Only <stdint.h>, <stddef.h> and <stdbool.h> are used.
 *
 * General conventions
 * - Every enum is a C `int` (4 bytes); `bool` is C99 `_Bool` (1 byte);
 *   `size_t` and pointers are 8 bytes.
 * - Strings are NUL-terminated UTF-8 unless a separate length is given.
 * - "Borrowed" means: valid only for the duration of the call that received
 *   it; the receiver must copy anything it wants to keep and must never free it.
 *
 * Loading sequence performed by the host
 *   1. dlopen(RTLD_NOW | RTLD_LOCAL) a private copy of the library (missing symbols fail here).
 *   2. dlsym(STREAMKIT_NATIVE_PLUGIN_ENTRY_SYMBOL) — a FUNCTION, not data.
 *   3. Call it once. NULL is a load error.
 *   4. `api->version` must equal STREAMKIT_NATIVE_PLUGIN_API_VERSION exactly.
 *   5. Call `get_metadata()` exactly once and deep-copy the result.
 *
 * Threading
 * - One plugin instance per pipeline node. Calls on one instance
 *   (process_packet, update_params, flush) are strictly serialised, but
 *   consecutive calls may run on different OS threads.
 * - Different instances run concurrently: plugin globals must be thread-safe.
 * - Output and telemetry callbacks are valid only during the call that
 *   received them, and only on that thread.
 * - The log callback may be called from any thread at any time.
 */
#pragma once
#ifndef STREAMKIT_PLUGIN_H
#define STREAMKIT_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The ABI version. The host accepts a plugin only if `CNativePluginAPI.version` equals this. */
#define STREAMKIT_NATIVE_PLUGIN_API_VERSION 2

/** Name of the exported entry function (see `StreamKitNativePluginAPIFn`). */
#define STREAMKIT_NATIVE_PLUGIN_ENTRY_SYMBOL "streamkit_native_plugin_api"

/** Marks a symbol as exported from the plugin shared library. */
#if defined(_WIN32) || defined(__CYGWIN__)
#define STREAMKIT_PLUGIN_EXPORT __declspec(dllexport)
#elif defined(__GNUC__) || defined(__clang__)
#define STREAMKIT_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define STREAMKIT_PLUGIN_EXPORT
#endif

/* ------------------------------------------------------------------------- */
/* Enums (numeric values are part of the ABI; each is a 4-byte C int)        */
/* ------------------------------------------------------------------------- */

/** Log severity passed to `CLogCallback`. */
typedef enum CLogLevel {
    LOG_LEVEL_TRACE = 0,
    LOG_LEVEL_DEBUG = 1,
    LOG_LEVEL_INFO = 2,
    LOG_LEVEL_WARN = 3,
    LOG_LEVEL_ERROR = 4
} CLogLevel;

/** Sample format of an audio pin. Audio frames crossing the ABI are always f32. */
typedef enum CSampleFormat {
    SAMPLE_FORMAT_F32 = 0,
    SAMPLE_FORMAT_S16LE = 1
} CSampleFormat;

/**
 * Packet type discriminant, used both in `CPacket` and in pin type info.
 * OPUS_AUDIO, ANY and PASSTHROUGH only appear in pin type info; the host never
 * sends them as packets and rejects them from the output callback
 * (Opus frames travel as BINARY at runtime).
 */
typedef enum CPacketType {
    PACKET_TYPE_RAW_AUDIO = 0,
    PACKET_TYPE_OPUS_AUDIO = 1,
    PACKET_TYPE_TEXT = 2,
    PACKET_TYPE_TRANSCRIPTION = 3,
    PACKET_TYPE_CUSTOM = 4,
    PACKET_TYPE_BINARY = 5,
    PACKET_TYPE_ANY = 6,
    PACKET_TYPE_PASSTHROUGH = 7
} CPacketType;

/** Encoding of a custom packet's payload. */
typedef enum CCustomEncoding {
    CUSTOM_ENCODING_JSON = 0
} CCustomEncoding;

/* ------------------------------------------------------------------------- */
/* Structs (sizes/offsets are for LP64; see the static checks at the end)    */
/* ------------------------------------------------------------------------- */

/**
 * Result of a fallible call, returned BY VALUE (16 bytes, align 8).
 *
 * `error_message` is NULL on success. On failure it may be NULL or point to a
 * message. When a plugin returns it, the plugin owns it: it must stay valid
 * until the call returns (the host copies it immediately and never frees it);
 * static strings or a thread-local buffer are fine. Host callbacks currently
 * always return `error_message = NULL`.
 */
typedef struct CResult {
    bool success;
    const char* error_message;
} CResult;

/** Audio format of a pin (12 bytes, align 4). 0 in `sample_rate`/`channels` is a wildcard. */
typedef struct CAudioFormat {
    uint32_t sample_rate;
    uint16_t channels;
    CSampleFormat sample_format;
} CAudioFormat;

/**
 * A frame of interleaved f32 audio (24 bytes, align 8). `sample_count` is the
 * total number of samples across all channels. `samples` must be non-NULL,
 * even when `sample_count` is 0. Audio metadata does not cross the ABI.
 */
typedef struct CAudioFrame {
    uint32_t sample_rate;
    uint16_t channels;
    const float* samples;
    size_t sample_count;
} CAudioFrame;

/** Optional packet timing metadata (48 bytes, align 8); each value has its own `has_` flag. */
typedef struct CPacketMetadata {
    uint64_t timestamp_us;
    bool has_timestamp_us;
    uint64_t duration_us;
    bool has_duration_us;
    uint64_t sequence;
    bool has_sequence;
} CPacketMetadata;

/**
 * A custom (typed JSON) packet (40 bytes, align 8).
 * `type_id` is NUL-terminated (e.g. "plugin::native::vad/vad-event@1") and
 * required. `data_json` is UTF-8 JSON of `data_len` bytes, NOT NUL-terminated,
 * required. `metadata` is nullable.
 */
typedef struct CCustomPacket {
    const char* type_id;
    CCustomEncoding encoding;
    const uint8_t* data_json;
    size_t data_len;
    const CPacketMetadata* metadata;
} CCustomPacket;

/**
 * A pin's packet type (24 bytes, align 8).
 * `audio_format` is required (non-NULL) for PACKET_TYPE_RAW_AUDIO and NULL otherwise.
 * `custom_type_id` is required for PACKET_TYPE_CUSTOM and NULL otherwise.
 */
typedef struct CPacketTypeInfo {
    CPacketType type_discriminant;
    const CAudioFormat* audio_format;
    const char* custom_type_id;
} CPacketTypeInfo;

/**
 * A packet crossing the ABI (24 bytes, align 8). What `data` points to:
 * - RAW_AUDIO:     a `CAudioFrame`; `len` = sizeof(CAudioFrame) (ignored by the host on output).
 * - TEXT:          a NUL-terminated UTF-8 string; `len` = byte length INCLUDING the NUL
 *                  (the host reads up to the NUL on output and ignores `len`).
 * - TRANSCRIPTION: UTF-8 JSON of TranscriptionData, `len` bytes, not NUL-terminated.
 * - CUSTOM:        a `CCustomPacket`; `len` = sizeof(CCustomPacket) (ignored on output).
 * - BINARY:        raw bytes, `len` bytes; `data` must be non-NULL even when `len` is 0.
 */
typedef struct CPacket {
    CPacketType packet_type;
    const void* data;
    size_t len;
} CPacket;

/** An input pin (24 bytes). Native plugins effectively support one input, named "in". */
typedef struct CInputPin {
    const char* name;
    const CPacketTypeInfo* accepts_types;
    size_t accepts_types_count;
} CInputPin;

/** An output pin (32 bytes). `produces_type` is embedded by value. */
typedef struct COutputPin {
    const char* name;
    CPacketTypeInfo produces_type;
} COutputPin;

/**
 * Node metadata returned by `get_metadata` (72 bytes).
 * Everything reachable from it is owned by the plugin and must stay valid and
 * unchanged for the life of the library; the host deep-copies it at load.
 * `description` is nullable. `param_schema` is JSON Schema text (NULL or "" means {}).
 * Array pointers should be non-NULL even when their count is 0.
 */
typedef struct CNodeMetadata {
    const char* kind;
    const char* description;
    const CInputPin* inputs;
    size_t inputs_count;
    const COutputPin* outputs;
    size_t outputs_count;
    const char* param_schema;
    const char* const* categories;
    size_t categories_count;
} CNodeMetadata;

/** Opaque per-node instance handle, owned by the plugin until `destroy_instance`. */
typedef void* CPluginHandle;

/* ------------------------------------------------------------------------- */
/* Callbacks (provided by the host)                                          */
/* ------------------------------------------------------------------------- */

/**
 * Log sink. `target` and `message` are borrowed (owned by the plugin for the
 * duration of the call; the host copies them). The host passes
 * `user_data = NULL`. Thread-safe; may be called from any thread at any time.
 */
typedef void (*CLogCallback)(CLogLevel level, const char* target, const char* message, void* user_data);

/**
 * Emits one output packet on `pin_name`. `pin_name`, `packet` and everything
 * `packet` points to are owned by the plugin and need only live for the
 * duration of this call: the host deep-copies before returning, so the plugin
 * may free them right afterwards. Valid only during the process_packet/flush
 * call that supplied it, on the same thread. Returns failure for NULL
 * arguments or an unconvertible packet (which also fails the node).
 */
typedef CResult (*COutputCallback)(const char* pin_name, const CPacket* packet, void* user_data);

/**
 * Emits an out-of-band telemetry event. `event_type` is a NUL-terminated
 * string; `data_json` is `data_len` bytes of UTF-8 JSON, not NUL-terminated
 * (NULL or 0 means {}); `metadata` is nullable (its timestamp, if set, stamps
 * the event). All arguments are borrowed for the duration of the call. Best
 * effort: the host always returns success. Valid only during the call that
 * supplied it. May be NULL in principle; the host always passes non-NULL.
 */
typedef CResult (*CTelemetryCallback)(const char* event_type, const uint8_t* data_json, size_t data_len,
                                      const CPacketMetadata* metadata, void* user_data);

/* ------------------------------------------------------------------------- */
/* Function table                                                            */
/* ------------------------------------------------------------------------- */

/**
 * The plugin's function table (56 bytes). Returned by the entry function; it
 * must stay valid and unchanged for the life of the library (use a static).
 * All function pointers must be non-NULL; the host does not check them.
 */
typedef struct CNativePluginAPI {
    /** Must be STREAMKIT_NATIVE_PLUGIN_API_VERSION (2). */
    uint32_t version;

    /** Called once at load. Result must stay valid for the life of the library. */
    const CNodeMetadata* (*get_metadata)(void);

    /**
     * Creates an instance. `params_json` is NULL when the node has no params,
     * otherwise JSON text (a JSON null is passed as "null"); it is borrowed for
     * the call. `log_cb`/`log_user_data` may be stored and used for the whole
     * life of the instance. Returns NULL on failure (no message is reported).
     */
    CPluginHandle (*create_instance)(const char* params_json, CLogCallback log_cb, void* log_user_data);

    /**
     * Processes one input packet. The host currently always passes "in" as
     * `input_pin`. `packet` and everything it points to are borrowed and
     * read-only for the call. The host passes the same context pointer as
     * `out_user_data` and `tel_user_data`. Outputs emitted through `out_cb`
     * are delivered downstream after this call returns.
     */
    CResult (*process_packet)(CPluginHandle handle, const char* input_pin, const CPacket* packet,
                              COutputCallback out_cb, void* out_user_data,
                              CTelemetryCallback tel_cb, void* tel_user_data);

    /** Updates params; `params_json` is non-NULL JSON text (JSON null is "null"), borrowed. */
    CResult (*update_params)(CPluginHandle handle, const char* params_json);

    /**
     * Called once when the input stream ends normally (never on shutdown or
     * cancellation); may emit final outputs and telemetry.
     */
    CResult (*flush)(CPluginHandle handle, COutputCallback out_cb, void* out_user_data,
                     CTelemetryCallback tel_cb, void* tel_user_data);

    /** Called exactly once, after the last in-flight call on the instance has returned. */
    void (*destroy_instance)(CPluginHandle handle);
} CNativePluginAPI;

/** Type of the exported entry function, for hosts that look it up with dlsym. */
typedef const CNativePluginAPI* (*StreamKitNativePluginAPIFn)(void);

/* ------------------------------------------------------------------------- */
/* Helpers for plugin authors                                                */
/* ------------------------------------------------------------------------- */

/** A successful result. */
static inline CResult CResult_success(void) {
    CResult result;
    result.success = true;
    result.error_message = NULL;
    return result;
}

/** A failed result; `message` must outlive the call (e.g. a static string). */
static inline CResult CResult_error(const char* message) {
    CResult result;
    result.success = false;
    result.error_message = message;
    return result;
}

/**
 * Defines the exported entry function `streamkit_native_plugin_api`, returning
 * `api_ptr` (a pointer to a static `CNativePluginAPI`). Use once per plugin.
 */
#define STREAMKIT_PLUGIN_ENTRY(api_ptr)                                                  \
    STREAMKIT_PLUGIN_EXPORT const CNativePluginAPI* streamkit_native_plugin_api(void);   \
    STREAMKIT_PLUGIN_EXPORT const CNativePluginAPI* streamkit_native_plugin_api(void) {  \
        return (api_ptr);                                                                \
    }

/* ------------------------------------------------------------------------- */
/* Compile-time layout checks (C11 and later, LP64 only)                     */
/* ------------------------------------------------------------------------- */

#if !defined(__cplusplus) && defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L && defined(__LP64__)
#define STREAMKIT_ABI_CHECK(cond, msg) _Static_assert(cond, msg)
STREAMKIT_ABI_CHECK(sizeof(CResult) == 16, "CResult size");
STREAMKIT_ABI_CHECK(offsetof(CResult, error_message) == 8, "CResult.error_message");
STREAMKIT_ABI_CHECK(sizeof(CAudioFormat) == 12, "CAudioFormat size");
STREAMKIT_ABI_CHECK(offsetof(CAudioFormat, sample_format) == 8, "CAudioFormat.sample_format");
STREAMKIT_ABI_CHECK(sizeof(CAudioFrame) == 24, "CAudioFrame size");
STREAMKIT_ABI_CHECK(offsetof(CAudioFrame, samples) == 8, "CAudioFrame.samples");
STREAMKIT_ABI_CHECK(sizeof(CPacketMetadata) == 48, "CPacketMetadata size");
STREAMKIT_ABI_CHECK(offsetof(CPacketMetadata, has_sequence) == 40, "CPacketMetadata.has_sequence");
STREAMKIT_ABI_CHECK(sizeof(CCustomPacket) == 40, "CCustomPacket size");
STREAMKIT_ABI_CHECK(offsetof(CCustomPacket, metadata) == 32, "CCustomPacket.metadata");
STREAMKIT_ABI_CHECK(sizeof(CPacketTypeInfo) == 24, "CPacketTypeInfo size");
STREAMKIT_ABI_CHECK(sizeof(CPacket) == 24, "CPacket size");
STREAMKIT_ABI_CHECK(sizeof(CInputPin) == 24, "CInputPin size");
STREAMKIT_ABI_CHECK(sizeof(COutputPin) == 32, "COutputPin size");
STREAMKIT_ABI_CHECK(sizeof(CNodeMetadata) == 72, "CNodeMetadata size");
STREAMKIT_ABI_CHECK(sizeof(CNativePluginAPI) == 56, "CNativePluginAPI size");
STREAMKIT_ABI_CHECK(offsetof(CNativePluginAPI, destroy_instance) == 48, "CNativePluginAPI.destroy_instance");
#undef STREAMKIT_ABI_CHECK
#endif

#ifdef __cplusplus
}
#endif

#endif /* STREAMKIT_PLUGIN_H */
