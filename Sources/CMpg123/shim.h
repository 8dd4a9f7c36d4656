// libmpg123's feed (push) decoding API.
#ifndef STREAMKIT_CMPG123_SHIM_H
#define STREAMKIT_CMPG123_SHIM_H
#include <mpg123.h>
#endif
