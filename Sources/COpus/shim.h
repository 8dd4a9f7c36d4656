// libopus, plus typed wrappers for the variadic ctl calls (Swift cannot call C variadic functions).
#ifndef STREAMKIT_COPUS_SHIM_H
#define STREAMKIT_COPUS_SHIM_H
#include <opus.h>

static inline int skit_opus_encoder_set_bitrate(OpusEncoder *encoder, opus_int32 value) {
    return opus_encoder_ctl(encoder, OPUS_SET_BITRATE(value));
}
static inline int skit_opus_encoder_set_complexity(OpusEncoder *encoder, opus_int32 value) {
    return opus_encoder_ctl(encoder, OPUS_SET_COMPLEXITY(value));
}
static inline int skit_opus_encoder_set_vbr(OpusEncoder *encoder, opus_int32 value) {
    return opus_encoder_ctl(encoder, OPUS_SET_VBR(value));
}
static inline int skit_opus_encoder_get_lookahead(OpusEncoder *encoder, opus_int32 *value) {
    return opus_encoder_ctl(encoder, OPUS_GET_LOOKAHEAD(value));
}
static inline int skit_opus_decoder_reset(OpusDecoder *decoder) {
    return opus_decoder_ctl(decoder, OPUS_RESET_STATE);
}
#endif
