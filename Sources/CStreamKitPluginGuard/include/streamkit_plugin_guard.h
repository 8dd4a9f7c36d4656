/*
 * streamkit_plugin_guard.h — host-side crash containment for native plugin calls.
 *
 * Every call into a native plugin goes through one of these functions. Each one
 * arms a per-thread recovery point, calls the plugin, and disarms it. If the
 * plugin faults (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) while the recovery
 * point is armed, the signal handler jumps back to it and the function returns
 * the signal number instead of taking the whole server down. A fault on a
 * thread with no armed recovery point is passed on to whatever handler was
 * installed before (the Swift runtime's backtracer, or the default action).
 *
 * This is containment, not isolation: the plugin's instance is abandoned after
 * a fault, but a plugin that corrupts memory before faulting can still damage
 * the process. Only the plugin's own frames (and this file's) are unwound; no
 * Swift frame is ever jumped over.
 */
#pragma once
#ifndef STREAMKIT_PLUGIN_GUARD_H
#define STREAMKIT_PLUGIN_GUARD_H

#include "streamkit_plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Installs the fault handlers once per process (idempotent, thread-safe). */
void skg_install(void);

/** Gives the calling thread an alternate signal stack so stack overflows are caught too (idempotent). */
void skg_prepare_thread(void);

/** Calls the entry function. Returns 0, or the signal that interrupted it. */
int skg_call_entry(StreamKitNativePluginAPIFn entry, const CNativePluginAPI** result);

/** Calls `get_metadata`. Returns 0, or the signal that interrupted it. */
int skg_get_metadata(const CNativePluginAPI* api, const CNodeMetadata** result);

/** Calls `create_instance`. Returns 0, or the signal that interrupted it. */
int skg_create_instance(const CNativePluginAPI* api, const char* params, CLogCallback log, void* log_user_data,
                        CPluginHandle* result);

/** Calls `process_packet` (7 arguments; the same context for output and telemetry). */
int skg_process_packet(const CNativePluginAPI* api, CPluginHandle handle, const char* pin, const CPacket* packet,
                       COutputCallback out, CTelemetryCallback telemetry, void* context, CResult* result);

/** Calls `update_params`. */
int skg_update_params(const CNativePluginAPI* api, CPluginHandle handle, const char* params, CResult* result);

/** Calls `flush` (5 arguments). */
int skg_flush(const CNativePluginAPI* api, CPluginHandle handle, COutputCallback out, CTelemetryCallback telemetry,
              void* context, CResult* result);

/** Calls `destroy_instance`. */
int skg_destroy_instance(const CNativePluginAPI* api, CPluginHandle handle);

/** Copies at most `capacity - 1` bytes of `text` into `buffer` without faulting on a bad pointer; returns 0 or the signal. */
int skg_copy_c_string(const char* text, char* buffer, size_t capacity, size_t* length);

#ifdef __cplusplus
}
#endif

#endif /* STREAMKIT_PLUGIN_GUARD_H */
