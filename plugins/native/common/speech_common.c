/* speech_common.c — see speech_common.h. */
#include "speech_common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- JSON reading: a strict scanner over one object's top-level members ---- */

typedef struct Scanner {
    const char* p;
} Scanner;

static void skip_ws(Scanner* s) {
    while (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r') s->p++;
}

static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Writes a code point as UTF-8; returns the bytes written, 0 when out of room. */
static size_t put_utf8(char* out, size_t room, uint32_t cp) {
    if (cp < 0x80) { if (room < 1) return 0; out[0] = (char)cp; return 1; }
    if (cp < 0x800) { if (room < 2) return 0; out[0] = (char)(0xC0 | (cp >> 6)); out[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        if (room < 3) return 0;
        out[0] = (char)(0xE0 | (cp >> 12)); out[1] = (char)(0x80 | ((cp >> 6) & 0x3F)); out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    if (room < 4) return 0;
    out[0] = (char)(0xF0 | (cp >> 18)); out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Reads a JSON string at s->p (which is at the opening quote). With out == NULL it only skips.
 * Returns 1 on success, 0 on malformed input or when the string does not fit. */
static int read_string(Scanner* s, char* out, size_t out_len) {
    size_t n = 0;
    if (*s->p != '"') return 0;
    s->p++;
    for (;;) {
        char c = *s->p;
        if (c == '\0') return 0;
        if (c == '"') { s->p++; break; }
        if ((unsigned char)c < 0x20) return 0;
        if (c == '\\') {
            char e = s->p[1];
            uint32_t cp;
            s->p += 2;
            switch (e) {
            case '"': cp = '"'; break;
            case '\\': cp = '\\'; break;
            case '/': cp = '/'; break;
            case 'b': cp = '\b'; break;
            case 'f': cp = '\f'; break;
            case 'n': cp = '\n'; break;
            case 'r': cp = '\r'; break;
            case 't': cp = '\t'; break;
            case 'u': {
                int i;
                cp = 0;
                for (i = 0; i < 4; i++) {
                    int h = hex_value(s->p[i]);
                    if (h < 0) return 0;
                    cp = cp * 16 + (uint32_t)h;
                }
                s->p += 4;
                if (cp >= 0xD800 && cp <= 0xDBFF && s->p[0] == '\\' && s->p[1] == 'u') {
                    uint32_t low = 0;
                    for (i = 0; i < 4; i++) {
                        int h = hex_value(s->p[2 + i]);
                        if (h < 0) return 0;
                        low = low * 16 + (uint32_t)h;
                    }
                    if (low >= 0xDC00 && low <= 0xDFFF) {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                        s->p += 6;
                    }
                }
                break;
            }
            default: return 0;
            }
            if (out != NULL) {
                size_t w = put_utf8(out + n, out_len - 1 - n, cp);
                if (w == 0) return 0;
                n += w;
            }
            continue;
        }
        if (out != NULL) {
            if (n + 1 >= out_len) return 0;
            out[n++] = c;
        }
        s->p++;
    }
    if (out != NULL) out[n] = '\0';
    return 1;
}

static int skip_value(Scanner* s, int depth);

static int skip_container(Scanner* s, char open, char close, int depth) {
    if (depth > 64) return 0;
    s->p++; /* past open */
    skip_ws(s);
    if (*s->p == close) { s->p++; return 1; }
    for (;;) {
        skip_ws(s);
        if (open == '{') {
            if (!read_string(s, NULL, 0)) return 0;
            skip_ws(s);
            if (*s->p != ':') return 0;
            s->p++;
        }
        if (!skip_value(s, depth + 1)) return 0;
        skip_ws(s);
        if (*s->p == ',') { s->p++; continue; }
        if (*s->p == close) { s->p++; return 1; }
        return 0;
    }
}

static int skip_value(Scanner* s, int depth) {
    skip_ws(s);
    switch (*s->p) {
    case '"': return read_string(s, NULL, 0);
    case '{': return skip_container(s, '{', '}', depth);
    case '[': return skip_container(s, '[', ']', depth);
    case 't': if (strncmp(s->p, "true", 4) == 0) { s->p += 4; return 1; } return 0;
    case 'f': if (strncmp(s->p, "false", 5) == 0) { s->p += 5; return 1; } return 0;
    case 'n': if (strncmp(s->p, "null", 4) == 0) { s->p += 4; return 1; } return 0;
    default: {
        char* end;
        errno = 0;
        (void)strtod(s->p, &end);
        if (end == s->p) return 0;
        s->p = end;
        return 1;
    }
    }
}

SkJsonKind sk_json_get(const char* json, const char* key, SkJsonValue* out) {
    Scanner s;
    SkJsonKind found = SK_JSON_MISSING;
    char name[256];
    memset(out, 0, sizeof *out);
    if (json == NULL) return SK_JSON_MISSING;
    s.p = json;
    skip_ws(&s);
    if (strncmp(s.p, "null", 4) == 0) return SK_JSON_MISSING;
    if (*s.p != '{') return out->kind = SK_JSON_INVALID;
    s.p++;
    skip_ws(&s);
    if (*s.p == '}') return SK_JSON_MISSING;
    for (;;) {
        int match;
        skip_ws(&s);
        if (!read_string(&s, name, sizeof name)) return out->kind = SK_JSON_INVALID;
        match = strcmp(name, key) == 0;
        skip_ws(&s);
        if (*s.p != ':') return out->kind = SK_JSON_INVALID;
        s.p++;
        skip_ws(&s);
        if (match) {
            /* The last occurrence wins, as in most JSON readers. */
            const char* start = s.p;
            memset(out, 0, sizeof *out);
            if (*s.p == '"') {
                if (!read_string(&s, out->string, sizeof out->string)) return out->kind = SK_JSON_INVALID;
                found = SK_JSON_STRING;
            } else if (strncmp(s.p, "true", 4) == 0 || strncmp(s.p, "false", 5) == 0) {
                out->boolean = s.p[0] == 't';
                if (!skip_value(&s, 0)) return out->kind = SK_JSON_INVALID;
                found = SK_JSON_BOOL;
            } else if (strncmp(s.p, "null", 4) == 0) {
                s.p += 4;
                found = SK_JSON_NULL;
            } else if (*s.p == '{' || *s.p == '[') {
                if (!skip_value(&s, 0)) return out->kind = SK_JSON_INVALID;
                found = SK_JSON_OTHER;
            } else {
                char* end;
                out->number = strtod(start, &end);
                if (end == start) return out->kind = SK_JSON_INVALID;
                s.p = end;
                found = SK_JSON_NUMBER;
            }
        } else if (!skip_value(&s, 0)) {
            return out->kind = SK_JSON_INVALID;
        }
        skip_ws(&s);
        if (*s.p == ',') { s.p++; continue; }
        if (*s.p == '}') break;
        return out->kind = SK_JSON_INVALID;
    }
    out->kind = found;
    return found;
}

int sk_param_number(const char* json, const char* key, double* value, char* err, size_t err_len) {
    SkJsonValue v;
    switch (sk_json_get(json, key, &v)) {
    case SK_JSON_MISSING:
    case SK_JSON_NULL: return 0;
    case SK_JSON_NUMBER: *value = v.number; return 1;
    case SK_JSON_INVALID: snprintf(err, err_len, "the params are not a valid JSON object"); return -1;
    default: snprintf(err, err_len, "param '%s' must be a number", key); return -1;
    }
}

int sk_param_bool(const char* json, const char* key, int* value, char* err, size_t err_len) {
    SkJsonValue v;
    switch (sk_json_get(json, key, &v)) {
    case SK_JSON_MISSING:
    case SK_JSON_NULL: return 0;
    case SK_JSON_BOOL: *value = v.boolean; return 1;
    case SK_JSON_INVALID: snprintf(err, err_len, "the params are not a valid JSON object"); return -1;
    default: snprintf(err, err_len, "param '%s' must be true or false", key); return -1;
    }
}

int sk_param_string(const char* json, const char* key, char* value, size_t value_len, char* err, size_t err_len) {
    SkJsonValue v;
    switch (sk_json_get(json, key, &v)) {
    case SK_JSON_MISSING:
    case SK_JSON_NULL: return 0;
    case SK_JSON_STRING:
        if (strlen(v.string) >= value_len) { snprintf(err, err_len, "param '%s' is too long", key); return -1; }
        memcpy(value, v.string, strlen(v.string) + 1);
        return 1;
    case SK_JSON_INVALID: snprintf(err, err_len, "the params are not a valid JSON object (or '%s' is too long)", key); return -1;
    default: snprintf(err, err_len, "param '%s' must be a string", key); return -1;
    }
}

/* ---- text buffer ---- */

static int text_reserve(SkText* text, size_t extra) {
    size_t need;
    char* grown;
    size_t cap;
    if (text->failed) return 0;
    need = text->len + extra + 1;
    if (need <= text->cap) return 1;
    cap = text->cap ? text->cap : 256;
    while (cap < need) cap *= 2;
    grown = realloc(text->data, cap);
    if (grown == NULL) { text->failed = 1; return 0; }
    text->data = grown;
    text->cap = cap;
    return 1;
}

void sk_text_append(SkText* text, const char* bytes, size_t len) {
    if (!text_reserve(text, len)) return;
    memcpy(text->data + text->len, bytes, len);
    text->len += len;
    text->data[text->len] = '\0';
}

void sk_text_appendf(SkText* text, const char* format, ...) {
    char small[256];
    va_list args;
    int n;
    va_start(args, format);
    n = vsnprintf(small, sizeof small, format, args);
    va_end(args);
    if (n < 0) { text->failed = 1; return; }
    if ((size_t)n < sizeof small) { sk_text_append(text, small, (size_t)n); return; }
    if (!text_reserve(text, (size_t)n)) return;
    va_start(args, format);
    vsnprintf(text->data + text->len, (size_t)n + 1, format, args);
    va_end(args);
    text->len += (size_t)n;
}

void sk_text_append_json_string(SkText* text, const char* utf8) {
    const unsigned char* p = (const unsigned char*)utf8;
    sk_text_append(text, "\"", 1);
    for (; *p; p++) {
        switch (*p) {
        case '"': sk_text_append(text, "\\\"", 2); break;
        case '\\': sk_text_append(text, "\\\\", 2); break;
        case '\n': sk_text_append(text, "\\n", 2); break;
        case '\r': sk_text_append(text, "\\r", 2); break;
        case '\t': sk_text_append(text, "\\t", 2); break;
        default:
            if (*p < 0x20) sk_text_appendf(text, "\\u%04x", *p);
            else sk_text_append(text, (const char*)p, 1);
        }
    }
    sk_text_append(text, "\"", 1);
}

void sk_text_free(SkText* text) {
    free(text->data);
    memset(text, 0, sizeof *text);
}

/* ---- float buffer ---- */

int sk_floats_append(SkFloats* buffer, const float* samples, size_t count) {
    if (buffer->len + count > buffer->cap) {
        size_t cap = buffer->cap ? buffer->cap : 16000;
        float* grown;
        while (cap < buffer->len + count) cap *= 2;
        grown = realloc(buffer->data, cap * sizeof(float));
        if (grown == NULL) return 0;
        buffer->data = grown;
        buffer->cap = cap;
    }
    if (count > 0) memcpy(buffer->data + buffer->len, samples, count * sizeof(float));
    buffer->len += count;
    return 1;
}

void sk_floats_drop_front(SkFloats* buffer, size_t count) {
    if (count >= buffer->len) { buffer->len = 0; return; }
    memmove(buffer->data, buffer->data + count, (buffer->len - count) * sizeof(float));
    buffer->len -= count;
}

void sk_floats_free(SkFloats* buffer) {
    free(buffer->data);
    memset(buffer, 0, sizeof *buffer);
}

/* ---- model files ---- */

int sk_check_model_file(const char* what, const char* path, SkModelFormat format, const char* hint, char* err, size_t err_len) {
    struct stat st;
    unsigned char head[8] = {0};
    FILE* file;
    size_t got;
    if (path == NULL || path[0] == '\0') {
        snprintf(err, err_len, "%s: no path given; %s", what, hint);
        return 0;
    }
    if (stat(path, &st) != 0) {
        snprintf(err, err_len, "%s '%s' is missing (%s); %s", what, path, strerror(errno), hint);
        return 0;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, err_len, "%s '%s' is not a regular file; %s", what, path, hint);
        return 0;
    }
    file = fopen(path, "rb");
    if (file == NULL) {
        snprintf(err, err_len, "%s '%s' cannot be read (%s); %s", what, path, strerror(errno), hint);
        return 0;
    }
    got = fread(head, 1, sizeof head, file);
    fclose(file);
    switch (format) {
    case SK_MODEL_ONNX:
        /* A serialized ModelProto starts with field 1 (ir_version, varint): byte 0x08. */
        if (st.st_size < 1024 || got < 2 || head[0] != 0x08) {
            snprintf(err, err_len, "%s '%s' is not an ONNX model (corrupt or truncated: %lld bytes); %s", what, path, (long long)st.st_size, hint);
            return 0;
        }
        break;
    case SK_MODEL_ORT:
        /* ORT format: a FlatBuffer with the file identifier "ORTM" at bytes 4…7. */
        if (st.st_size < 1024 || got < 8 || memcmp(head + 4, "ORTM", 4) != 0) {
            snprintf(err, err_len, "%s '%s' is not an ONNX Runtime (.ort) model (corrupt or truncated: %lld bytes); %s", what, path, (long long)st.st_size, hint);
            return 0;
        }
        break;
    case SK_MODEL_TEXT:
        if (st.st_size == 0) {
            snprintf(err, err_len, "%s '%s' is empty; %s", what, path, hint);
            return 0;
        }
        break;
    }
    return 1;
}

/* ---- errors and logs ---- */

CResult sk_error(const char* format, ...) {
    static _Thread_local char message[2048];
    va_list args;
    CResult result;
    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    result.success = false;
    result.error_message = message;
    return result;
}

void sk_log(CLogCallback log, void* user_data, CLogLevel level, const char* target, const char* format, ...) {
    char message[2048];
    va_list args;
    if (log == NULL) return;
    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    log(level, target, message, user_data);
}
