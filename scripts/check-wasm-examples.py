#!/usr/bin/env python3
"""Checks the WASM plugin components built by scripts/build-wasm-examples.sh, with wasmtime's
component model (the `wasmtime` package) as the reference host.

    .venv-wasm/bin/python scripts/check-wasm-examples.py

The host side here: `streamkit:plugin/host` (send-output collects packets, log collects lines) and
wasmtime's WASI p2 with nothing granted (no preopens, env, args; stdio not inherited).

For each gain example: metadata; the component's streamkit types against wit/plugin.wit; a 960-
sample sine at +6 dB checked sample by sample; update-params (new value, none, no key, clamping,
a refused value); a non-audio packet refused; a send-output error passed back; cleanup and drop.
For each fixture of sdk/wasm/fixtures: the misbehaviour it exists for.

Every check can fail; a missing component is a failure, never a skip. Exit status 1 on any
failure. The last line reads "N passed, N failed".
"""
import json
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

try:
    from wasmtime import Config, Engine, Store, WasiConfig, WasmtimeError
    from wasmtime import component as cm
except ImportError as error:  # run with the venv's python
    sys.exit(f"check-wasm-examples: cannot import wasmtime ({error}); run with .venv-wasm/bin/python")

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
WASM_TOOLS = VENV_BIN / "wasm-tools"
GAINS = [
    ("gain_filter_c", ROOT / "examples/plugins/gain-wasm-c/build/gain_filter_c.wasm"),
    ("gain_filter_python", ROOT / "examples/plugins/gain-wasm-python/build/gain_filter_python.wasm"),
]
FIXTURES = ROOT / "sdk/wasm/fixtures/build"
NODE = "streamkit:plugin/node@0.1.0"
HOST = "streamkit:plugin/host@0.1.0"
MIB = 1024 * 1024

passed = 0
failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   - {name}")
    else:
        failed += 1
        print(f"FAIL - {name}" + (f": {detail}" if detail else ""))
    return ok


def raises(fn):
    """Runs fn; returns the exception text, or None when it returned."""
    try:
        fn()
    except Exception as error:  # traps come back as WasmtimeError / Trap
        return str(error)
    return None


# ---- components and the host --------------------------------------------------------------------

def load(engine, path, tag):
    """Compiles a component, caching the compiled form beside it (compiling the Python example
    takes ~20 s). A stale or incompatible cache is recompiled."""
    cache = path.parent / f".{path.stem}.{tag}.cwasm"
    if cache.exists() and cache.stat().st_mtime >= path.stat().st_mtime:
        try:
            return cm.Component.deserialize_file(engine, str(cache))
        except WasmtimeError:
            pass
    component = cm.Component.from_file(engine, str(path))
    cache.write_bytes(component.serialize())
    return component


class Host:
    """A linker with the plugin's host imports and WASI p2, and what the guest sent."""

    def __init__(self, engine):
        self.engine = engine
        self.sent = []
        self.logs = []
        self.send_error = None
        self.linker = cm.Linker(engine)
        self.linker.add_wasip2()
        with self.linker.root() as root:
            with root.add_instance(HOST) as host:
                host.add_func("send-output", self._send_output)
                host.add_func("log", self._log)

    def _send_output(self, store, pin, packet):
        self.sent.append((pin, packet))
        return self.send_error  # None = ok, a str = err(str)

    def _log(self, store, level, message):
        self.logs.append((level, message))

    def instantiate(self, component, wasi=None, memory_limit=None, fuel=None):
        store = Store(self.engine)
        store.set_wasi(wasi if wasi is not None else WasiConfig())  # deny by default
        if memory_limit is not None:
            store.set_limits(memory_size=memory_limit)
        if fuel is not None:
            store.set_fuel(fuel)
        instance = self.linker.instantiate(store, component)
        return Plugin(store, instance)


