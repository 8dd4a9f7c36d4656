#define _GNU_SOURCE
#include "streamkit_plugin_guard.h"

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

/* The recovery point of the current thread, armed only while a plugin call runs. */
static _Thread_local sigjmp_buf* tl_recovery;
static _Thread_local volatile sig_atomic_t tl_armed;
static _Thread_local int tl_has_alt_stack;

static const int guarded_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
#define GUARDED_COUNT (sizeof(guarded_signals) / sizeof(guarded_signals[0]))
static struct sigaction previous_actions[GUARDED_COUNT];
static pthread_once_t install_once = PTHREAD_ONCE_INIT;

static struct sigaction* previous_for(int sig) {
    for (size_t i = 0; i < GUARDED_COUNT; i++) {
        if (guarded_signals[i] == sig) return &previous_actions[i];
    }
    return NULL;
}

static void on_fault(int sig, siginfo_t* info, void* context) {
    if (tl_armed && tl_recovery != NULL) {
        tl_armed = 0;
        /* Mask not restored by siglongjmp(…, 0): SA_NODEFER keeps the signal unblocked. */
        siglongjmp(*tl_recovery, sig);
    }
    /* Not a plugin fault: behave as if we were never installed. */
    struct sigaction* previous = previous_for(sig);
    if (previous != NULL && (previous->sa_flags & SA_SIGINFO) && previous->sa_sigaction != NULL) {
        previous->sa_sigaction(sig, info, context);
        return;
    }
    if (previous != NULL && previous->sa_handler != SIG_DFL && previous->sa_handler != SIG_IGN && previous->sa_handler != NULL) {
        previous->sa_handler(sig);
        return;
    }
    /* Default action: restore it and let the faulting instruction (or raise) run again. */
    signal(sig, SIG_DFL);
    if (sig == SIGABRT || (info != NULL && info->si_code <= 0)) raise(sig);
}

static void install(void) {
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_sigaction = on_fault;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < GUARDED_COUNT; i++) {
        sigaction(guarded_signals[i], &action, &previous_actions[i]);
    }
}

void skg_install(void) { pthread_once(&install_once, install); }

void skg_prepare_thread(void) {
    if (tl_has_alt_stack) return;
    stack_t current;
    if (sigaltstack(NULL, &current) == 0 && !(current.ss_flags & SS_DISABLE) && current.ss_sp != NULL) {
        tl_has_alt_stack = 1;
        return;
    }
    size_t size = 64 * 1024;
    void* memory = malloc(size);
    if (memory == NULL) return;
    stack_t stack;
    stack.ss_sp = memory;
    stack.ss_size = size;
    stack.ss_flags = 0;
    if (sigaltstack(&stack, NULL) == 0) {
        tl_has_alt_stack = 1; /* Kept for the thread's life: a thread's alternate stack cannot be released safely. */
    } else {
        free(memory);
    }
}

/* Arms the recovery point around BODY; evaluates to 0 or the caught signal. */
#define GUARDED(BODY)                                    \
    do {                                                 \
        skg_install();                                   \
        skg_prepare_thread();                            \
        sigjmp_buf recovery;                             \
        sigjmp_buf* saved = tl_recovery;                 \
        sig_atomic_t saved_armed = tl_armed;             \
        int caught = sigsetjmp(recovery, 0);             \
        if (caught == 0) {                               \
            tl_recovery = &recovery;                     \
            tl_armed = 1;                                \
            BODY;                                        \
        }                                                \
        tl_armed = saved_armed;                          \
        tl_recovery = saved;                             \
        return caught;                                   \
    } while (0)

int skg_call_entry(StreamKitNativePluginAPIFn entry, const CNativePluginAPI** result) {
    GUARDED(*result = entry());
}

int skg_get_metadata(const CNativePluginAPI* api, const CNodeMetadata** result) {
    GUARDED(*result = api->get_metadata());
}

int skg_create_instance(const CNativePluginAPI* api, const char* params, CLogCallback log, void* log_user_data,
                        CPluginHandle* result) {
    GUARDED(*result = api->create_instance(params, log, log_user_data));
}

int skg_process_packet(const CNativePluginAPI* api, CPluginHandle handle, const char* pin, const CPacket* packet,
                       COutputCallback out, CTelemetryCallback telemetry, void* context, CResult* result) {
    GUARDED(*result = api->process_packet(handle, pin, packet, out, context, telemetry, context));
}

int skg_update_params(const CNativePluginAPI* api, CPluginHandle handle, const char* params, CResult* result) {
    GUARDED(*result = api->update_params(handle, params));
}

int skg_flush(const CNativePluginAPI* api, CPluginHandle handle, COutputCallback out, CTelemetryCallback telemetry,
              void* context, CResult* result) {
    GUARDED(*result = api->flush(handle, out, context, telemetry, context));
}

int skg_destroy_instance(const CNativePluginAPI* api, CPluginHandle handle) {
    GUARDED(api->destroy_instance(handle));
}

int skg_copy_c_string(const char* text, char* buffer, size_t capacity, size_t* length) {
    GUARDED({
        size_t n = 0;
        while (n + 1 < capacity && text[n] != '\0') {
            buffer[n] = text[n];
            n++;
        }
        buffer[n] = '\0';
        *length = n;
    });
}
