import json
from wit_world import exports
from wit_world.imports import host, types


class Node(exports.Node):
    def metadata(self) -> types.NodeMetadata:
        audio = types.PacketType_RawAudio(types.AudioFormat(48000, 1, types.SampleFormat.FLOAT32))
        return types.NodeMetadata(
            kind="py_gain",
            inputs=[types.InputPin("in", [audio])],
            outputs=[types.OutputPin("out", audio)],
            param_schema='{"type":"object","properties":{"gain":{"type":"number"}}}',
            categories=["audio", "filters"],
        )
