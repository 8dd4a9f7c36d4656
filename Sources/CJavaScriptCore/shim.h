// Debian's JavaScriptCore (libjavascriptcoregtk-4.1-dev), plus the few functions that the library
// exports but whose declarations live in WebKit's private headers, which Debian does not install.
#ifndef STREAMKIT_CJAVASCRIPTCORE_SHIM_H
#define STREAMKIT_CJAVASCRIPTCORE_SHIM_H
#include <JavaScriptCore/JavaScript.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Called when a script has run for the time limit. Return true to terminate it. (JSContextRefPrivate.h)
/// This build calls it once per armed limit: to be called again, set the limit again from inside it.
typedef bool (*JSShouldTerminateCallback)(JSContextRef ctx, void *context);

/// Arms a per-entry CPU time limit for every context of `group`. (JSContextRefPrivate.h)
JS_EXPORT void JSContextGroupSetExecutionTimeLimit(JSContextGroupRef group, double limit, JSShouldTerminateCallback callback, void *context);

/// Removes the time limit. (JSContextRefPrivate.h)
JS_EXPORT void JSContextGroupClearExecutionTimeLimit(JSContextGroupRef group);

/// An object with the heap's statistics (`heapSize`, `heapCapacity`, `extraMemorySize`, `objectCount`…)
/// of the VM that runs `ctx` (one VM per context group). (JSBasePrivate.h)
JS_EXPORT JSObjectRef JSGetMemoryUsageStatistics(JSContextRef ctx);

/// A full garbage collection, now. (JSBasePrivate.h)
JS_EXPORT void JSSynchronousGarbageCollectForDebugging(JSContextRef ctx);

/// Takes the VM's API lock for a stretch of calls (recursive): the calls inside skip taking it each
/// time, and queued promise jobs run when the outermost lock is released. (JSBasePrivate.h)
JS_EXPORT void JSLock(JSContextRef ctx);
JS_EXPORT void JSUnlock(JSContextRef ctx);

#ifdef __cplusplus
}
#endif
#endif
