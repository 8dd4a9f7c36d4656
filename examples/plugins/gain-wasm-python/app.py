"""gain-wasm-python — a StreamKit WASM plugin in Python, built with componentize-py.

Kind `gain_filter_python` (registered as `plugin::wasm::gain_filter_python`): multiplies 48 kHz
mono f32 audio on pin `in` by a gain in decibels and sends it on `out`.

componentize-py finds the exported interface `node` as the class `Node` of this module (the
app module) and the resource `node-instance` as the class `NodeInstance` of a module named
`node` (see node.py).
"""
from wit_world import exports
from wit_world.imports import streamkit_plugin_types as t

PARAM_SCHEMA = (
    '{"type":"object","properties":{"gain_db":{"type":"number","default":0,'
    '"minimum":-60,"maximum":20,"description":"Gain in decibels"}}}'
)

MONO_48K_F32 = t.PacketType_RawAudio(t.AudioFormat(48000, 1, t.SampleFormat.FLOAT32))


class Node(exports.Node):
    def metadata(self) -> t.NodeMetadata:
        return t.NodeMetadata(
            kind="gain_filter_python",
            inputs=[t.InputPin("in", [MONO_48K_F32])],
            outputs=[t.OutputPin("out", MONO_48K_F32)],
            param_schema=PARAM_SCHEMA,
            categories=["audio", "filters"],
        )
