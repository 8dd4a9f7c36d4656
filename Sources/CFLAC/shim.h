// libFLAC's stream decoder.
#ifndef STREAMKIT_CFLAC_SHIM_H
#define STREAMKIT_CFLAC_SHIM_H
#include <FLAC/stream_decoder.h>
#endif
