#!/usr/bin/env python3
"""Re-derives wit/deps/ (the WASI 0.2.0 WIT packages that wit/plugin.wit includes) from the
componentize-py wheel, the way they were vendored. See wit/deps/README.md.

    .venv-wasm/bin/python scripts/extract-wasi-wit.py OUT_DIR      (needs the `zstd` command)

componentize-py ships no .wit files; it carries wasi-libc for wasm32-wasip2 as a zstd-compressed
core module whose `component-type:wasip2__wasi_libc` custom section encodes the WIT world
wasi:cli/imports@0.2.0 with every interface in full. `wasm-tools component wit --out-dir`
prints it back as one file per package (doc comments are not part of the encoding).
"""
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import componentize_py

def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = Path(sys.argv[1])
    so = next(Path(componentize_py.__file__).parent.glob("componentize_py*.so"))
    data = so.read_bytes()
    wasm_tools = Path(sys.executable).parent / "wasm-tools"
    starts = [m.start() for m in re.finditer(re.escape(b"\x28\xb5\x2f\xfd"), data)]  # zstd frames
    with tempfile.TemporaryDirectory() as tmp:
        for i, start in enumerate(starts):
            end = starts[i + 1] if i + 1 < len(starts) else len(data)
            frame = Path(tmp) / "frame.zst"
            frame.write_bytes(data[start:end])
            module = subprocess.run(["zstd", "-d", "-q", "-c", str(frame)], capture_output=True).stdout
            if not module.startswith(b"\0asm") or b"component-type:wasip2__wasi_libc" not in module:
                continue
            path = Path(tmp) / "libc.wasm"
            path.write_bytes(module)
            subprocess.run([str(wasm_tools), "component", "wit", str(path), "--out-dir", str(out)], check=True)
            print(f"written to {out}/deps/: move each <pkg>.wit to wit/deps/<pkg>/<pkg>.wit")
            return
    sys.exit("no wasip2 wasi-libc module with a component-type section found in " + str(so))

if __name__ == "__main__":
    main()
