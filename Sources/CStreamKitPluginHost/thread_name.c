#define _GNU_SOURCE
#include "streamkit_plugin_host.h"

#include <pthread.h>
#include <string.h>

void skh_name_thread(const char* name) {
#if defined(__linux__)
    char truncated[16];
    strncpy(truncated, name, sizeof truncated - 1);
    truncated[sizeof truncated - 1] = '\0';
    pthread_setname_np(pthread_self(), truncated);
#elif defined(__APPLE__)
    pthread_setname_np(name);
#endif
}
