/*
 * Canonical-ABI glue for C plugins of the world streamkit:plugin@0.1.0.
 *
 * Written by hand (no wit-bindgen) from the Component Model canonical ABI:
 *  - every value here flattens to i32s; MAX_FLAT_PARAMS = 16 is never exceeded, and every result
 *    that needs more than MAX_FLAT_RESULTS = 1 value goes through memory: an exported function
 *    returns a pointer to its result, an imported one gets a return pointer as its last param;
 *  - memory layouts (all align 4):
 *      string, list<T>            ptr u32 @0, len u32 @4                         (8 bytes)
 *      result<_, string>          disc u8 @0, string @4                          (12 bytes)
 *      packet-type                disc u8 @0, payload @4 (8 bytes)               (12 bytes)
 *        raw-audio(audio-format)  sample-rate u32 @4, channels u16 @8, format u8 @10
 *        custom(string)           string @4
 *      input-pin                  name @0, accepts-types @8                      (16 bytes)
 *      output-pin                 name @0, produces-type @8                      (20 bytes)
 *      node-metadata              kind @0, inputs @8, outputs @16, param-schema @24,
 *                                 categories @32                                 (40 bytes)
 *  - flat packet (variant): disc, then the case's flat values in the first slots of
 *      audio (sample-rate, channels, samples ptr, samples len) / text (ptr, len) /
 *      binary (ptr, len) / custom (type-id ptr, len, encoding, data ptr, len)
 *    = 6 i32 (5 with -DSK_STALE_WIT, the older WIT without the custom cases).
 *
 * Memory the host allocates in our linear memory (arguments of exports, results of imports)
 * comes through cabi_realloc. Those blocks all live until the export call that caused them
 * returns, so they come from an arena: a bump allocation per block, one reset per call (a
 * 960-sample packet used to cost a malloc and a free per block, interpreted). Each block gets
 * one extra zero byte so strings are NUL-terminated.
 */
#include "streamkit_wasm_plugin.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SK_EXPORT(name) __attribute__((export_name(name)))
#define SK_IMPORT(module, name) __attribute__((import_module(module), import_name(name)))
#define SK_NODE "streamkit:plugin/node@0.1.0#"

typedef int32_t i32;

static inline i32 p32(const void *p) { return (i32)(uintptr_t)p; }
static inline void *ptr_of(i32 v) { return (void *)(uintptr_t)(uint32_t)v; }
static inline void put_u32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static inline void put_u16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static inline uint32_t get_u32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

/* ---------------------------------------------------------------- imports */

#ifdef SK_STALE_WIT
SK_IMPORT("streamkit:plugin/host@0.1.0", "send-output")
extern void sk__host_send_output(i32 pin_ptr, i32 pin_len, i32 disc, i32 a, i32 b, i32 c, i32 d,
                                 i32 retptr);
#define SEND_OUTPUT(pp, pl, disc, a, b, c, d, e, rp) sk__host_send_output(pp, pl, disc, a, b, c, d, rp)
#else
SK_IMPORT("streamkit:plugin/host@0.1.0", "send-output")
extern void sk__host_send_output(i32 pin_ptr, i32 pin_len, i32 disc, i32 a, i32 b, i32 c, i32 d,
                                 i32 e, i32 retptr);
#define SEND_OUTPUT(pp, pl, disc, a, b, c, d, e, rp) sk__host_send_output(pp, pl, disc, a, b, c, d, e, rp)
#endif

SK_IMPORT("streamkit:plugin/host@0.1.0", "log")
extern void sk__host_log(i32 level, i32 msg_ptr, i32 msg_len);

SK_IMPORT("[export]streamkit:plugin/node@0.1.0", "[resource-new]node-instance")
extern i32 sk__resource_new(i32 rep);

/* ---------------------------------------------------------------- host allocations */

/* Chunks of the arena; the newest is being filled, older ones (still holding blocks of the
 * current call) follow `prev`. Chunk data starts 16-aligned (malloc aligns to 16). */
typedef struct sk_chunk {
    struct sk_chunk *prev;
    size_t size;
    size_t used;
} sk_chunk;

#define SK_CHUNK_HEADER ((sizeof(sk_chunk) + 15) & ~(size_t)15)
#define SK_CHUNK_MIN ((size_t)64 << 10)
/* A chunk grown past this by one large call is given back rather than kept for the next. */
#define SK_CHUNK_KEEP_MAX ((size_t)4 << 20)

static sk_chunk *arena;

static uint8_t *chunk_data(sk_chunk *c) { return (uint8_t *)c + SK_CHUNK_HEADER; }

