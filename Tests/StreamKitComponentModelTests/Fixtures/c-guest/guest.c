// A guest for the `test:guest@0.1.0` world with hand-written canonical-ABI glue (there is no
// wit-bindgen here): the tests compile it with zig and wrap it with `wasm-tools component new`,
// so the host is exercised on real wit-component output (shim and fixup modules, an indirect
// call table, a nested component re-exporting the interface with its resource).
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

__attribute__((import_module("test:guest/host@0.1.0"), import_name("log")))
extern void host_log(const char *ptr, size_t len);

__attribute__((import_module("[export]test:guest/api@0.1.0"), import_name("[resource-new]counter")))
extern int32_t counter_new(int32_t rep);

__attribute__((export_name("cabi_realloc")))
void *cabi_realloc(void *old, size_t old_size, size_t align, size_t new_size) {
    (void)old_size; (void)align;
    if (new_size == 0) return (void *)align;
    return realloc(old, new_size);
}

static char *describe_result;
static uint32_t describe_ret[2];

__attribute__((export_name("test:guest/api@0.1.0#describe")))
uint32_t *describe(int32_t tag, float a, float b, char **tags, size_t tag_count) {
    char buffer[256];
    int n;
    if (tag == 0) n = snprintf(buffer, sizeof buffer, "circle r=%.2f", a);
    else if (tag == 1) n = snprintf(buffer, sizeof buffer, "rect %.1fx%.1f", a, b);
    else n = snprintf(buffer, sizeof buffer, "none");
    for (size_t i = 0; i < tag_count; i++) {
        char *ptr = tags[2 * i];
        size_t len = (size_t)tags[2 * i + 1];
        n += snprintf(buffer + n, sizeof buffer - n, " #%.*s", (int)len, ptr);
        free(ptr);
    }
    if (tag_count != 0) free(tags);  // an empty list may point at no allocation
    host_log(buffer, (size_t)n);
    describe_result = malloc((size_t)n);
    memcpy(describe_result, buffer, (size_t)n);
    describe_ret[0] = (uint32_t)(uintptr_t)describe_result;
    describe_ret[1] = (uint32_t)n;
    return describe_ret;
}

__attribute__((export_name("cabi_post_test:guest/api@0.1.0#describe")))
void describe_post(uint32_t *ret) {
    free((void *)(uintptr_t)ret[0]);
}

typedef struct { uint32_t value; } counter_t;
static uint32_t destroyed_total;

__attribute__((export_name("test:guest/api@0.1.0#[constructor]counter")))
int32_t counter_ctor(uint32_t start) {
    counter_t *c = malloc(sizeof *c);
    c->value = start;
    return counter_new((int32_t)(uintptr_t)c);
}

__attribute__((export_name("test:guest/api@0.1.0#[method]counter.bump")))
uint32_t counter_bump(counter_t *self, uint32_t by) {
    self->value += by;
    return self->value;
}

__attribute__((export_name("test:guest/api@0.1.0#[dtor]counter")))
void counter_dtor(counter_t *self) {
    destroyed_total += self->value;
    free(self);
}