class Plugin:
    def __init__(self, store, instance):
        self.store = store
        node = instance.get_export_index(store, NODE)
        if node is None:
            raise RuntimeError(f"no export {NODE}")

        def func(name):
            index = instance.get_export_index(store, name, node)
            if index is None:
                raise RuntimeError(f"no export {NODE}#{name}")
            return instance.get_func(store, index)

        self._metadata = func("metadata")
        self._new = func("[constructor]node-instance")
        self._process = func("[method]node-instance.process")
        self._update = func("[method]node-instance.update-params")
        self._cleanup = func("[method]node-instance.cleanup")

    def metadata(self):
        return self._metadata(self.store)

    def new(self, params):
        return self._new(self.store, params)

    def process(self, handle, pin, packet):
        return self._process(self.store, handle, pin, packet)

    def update(self, handle, params):
        return self._update(self.store, handle, params)

    def cleanup(self, handle):
        return self._cleanup(self.store, handle)


def audio(samples, rate=48000, channels=1):
    frame = cm.Record()
    setattr(frame, "sample-rate", rate)
    frame.channels = channels
    frame.samples = samples
    return cm.Variant("audio", frame)


def field(record, name):
    return getattr(record, name, None)


# ---- WIT conformance: the streamkit items of a component against wit/plugin.wit ---------------

def render(ty):
    """A structural text form of a component value / function / instance type."""
    if isinstance(ty, cm.FuncType):
        params = ", ".join(f"{n}: {render(t)}" for n, t in ty.params)
        return f"func({params}) -> {render(ty.result) if ty.result is not None else '()'}"
    if isinstance(ty, cm.ListType):
        return f"list<{render(ty.element)}>"
    if isinstance(ty, cm.RecordType):
        return "record{" + ", ".join(f"{n}: {render(t)}" for n, t in ty.fields) + "}"
    if isinstance(ty, cm.TupleType):
        return "tuple<" + ", ".join(render(t) for t in ty.elements) + ">"
    if isinstance(ty, cm.VariantType):
        return "variant{" + ", ".join(n if t is None else f"{n}({render(t)})" for n, t in ty.cases) + "}"
    if isinstance(ty, cm.EnumType):
        return "enum{" + ", ".join(ty.names) + "}"
    if isinstance(ty, cm.FlagsType):
        return "flags{" + ", ".join(ty.names) + "}"
    if isinstance(ty, cm.OptionType):
        return f"option<{render(ty.payload)}>"
    if isinstance(ty, cm.ResultType):
        ok = render(ty.ok) if ty.ok is not None else "_"
        err = render(ty.err) if ty.err is not None else "_"
        return f"result<{ok}, {err}>"
    if isinstance(ty, cm.OwnType):
        return "own<resource>"
    if isinstance(ty, cm.BorrowType):
        return "borrow<resource>"
    if isinstance(ty, cm.ResourceType):
        return "resource"
    return type(ty).__name__.lower()


def streamkit_signature(component):
    """The streamkit:plugin items a component imports and exports, one entry per item of each
    instance ("import streamkit:plugin/host@0.1.0 send-output" -> its rendered type)."""
    ty = component.type
    items = {}
    for kind, table in (("import", ty.imports(ENGINE)), ("export", ty.exports(ENGINE))):
        for name, ext in table.items():
            if not name.startswith("streamkit:plugin/"):
                continue
            inner = ext.ty
            if isinstance(inner, cm.ComponentInstanceType):
                for item, item_ext in inner.exports(ENGINE).items():
                    items[f"{kind} {name} {item}"] = render(item_ext.ty)
            else:
                items[f"{kind} {name}"] = render(inner)
    return items


def reference_signature():
    """Builds a placeholder component of world `plugin` straight from wit/ (wasm-tools
    `component embed --dummy`), i.e. what every plugin must match."""
    with tempfile.TemporaryDirectory() as tmp:
        core = Path(tmp) / "ref.core.wasm"
        comp = Path(tmp) / "ref.wasm"
        subprocess.run([str(WASM_TOOLS), "component", "embed", "--dummy", str(ROOT / "wit"), "--world", "plugin",
                        "-o", str(core)], check=True)
        subprocess.run([str(WASM_TOOLS), "component", "new", str(core), "-o", str(comp)], check=True)
        return streamkit_signature(cm.Component.from_file(ENGINE, str(comp)))