/* `size` bytes at `align` (a power of two, at most 16); traps when memory runs out. */
static uint8_t *arena_alloc(size_t align, size_t size) {
    if (arena) {
        size_t start = (arena->used + align - 1) & ~(align - 1);
        if (start <= arena->size && size <= arena->size - start) {
            arena->used = start + size;
            return chunk_data(arena) + start;
        }
    }
    size_t chunk = arena ? arena->size : SK_CHUNK_MIN;
    while (chunk < size) {
        if (chunk > SIZE_MAX / 2) __builtin_trap();
        chunk *= 2;
    }
    if (arena) chunk = chunk > SIZE_MAX / 2 ? chunk : chunk * 2;
    if (chunk > SIZE_MAX - SK_CHUNK_HEADER) __builtin_trap();
    sk_chunk *c = malloc(SK_CHUNK_HEADER + chunk);
    if (!c) __builtin_trap();
    c->prev = arena;
    c->size = chunk;
    c->used = size;
    arena = c;
    return chunk_data(c);
}

/* Releases every block of the call: keeps the newest chunk (the largest) for the next call. */
static void arena_reset(void) {
    if (!arena) return;
    sk_chunk *c = arena->prev;
    while (c) {
        sk_chunk *prev = c->prev;
        free(c);
        c = prev;
    }
    arena->prev = NULL;
    arena->used = 0;
    if (arena->size > SK_CHUNK_KEEP_MAX) {
        free(arena);
        arena = NULL;
    }
}

SK_EXPORT("cabi_realloc")
void *cabi_realloc(void *old_ptr, size_t old_size, size_t align, size_t new_size) {
    if (align == 0 || align > 16 || (align & (align - 1))) __builtin_trap();
    if (new_size == SIZE_MAX) __builtin_trap();
    uint8_t *p = arena_alloc(align, new_size + 1);
    /* Hosts allocate fresh blocks (old_ptr NULL); a resize copies, the old block is released
     * with the rest at the end of the call. */
    if (old_ptr) memcpy(p, old_ptr, old_size < new_size ? old_size : new_size);
    p[new_size] = 0;
    return p;
}

/* A string the host lowered into our memory: NUL-terminated thanks to cabi_realloc. */
static const char *host_str(i32 ptr, i32 len) {
    return len == 0 ? "" : (const char *)ptr_of(ptr);
}

/* ---------------------------------------------------------------- results */

/* Return areas; the host reads them before calling the next function. */
static _Alignas(8) uint8_t ret_area[16];
static _Alignas(8) uint8_t import_ret_area[16];

/* The error string of the last result<_, string>: it must outlive the export call, until the
 * host has read it, so it is freed when the next result is made rather than in a post-return
 * function. process and update-params then need no post-return, which saves the host a guest
 * call per packet (each one costs about as much as a few hundred interpreted operators). */
static char *last_error;

static uint8_t *result_unit(const char *err) {
    memset(ret_area, 0, sizeof ret_area);
    free(last_error);
    last_error = NULL;
    if (!err) return ret_area;
    size_t len = strlen(err);
    last_error = malloc(len + 1);
    if (!last_error) __builtin_trap();
    memcpy(last_error, err, len + 1);
    ret_area[0] = 1;
    put_u32(ret_area + 4, (uint32_t)p32(last_error));
    put_u32(ret_area + 8, (uint32_t)len);
    return ret_area;
}

/* ---------------------------------------------------------------- helpers for plugins */

static char error_buf[1024];

const char *sk_errorf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(error_buf, sizeof error_buf, fmt, ap);
    va_end(ap);
    return error_buf;
}

void sk_log(sk_log_level level, const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n >= sizeof buf) n = sizeof buf - 1;
    sk__host_log((i32)level, p32(buf), n);
}

struct sk_output {
    int live;
};

const char *sk_send(sk_output *out, const char *pin, const sk_packet *pk) {
    if (!out || !out->live) return "sk_send: the output is only valid during sk_plugin_process";
    i32 a = 0, b = 0, c = 0, d = 0, e = 0;
    switch (pk->kind) {
    case SK_PACKET_AUDIO:
        a = (i32)pk->u.audio.sample_rate;
        b = (i32)pk->u.audio.channels;
        c = p32(pk->u.audio.samples);
        d = (i32)pk->u.audio.sample_count;
        break;
    case SK_PACKET_TEXT:
        a = p32(pk->u.text.data);
        b = (i32)pk->u.text.len;
        break;
    case SK_PACKET_BINARY:
        a = p32(pk->u.binary.data);
        b = (i32)pk->u.binary.len;
        break;
    case SK_PACKET_CUSTOM:
#ifdef SK_STALE_WIT
        return "sk_send: custom packets do not exist in this (stale) WIT";
#else
        a = p32(pk->u.custom.type_id);
        b = (i32)pk->u.custom.type_id_len;
        c = (i32)pk->u.custom.encoding;
        d = p32(pk->u.custom.data);
        e = (i32)pk->u.custom.data_len;
        break;
#endif
    default:
        return "sk_send: unknown packet kind";
    }
    (void)e;
    memset(import_ret_area, 0, sizeof import_ret_area);
    SEND_OUTPUT(p32(pin), (i32)strlen(pin), (i32)pk->kind, a, b, c, d, e, p32(import_ret_area));
    if (import_ret_area[0] == 0) return NULL;
    /* The error string was allocated through cabi_realloc: it is freed with the other host
     * allocations when the current export call returns. */
    return host_str((i32)get_u32(import_ret_area + 4), (i32)get_u32(import_ret_area + 8));
}

