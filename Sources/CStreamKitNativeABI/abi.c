#include "streamkit_plugin.h"

/* Gives the C target a translation unit so SwiftPM builds it, and lets the
 * host ask which ABI version it was compiled against. */
uint32_t streamkit_host_native_abi_version(void) {
    return STREAMKIT_NATIVE_PLUGIN_API_VERSION;
}
