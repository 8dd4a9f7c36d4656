import json
from componentize_py_types import Err
from wit_world.exports import node
from wit_world.imports import host, types


class NodeInstance(node.NodeInstance):
    def __init__(self, params):
        self.gain = json.loads(params).get("gain", 1.0) if params else 1.0
        host.log(host.LogLevel.INFO, f"gain {self.gain}")

    def process(self, input_pin, packet):
        if isinstance(packet, types.Packet_Audio):
            frame = packet.value
            out = types.AudioFrame(frame.sample_rate, frame.channels, [s * self.gain for s in frame.samples])
            host.send_output("out", types.Packet_Audio(out))
        elif isinstance(packet, types.Packet_Text):
            raise Err("text not accepted on " + input_pin)

    def update_params(self, params):
        self.gain = json.loads(params).get("gain", self.gain) if params else self.gain

    def cleanup(self):
        pass
