/*
 * streamkit_plugin_host.h — what the plugin host needs from C: naming a thread
 * (pthread_setname_np is a GNU extension that Swift's Glibc module does not show).
 */
#pragma once
#ifndef STREAMKIT_PLUGIN_HOST_H
#define STREAMKIT_PLUGIN_HOST_H

#ifdef __cplusplus
extern "C" {
#endif

/** Names the calling thread (at most 15 bytes are kept on Linux). */
void skh_name_thread(const char* name);

#ifdef __cplusplus
}
#endif

#endif /* STREAMKIT_PLUGIN_HOST_H */