def diff_signature(reference, got):
    """Exports must be exactly the reference's; imports may be a subset (a plugin need not import
    what it never calls) but each item present must be identical."""
    problems = []
    for key, want in reference.items():
        if key not in got:
            if key.startswith("export "):
                problems.append(f"missing {key}")
        elif got[key] != want:
            problems.append(f"{key} differs: {got[key][:200]}")
    problems += [f"unexpected {key}" for key in got if key not in reference]
    return problems


# ---- the gain examples ------------------------------------------------------------------------

SINE = [0.5 * math.sin(2 * math.pi * 440.0 * i / 48000.0) for i in range(960)]


def check_ratio(name, host, expected_db):
    """The single packet sent since host.sent was cleared is the sine times 10^(db/20)."""
    want = 10.0 ** (expected_db / 20.0)
    if not check(f"{name}: one packet sent on `out`", len(host.sent) == 1 and host.sent[0][0] == "out",
                 f"sent {[(p, getattr(v, 'tag', v)) for p, v in host.sent]}"):
        return
    packet = host.sent[0][1]
    if not check(f"{name}: it is audio at 48000 Hz mono", isinstance(packet, cm.Variant) and packet.tag == "audio"
                 and field(packet.payload, "sample-rate") == 48000 and packet.payload.channels == 1,
                 repr(getattr(packet, "tag", packet))):
        return
    out = packet.payload.samples
    if not check(f"{name}: 960 samples back", len(out) == 960, f"got {len(out)}"):
        return
    worst = 0.0
    for x, y in zip(SINE, out):
        if abs(x) > 1e-6:
            worst = max(worst, abs(y / x - want))
        elif abs(y) > 1e-6:
            worst = math.inf
    check(f"{name}: every sample scaled by 10^({expected_db:g}/20) = {want:.6f} (within 1e-4)", worst <= 1e-4,
          f"worst ratio error {worst:.3g}")