const char *sk_send_audio(sk_output *out, const char *pin, uint32_t sample_rate, uint16_t channels,
                          const float *samples, size_t sample_count) {
    sk_packet pk;
    pk.kind = SK_PACKET_AUDIO;
    pk.u.audio.sample_rate = sample_rate;
    pk.u.audio.channels = channels;
    pk.u.audio.samples = (float *)samples;
    pk.u.audio.sample_count = sample_count;
    return sk_send(out, pin, &pk);
}

const char *sk_send_text(sk_output *out, const char *pin, const char *text) {
    sk_packet pk;
    pk.kind = SK_PACKET_TEXT;
    pk.u.text.data = text;
    pk.u.text.len = strlen(text);
    return sk_send(out, pin, &pk);
}

const char *sk_send_binary(sk_output *out, const char *pin, const uint8_t *data, size_t len) {
    sk_packet pk;
    pk.kind = SK_PACKET_BINARY;
    pk.u.binary.data = data;
    pk.u.binary.len = len;
    return sk_send(out, pin, &pk);
}

const char *sk_send_custom(sk_output *out, const char *pin, const char *type_id, const char *json) {
    sk_packet pk;
    pk.kind = SK_PACKET_CUSTOM;
    pk.u.custom.type_id = type_id;
    pk.u.custom.type_id_len = strlen(type_id);
    pk.u.custom.encoding = SK_CUSTOM_JSON;
    pk.u.custom.data = json;
    pk.u.custom.data_len = strlen(json);
    return sk_send(out, pin, &pk);
}

/* ---------------------------------------------------------------- metadata */

static void write_str(uint8_t *at, const char *s) {
    put_u32(at, (uint32_t)p32(s));
    put_u32(at + 4, (uint32_t)strlen(s));
}

static void write_packet_type(uint8_t *at, const sk_packet_type *t) {
    memset(at, 0, 12);
    uint8_t disc = (uint8_t)t->kind;
#ifdef SK_STALE_WIT
    if (t->kind == SK_TYPE_CUSTOM) __builtin_trap(); /* not in the stale WIT */
    if (t->kind == SK_TYPE_ANY) disc = 4;
#endif
    at[0] = disc;
    if (t->kind == SK_TYPE_RAW_AUDIO) {
        put_u32(at + 4, t->sample_rate);
        put_u16(at + 8, t->channels);
        at[10] = (uint8_t)t->sample_format;
    } else if (t->kind == SK_TYPE_CUSTOM) {
        write_str(at + 4, t->custom_type_id ? t->custom_type_id : "");
    }
}

static uint8_t *metadata_block;

SK_EXPORT(SK_NODE "metadata")
uint8_t *sk__export_metadata(void) {
    const sk_node_metadata *m = sk_plugin_metadata();
    size_t accepts = 0;
    for (size_t i = 0; i < m->input_count; i++) accepts += m->inputs[i].accepts_count;
    size_t size = 40 + m->input_count * 16 + accepts * 12 + m->output_count * 20 + m->category_count * 8;
    uint8_t *blk = calloc(1, size);
    if (!blk) __builtin_trap();
    metadata_block = blk;

    uint8_t *inputs = blk + 40;
    uint8_t *types = inputs + m->input_count * 16;
    uint8_t *outputs = types + accepts * 12;
    uint8_t *cats = outputs + m->output_count * 20;

    write_str(blk, m->kind);
    put_u32(blk + 8, (uint32_t)p32(inputs));
    put_u32(blk + 12, (uint32_t)m->input_count);
    put_u32(blk + 16, (uint32_t)p32(outputs));
    put_u32(blk + 20, (uint32_t)m->output_count);
    write_str(blk + 24, m->param_schema ? m->param_schema : "{}");
    put_u32(blk + 32, (uint32_t)p32(cats));
    put_u32(blk + 36, (uint32_t)m->category_count);

    for (size_t i = 0; i < m->input_count; i++) {
        const sk_input_pin *pin = &m->inputs[i];
        write_str(inputs + i * 16, pin->name);
        put_u32(inputs + i * 16 + 8, (uint32_t)p32(types));
        put_u32(inputs + i * 16 + 12, (uint32_t)pin->accepts_count);
        for (size_t k = 0; k < pin->accepts_count; k++, types += 12) write_packet_type(types, &pin->accepts[k]);
    }
    for (size_t i = 0; i < m->output_count; i++) {
        write_str(outputs + i * 20, m->outputs[i].name);
        write_packet_type(outputs + i * 20 + 8, &m->outputs[i].produces);
    }
    for (size_t i = 0; i < m->category_count; i++) write_str(cats + i * 8, m->categories[i]);
    return blk;
}

