// libmpg123's feed (push) decoding API.
#ifndef STREAMKIT_CMPG123_SHIM_H
#define STREAMKIT_CMPG123_SHIM_H
#include <mpg123.h>

// mpg123.h renames mpg123_param through a macro; a plain function hides that from Swift.
static inline int skit_mpg123_add_flags(mpg123_handle *handle, long flags) {
    return mpg123_param(handle, MPG123_ADD_FLAGS, flags, 0.0);
}
static inline int skit_mpg123_set_resync_limit(mpg123_handle *handle, long limit) {
    return mpg123_param(handle, MPG123_RESYNC_LIMIT, limit, 0.0);
}
// mpg123_length is renamed for large-file support by macros Swift does not see.
// Total samples per channel (after gapless trimming) when the stream says (Xing/Info/LAME
// header), else negative.
static inline long long skit_mpg123_length(mpg123_handle *handle) {
    return (long long)mpg123_length(handle);
}
#endif
