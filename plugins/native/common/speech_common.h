/*
 * speech_common.h — small helpers shared by the speech plugins (vad, moonshine, piper):
 * reading flat JSON params, writing JSON text, checking model files before an engine sees them,
 * error messages that outlive the call, and a growable float buffer.
 *
 * Nothing here allocates on a hot path except the buffers the caller asks for.
 */
#ifndef SKIT_SPEECH_COMMON_H
#define SKIT_SPEECH_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "streamkit_plugin.h"

/* ---- flat JSON params ---- */

typedef enum SkJsonKind { SK_JSON_MISSING = 0, SK_JSON_NULL, SK_JSON_BOOL, SK_JSON_NUMBER, SK_JSON_STRING, SK_JSON_OTHER, SK_JSON_INVALID } SkJsonKind;

typedef struct SkJsonValue {
    SkJsonKind kind;
    double number;
    int boolean;
    char string[1024]; /* unescaped; longer strings are refused (SK_JSON_INVALID) */
} SkJsonValue;

/* Finds `key` among the top-level members of the JSON object `json` (NULL or "null" = no members).
 * Returns SK_JSON_INVALID when the text is not a JSON object. */
SkJsonKind sk_json_get(const char* json, const char* key, SkJsonValue* out);

/* Typed readers: 0 = absent (value untouched), 1 = read, -1 = wrong type (message in err). */
int sk_param_number(const char* json, const char* key, double* value, char* err, size_t err_len);
int sk_param_bool(const char* json, const char* key, int* value, char* err, size_t err_len);
int sk_param_string(const char* json, const char* key, char* value, size_t value_len, char* err, size_t err_len);

/* ---- growable byte / float buffers ---- */

typedef struct SkText {
    char* data;
    size_t len;
    size_t cap;
    int failed; /* an allocation failed: the text is incomplete */
} SkText;

void sk_text_append(SkText* text, const char* bytes, size_t len);
void sk_text_appendf(SkText* text, const char* format, ...);
void sk_text_append_json_string(SkText* text, const char* utf8); /* quoted and escaped */
void sk_text_free(SkText* text);

typedef struct SkFloats {
    float* data;
    size_t len;
    size_t cap;
} SkFloats;

int sk_floats_append(SkFloats* buffer, const float* samples, size_t count); /* 0 on allocation failure */
void sk_floats_drop_front(SkFloats* buffer, size_t count);
void sk_floats_free(SkFloats* buffer);

/* ---- model files ---- */

typedef enum SkModelFormat { SK_MODEL_ONNX, SK_MODEL_ORT, SK_MODEL_TEXT } SkModelFormat;

/* Checks that `path` exists, is a readable regular file of plausible size and starts like the
 * format says, so that a missing or corrupt file is a clear message instead of an engine abort.
 * On failure writes "<what> '<path>' <problem>; <hint>" into err and returns 0. */
int sk_check_model_file(const char* what, const char* path, SkModelFormat format, const char* hint, char* err, size_t err_len);

/* ---- errors ---- */

/* A CResult error whose message stays valid until the next error on the same thread. */
CResult sk_error(const char* format, ...);

/* Logs at `level` through the host's log callback (when there is one). */
void sk_log(CLogCallback log, void* user_data, CLogLevel level, const char* target, const char* format, ...);

/* The command that prepares every speech model (named in missing-model messages). */
#define SK_SPEECH_HINT "run `make speech` in the StreamKit checkout (it installs the wheels and writes models/)"

#endif
