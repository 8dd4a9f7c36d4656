"""The `node-instance` resource of gain-wasm-python (see app.py).

Parameter `gain_db`: number, -60…+20, default 0; values outside the range are clamped.
 - constructor: no params, invalid JSON or a bad value -> 0 dB with a warning (a WIT constructor
   cannot fail);
 - update-params: none, or no `gain_db` key -> unchanged; invalid JSON or a non-number value ->
   error (the host stops the node);
 - a packet that is not audio -> error "Gain plugin only accepts audio packets".
"""
import json
from typing import Optional

from componentize_py_types import Err
from wit_world.exports import node as node_exports
from wit_world.imports import host
from wit_world.imports import streamkit_plugin_types as t

GAIN_DB_MIN = -60.0
GAIN_DB_MAX = 20.0


def parse_gain_db(params: Optional[str]) -> Optional[float]:
    """The clamped `gain_db` of a params JSON text, None when absent; ValueError when invalid."""
    if params is None or params.strip() == "":
        return None
    try:
        value = json.loads(params)
    except json.JSONDecodeError as error:
        raise ValueError(f"params are not valid JSON: {error}") from None
    if not isinstance(value, dict) or "gain_db" not in value:
        return None
    db = value["gain_db"]
    if isinstance(db, bool) or not isinstance(db, (int, float)) or db != db:
        raise ValueError("gain_db must be a number")
    return min(GAIN_DB_MAX, max(GAIN_DB_MIN, float(db)))


class NodeInstance(node_exports.NodeInstance):
    def __init__(self, params: Optional[str]) -> None:
        try:
            db = parse_gain_db(params)
        except ValueError as error:
            host.log(host.LogLevel.WARN, f"gain_filter_python: {error}; using 0 dB")
            db = None
        self._set(0.0 if db is None else db)
        host.log(host.LogLevel.INFO, f"gain_filter_python: created at {self.gain_db:.2f} dB")

    def _set(self, db: float) -> None:
        self.gain_db = db
        self.linear = 10.0 ** (db / 20.0)

    def process(self, input_pin: str, packet: t.Packet) -> None:
        if not isinstance(packet, t.Packet_Audio):
            raise Err("Gain plugin only accepts audio packets")
        frame = packet.value
        k = self.linear
        out = t.AudioFrame(frame.sample_rate, frame.channels, [s * k for s in frame.samples])
        host.send_output("out", t.Packet_Audio(out))  # raises Err(str) when the host refuses

    def update_params(self, params: Optional[str]) -> None:
        try:
            db = parse_gain_db(params)
        except ValueError as error:
            raise Err(str(error)) from None
        if db is not None:
            self._set(db)
            host.log(host.LogLevel.INFO, f"gain_filter_python: gain now {db:.2f} dB")

    def cleanup(self) -> None:
        host.log(host.LogLevel.INFO, "gain_filter_python: cleanup")