def check_gain(kind, path, reference):
    if not check(f"{kind}: component built ({path.relative_to(ROOT)})", path.is_file(),
                 "missing: run scripts/build-wasm-examples.sh"):
        return
    t0 = time.monotonic()
    component = load(ENGINE, path, "std")
    problems = diff_signature(reference, streamkit_signature(component))
    check(f"{kind}: streamkit imports/exports match wit/plugin.wit", not problems, "; ".join(problems))
    host = Host(ENGINE)
    try:
        plugin = host.instantiate(component)
    except Exception as error:
        check(f"{kind}: instantiates with deny-by-default WASI", False, str(error))
        return
    check(f"{kind}: instantiates with deny-by-default WASI ({time.monotonic() - t0:.1f} s incl. compile)", True)

    md = plugin.metadata()
    check(f"{kind}: metadata kind", md.kind == kind, md.kind)
    pin_ok = False
    try:
        (inp,) = md.inputs
        (accepts,) = field(inp, "accepts-types")
        fmt = accepts.payload
        pin_ok = (inp.name == "in" and accepts.tag == "raw-audio" and field(fmt, "sample-rate") == 48000
                  and fmt.channels == 1 and field(fmt, "sample-format") == "float32")
        (outp,) = md.outputs
        pin_ok = pin_ok and outp.name == "out" and field(outp, "produces-type").tag == "raw-audio"
    except (ValueError, AttributeError):
        pass
    check(f"{kind}: pins in (raw audio 48000 Hz mono f32) and out", pin_ok)
    try:
        schema = json.loads(field(md, "param-schema"))
        gain = schema["properties"]["gain_db"]
        schema_ok = (gain["type"] == "number" and gain["default"] == 0 and gain["minimum"] == -60
                     and gain["maximum"] == 20)
    except (ValueError, KeyError, TypeError):
        schema_ok = False
    check(f"{kind}: param-schema is JSON with gain_db number 0, -60…20", schema_ok, field(md, "param-schema"))
    check(f"{kind}: categories audio, filters", md.categories == ["audio", "filters"], repr(md.categories))

    handle = plugin.new('{"gain_db": 6}')
    check(f"{kind}: constructor logs", any(level == "info" for level, _ in host.logs), repr(host.logs))

    def run(label, db):
        host.sent.clear()
        result = plugin.process(handle, "in", audio(SINE))
        if check(f"{kind}: {label}: process returns ok", result is None, repr(result)):
            check_ratio(f"{kind}: {label}", host, db)

    run("gain_db 6", 6)
    check(f"{kind}: update-params gain_db -6 ok", plugin.update(handle, '{"gain_db": -6}') is None)
    run("after update to -6", -6)
    check(f"{kind}: update-params none ok", plugin.update(handle, None) is None)
    check(f"{kind}: update-params without gain_db ok", plugin.update(handle, '{"other": 1}') is None)
    run("none / no key leave the gain", -6)
    check(f"{kind}: update-params gain_db 100 ok", plugin.update(handle, '{"gain_db": 100}') is None)
    run("100 dB clamped to +20", 20)
    check(f"{kind}: update-params gain_db -1000 ok", plugin.update(handle, '{"gain_db": -1000}') is None)
    run("-1000 dB clamped to -60", -60)
    refused = plugin.update(handle, '{"gain_db": "loud"}')
    check(f"{kind}: update-params with a non-number gain_db is refused", isinstance(refused, str) and refused,
          repr(refused))
    run("a refused update leaves the gain", -60)

    host.sent.clear()
    err = plugin.process(handle, "in", cm.Variant("text", "hello"))
    check(f"{kind}: a text packet is refused with an error", isinstance(err, str) and "audio" in err, repr(err))
    check(f"{kind}: nothing sent for it", host.sent == [], repr(host.sent))

    host.send_error = "PinNotFound: out"
    err = plugin.process(handle, "in", audio(SINE))
    host.send_error = None
    check(f"{kind}: a send-output error comes back from process", isinstance(err, str) and "PinNotFound" in err,
          repr(err))

    host.logs.clear()
    error = raises(lambda: plugin.cleanup(handle))
    check(f"{kind}: cleanup", error is None, error)
    error = raises(lambda: handle.drop(plugin.store))
    check(f"{kind}: dropping the handle runs the destructor", error is None, error)

    handle = plugin.new(None)
    run("no params is 0 dB", 0)

    if kind == "gain_filter_c":
        # No leak in the glue: 400 rounds of process + refused update + refused packet + metadata
        # would leak > 1.5 MB (the frames alone); the store allows 2 MiB and starts at ~1.1 MiB.
        small = host.instantiate(component, memory_limit=2 * MIB)
        h = small.new('{"gain_db": 6}')
        frame = audio(SINE)

        def rounds():
            for _ in range(400):
                host.sent.clear()
                if small.process(h, "in", frame) is not None or small.update(h, '{"gain_db": "x"}') is None \
                        or small.process(h, "in", cm.Variant("text", "abc")) is None:
                    raise RuntimeError("unexpected result")
                small.metadata()
        error = raises(rounds)
        check(f"{kind}: 400 rounds of calls fit in a 2 MiB store (the glue frees what it allocates)",
              error is None, error)
    host.logs.clear()
    handle = plugin.new('{"gain_db": "x"}')
    check(f"{kind}: a bad constructor param is logged as a warning", any(l == "warn" for l, _ in host.logs),
          repr(host.logs))
    run("a bad constructor param is 0 dB", 0)


# ---- the fixtures ------------------------------------------------------------------------------

def fixture(name):
    path = FIXTURES / f"{name}.wasm"
    check(f"fixture {name}.wasm built", path.is_file(), "missing: run scripts/build-wasm-examples.sh")
    return path if path.is_file() else None