SK_EXPORT("cabi_post_" SK_NODE "metadata")
void sk__post_metadata(uint8_t *ret) {
    if (ret == metadata_block) metadata_block = NULL;
    free(ret);
}

/* ---------------------------------------------------------------- the node-instance resource */

typedef struct {
    void *user;
    int destroyed;
} sk_instance;

SK_EXPORT(SK_NODE "[constructor]node-instance")
i32 sk__export_constructor(i32 has_params, i32 params_ptr, i32 params_len) {
    const char *params = has_params ? host_str(params_ptr, params_len) : NULL;
    void *user = sk_plugin_create(params);
    arena_reset();
    if (!user) __builtin_trap(); /* the WIT constructor cannot return an error */
    sk_instance *inst = calloc(1, sizeof *inst);
    if (!inst) __builtin_trap();
    inst->user = user;
    return sk__resource_new(p32(inst));
}

#ifdef SK_STALE_WIT
SK_EXPORT(SK_NODE "[method]node-instance.process")
uint8_t *sk__export_process(i32 rep, i32 pin_ptr, i32 pin_len, i32 disc, i32 a, i32 b, i32 c, i32 d) {
    i32 e = 0;
#else
SK_EXPORT(SK_NODE "[method]node-instance.process")
uint8_t *sk__export_process(i32 rep, i32 pin_ptr, i32 pin_len, i32 disc, i32 a, i32 b, i32 c, i32 d, i32 e) {
#endif
    sk_instance *inst = ptr_of(rep);
    sk_packet pk;
    memset(&pk, 0, sizeof pk);
    pk.kind = (sk_packet_kind)disc;
    switch (disc) {
    case SK_PACKET_AUDIO:
        pk.u.audio.sample_rate = (uint32_t)a;
        pk.u.audio.channels = (uint16_t)b;
        pk.u.audio.samples = d ? (float *)ptr_of(c) : NULL;
        pk.u.audio.sample_count = (uint32_t)d;
        break;
    case SK_PACKET_TEXT:
        pk.u.text.data = host_str(a, b);
        pk.u.text.len = (uint32_t)b;
        break;
    case SK_PACKET_BINARY:
        pk.u.binary.data = b ? (const uint8_t *)ptr_of(a) : NULL;
        pk.u.binary.len = (uint32_t)b;
        break;
    case SK_PACKET_CUSTOM:
        pk.u.custom.type_id = host_str(a, b);
        pk.u.custom.type_id_len = (uint32_t)b;
        pk.u.custom.encoding = (sk_custom_encoding)c;
        pk.u.custom.data = host_str(d, e);
        pk.u.custom.data_len = (uint32_t)e;
        break;
    default:
        __builtin_trap(); /* the host lowered an invalid discriminant */
    }
    const char *err;
    if (inst->destroyed) {
        err = "process called after cleanup";
    } else {
        sk_output out = {1};
        err = sk_plugin_process(inst->user, host_str(pin_ptr, pin_len), &pk, &out);
        out.live = 0;
    }
    uint8_t *ret = result_unit(err); /* copy first: err may point into host blocks freed next */
    arena_reset();
    return ret;
}

SK_EXPORT(SK_NODE "[method]node-instance.update-params")
uint8_t *sk__export_update_params(i32 rep, i32 has_params, i32 params_ptr, i32 params_len) {
    sk_instance *inst = ptr_of(rep);
    const char *err;
    if (inst->destroyed)
        err = "update-params called after cleanup";
    else
        err = sk_plugin_update_params(inst->user, has_params ? host_str(params_ptr, params_len) : NULL);
    uint8_t *ret = result_unit(err);
    arena_reset();
    return ret;
}

SK_EXPORT(SK_NODE "[method]node-instance.cleanup")
void sk__export_cleanup(i32 rep) {
    sk_instance *inst = ptr_of(rep);
    if (!inst->destroyed) {
        inst->destroyed = 1;
        sk_plugin_destroy(inst->user);
        inst->user = NULL;
    }
    arena_reset();
}

#ifndef SK_NO_DTOR /* only for the no-dtor test fixture: a resource without destructor */
SK_EXPORT(SK_NODE "[dtor]node-instance")
void sk__export_dtor(i32 rep) {
    sk_instance *inst = ptr_of(rep);
    if (!inst->destroyed) sk_plugin_destroy(inst->user);
    free(inst);
}
#endif