def check_fixtures(reference):
    path = fixture("stale-wit")
    if path:
        component = load(ENGINE, path, "std")
        problems = diff_signature(reference, streamkit_signature(component))
        check("stale-wit: differs from wit/plugin.wit in the packet types", any("types" in p for p in problems)
              and any("process" in p or "node" in p for p in problems), "; ".join(problems) or "no difference")
        targets = subprocess.run([str(WASM_TOOLS), "component", "targets", str(ROOT / "wit"), "--world", "plugin",
                                  str(path)], capture_output=True, text=True)
        check("stale-wit: `wasm-tools component targets` refuses it (packet has 3 cases, not 4)",
              targets.returncode != 0 and "packet" in targets.stderr, targets.stderr.strip()[-200:])
        gain_c = GAINS[0][1]
        targets = subprocess.run([str(WASM_TOOLS), "component", "targets", str(ROOT / "wit"), "--world", "plugin",
                                  str(gain_c)], capture_output=True, text=True)
        check("gain_filter_c: `wasm-tools component targets` accepts it", targets.returncode == 0,
              targets.stderr.strip()[-200:])

    host = Host(ENGINE)
    path = fixture("echo")
    if path:
        component = load(ENGINE, path, "std")
        problems = diff_signature(reference, streamkit_signature(component))
        check("echo: streamkit imports/exports match wit/plugin.wit", not problems, "; ".join(problems))
        plugin = host.instantiate(component)
        md = plugin.metadata()
        check("echo: pins accept and produce `any`",
              field(md.inputs[0], "accepts-types")[0].tag == "any" and field(md.outputs[0], "produces-type").tag == "any")
        handle = plugin.new(None)
        custom = cm.Record()
        setattr(custom, "type-id", "plugin::wasm::x/event@1")
        custom.encoding = "json"
        custom.data = '{"a": [1, 2], "s": "h\u00e9"}'
        cases = [
            ("audio", audio([0.25, -0.5, 1.0, 0.0], rate=16000, channels=2)),
            ("text", cm.Variant("text", "héllo, wörld")),
            ("empty text", cm.Variant("text", "")),
            ("binary", cm.Variant("binary", bytes(range(256)))),
            ("empty binary", cm.Variant("binary", b"")),
            ("custom", cm.Variant("custom", custom)),
        ]
        for label, packet in cases:
            host.sent.clear()
            host.logs.clear()
            result = plugin.process(handle, "in", packet)
            same = (len(host.sent) == 1 and host.sent[0][0] == "out" and host.sent[0][1].tag == packet.tag
                    and (host.sent[0][1].payload == packet.payload))
            check(f"echo: {label} packet comes back unchanged", result is None and same,
                  repr((result, [(p, v.tag, getattr(v.payload, "__dict__", v.payload)) for p, v in host.sent])))
        check("echo: logs the packet kind and pin", host.logs == [("debug", "echo: custom on in")], repr(host.logs))
        host.send_error = "closed"
        result = plugin.process(handle, "in", cm.Variant("text", "x"))
        host.send_error = None
        check("echo: the host's send-output error text comes back", result == "closed", repr(result))

    path = fixture("no-dtor")
    if path:
        text = subprocess.run([str(WASM_TOOLS), "print", str(path)], capture_output=True, text=True).stdout
        check("no-dtor: its node-instance resource type has no destructor",
              "(resource (rep i32))" in text and "(dtor" not in text)
        plugin = host.instantiate(load(ENGINE, path, "std"))
        handle = plugin.new(None)
        host.sent.clear()
        result = plugin.process(handle, "in", cm.Variant("text", "x"))
        check("no-dtor: otherwise works (echo)", result is None and len(host.sent) == 1, repr(result))
        error = raises(lambda: plugin.cleanup(handle))
        error = error or raises(lambda: handle.drop(plugin.store))
        check("no-dtor: cleanup and dropping the handle are fine without a destructor", error is None, error)

    path = fixture("bad-schema")
    if path:
        plugin = host.instantiate(load(ENGINE, path, "std"))
        md = plugin.metadata()
        try:
            json.loads(field(md, "param-schema"))
            parsed = True
        except ValueError:
            parsed = False
        check("bad-schema: metadata works but its param-schema is not JSON",
              md.kind == "fixture_bad_schema" and not parsed, field(md, "param-schema"))

    path = fixture("trap-constructor")
    if path:
        plugin = host.instantiate(load(ENGINE, path, "std"))
        check("trap-constructor: metadata works", plugin.metadata().kind == "fixture_trap_constructor")
        error = raises(lambda: plugin.new(None))
        check("trap-constructor: the constructor traps (unreachable)", error is not None and "unreachable" in error,
              repr(error))

    path = fixture("infinite-loop")
    if path:
        fuel_engine = Engine(FUEL_CONFIG)
        fuel_host = Host(fuel_engine)
        plugin = fuel_host.instantiate(load(fuel_engine, path, "fuel"), fuel=100_000_000)
        handle = plugin.new(None)
        t0 = time.monotonic()
        error = raises(lambda: plugin.process(handle, "in", audio([0.0] * 4)))
        check("infinite-loop: process runs until the fuel (100 M) is gone", error is not None and "fuel" in error,
              repr(error))
        check("infinite-loop: ... which takes under 30 s", time.monotonic() - t0 < 30)

    path = fixture("memory-bomb")
    if path:
        plugin = host.instantiate(load(ENGINE, path, "std"), memory_limit=64 * MIB)
        handle = plugin.new(None)
        t0 = time.monotonic()
        error = raises(lambda: plugin.process(handle, "in", audio([0.0] * 4)))
        check("memory-bomb: with a 64 MiB limit, process traps once memory.grow fails",
              error is not None and "unreachable" in error, repr(error))
        check("memory-bomb: ... within 30 s", time.monotonic() - t0 < 30)

    path = fixture("stderr-writer")
    if path:
        captured = []
        wasi = WasiConfig()
        wasi.stderr_custom = lambda data: captured.append(bytes(data))
        plugin = host.instantiate(load(ENGINE, path, "std"), wasi=wasi)
        handle = plugin.new(None)
        check("stderr-writer: the constructor writes its line to WASI stderr",
              b"".join(captured) == b"stderr-writer: constructor\n", repr(captured))
        captured.clear()
        result = plugin.process(handle, "in", audio([0.0] * 4))
        check("stderr-writer: process writes its line and returns ok",
              result is None and b"".join(captured) == b"stderr-writer: process\n", repr((result, captured)))
        plugin = host.instantiate(load(ENGINE, path, "std"))  # nothing granted: output discarded
        handle = plugin.new(None)
        check("stderr-writer: with stderr not granted, writing still succeeds",
              plugin.process(handle, "in", audio([0.0] * 4)) is None)

    path = fixture("bad-pointer")
    if path:
        plugin = host.instantiate(load(ENGINE, path, "std"))
        handle = plugin.new(None)
        host.sent.clear()
        error = raises(lambda: plugin.process(handle, "in", audio([0.0] * 4)))
        check("bad-pointer: send-output with an out-of-bounds pin name traps in the host's lifting",
              error is not None and "out of bounds" in error, repr(error))
        check("bad-pointer: the host function never ran", host.sent == [], repr(host.sent))


ENGINE = Engine()
FUEL_CONFIG = Config()
FUEL_CONFIG.consume_fuel = True


def main():
    if not WASM_TOOLS.is_file():
        sys.exit(f"check-wasm-examples: {WASM_TOOLS} missing; run scripts/build-wasm-examples.sh first")
    reference = reference_signature()
    check("reference: wit/plugin.wit yields streamkit host import and node export",
          f"import {HOST} send-output" in reference
          and f"export {NODE} [method]node-instance.process" in reference, repr(sorted(reference)))
    for kind, path in GAINS:
        try:
            check_gain(kind, path, reference)
        except Exception as error:  # a trap or a wrong result type: a failure, and go on
            check(f"{kind}: no unexpected error", False, f"{type(error).__name__}: {error}")
    try:
        check_fixtures(reference)
    except Exception as error:
        check("fixtures: no unexpected error", False, f"{type(error).__name__}: {error}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
