#!/usr/bin/env python3
"""Several live transcription sessions at once, each fed speech in real time (issue 15).

Creates N sessions of a dynamic pipeline (default samples/pipelines/dynamic/live_transcription.yml)
on a running server, streams espeak-ng speech into each session's `mic` media socket at real time
(20 ms blocks on absolute deadlines, as a microphone would), and reads the `stt.result` telemetry
from the control plane. For every utterance it prints the latency from the end of speech (the last
audible sample leaving the client) to the arrival of the final transcript, and whether the session
kept up: every transcript arrived, and before the next utterance of that session ended (so no
backlog builds) and its mic dropped no audio (the jitter buffer overflows when the pipeline behind
it lags). Standard library only; run by scripts/speech/live-sessions.sh, which starts a
server. A benchmark that prints numbers, not a test.

    live_sessions.py --server 127.0.0.1:4545 [--sessions 4] [--utterances 3] [--gap 2.0] [--stagger 0]
"""
import argparse
import base64
import json
import os
import re
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.request

SENTENCES = [
    "Where is the nearest train station?",
    "Please turn off the lights in the kitchen.",
    "The weather will be sunny and warm tomorrow.",
    "My name is John Smith and I live in London.",
    "Can you send me the report before noon?",
    "We need three more chairs for the meeting room.",
    "The concert starts at eight in the evening.",
    "Open the window, it is getting very hot in here.",
    "I would like a cup of coffee with milk.",
    "The train to Paris leaves from platform four.",
    "Remember to water the plants on Sunday.",
    "This sentence was spoken for the live transcription benchmark.",
]
RATE = 48000  # the sample pipeline's microphone rate
BLOCK = RATE // 50  # 20 ms


# ---- a minimal WebSocket client (RFC 6455, client side) ----

class WebSocket:
    def __init__(self, host, port, path):
        self.sock = socket.create_connection((host, port), timeout=10)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
        self.sock.sendall(request.encode())
        self.reader = self.sock.makefile("rb")
        status = self.reader.readline().decode("latin-1")
        while self.reader.readline() not in (b"\r\n", b""):
            pass
        if " 101 " not in status:
            self.sock.close()
            raise ConnectionError(f"{path}: {status.strip()}")
        self.sock.settimeout(None)
        self.lock = threading.Lock()

    def send(self, payload, opcode):
        header = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        body = bytes(b ^ mask[i & 3] for i, b in enumerate(payload)) if n < 256 else _mask(payload, mask)
        with self.lock:
            self.sock.sendall(header + mask + body)

    def send_text(self, text):
        self.send(text.encode(), 0x1)

    def send_binary(self, data):
        self.send(data, 0x2)

    def receive(self):
        """The next text or binary message (bytes), or None once the socket closed."""
        parts = []
        while True:
            head = self.reader.read(2)
            if len(head) < 2:
                return None
            fin, opcode, n = head[0] & 0x80, head[0] & 0x0F, head[1] & 0x7F
            if n == 126:
                n = struct.unpack(">H", self.reader.read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self.reader.read(8))[0]
            payload = self.reader.read(n)
            if opcode == 0x8:
                return None
            if opcode == 0x9:
                self.send(payload, 0xA)
                continue
            if opcode == 0xA:
                continue
            parts.append(payload)
            if fin:
                return b"".join(parts)

    def close(self):
        try:
            self.send(struct.pack(">H", 1000), 0x8)
        except OSError:
            pass
        self.sock.close()


def _mask(payload, mask):
    # XOR with the repeated 4-byte mask, a word at a time.
    n = len(payload)
    key = int.from_bytes(mask * ((n + 3) // 4), "little")
    return (int.from_bytes(payload, "little") ^ (key & ((1 << (8 * n)) - 1))).to_bytes(n, "little")


# ---- speech ----

def speak(sentence):
    """espeak-ng speech resampled to 48 kHz s16 samples, and the index after the last audible one."""
    wav = subprocess.run(["espeak-ng", "-v", "en-us", "-s", "140", "--stdout", sentence], check=True, capture_output=True).stdout
    data = wav[wav.index(b"data") + 8:]
    rate = struct.unpack("<I", wav[24:28])[0]
    source = struct.unpack(f"<{len(data) // 2}h", data[: len(data) // 2 * 2])
    count = len(source) * RATE // rate
    out = [0] * count
    for i in range(count):
        pos = i * rate / RATE
        a = int(pos)
        x = source[a] if a < len(source) else 0
        y = source[a + 1] if a + 1 < len(source) else x
        out[i] = int(x + (y - x) * (pos - a))
    last = max((i for i, v in enumerate(out) if abs(v) > 330), default=0) + 1  # −40 dBFS
    return out, last


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", default="127.0.0.1:4545")
    parser.add_argument("--pipeline", default="samples/pipelines/dynamic/live_transcription.yml")
    parser.add_argument("--sessions", type=int, default=4)
    parser.add_argument("--utterances", type=int, default=3, help="sentences per session")
    parser.add_argument("--gap", type=float, default=2.0, help="seconds of silence after each sentence")
    parser.add_argument("--stagger", type=float, default=0.0, help="seconds between the sessions' starts (0: all at once)")
    parser.add_argument("--json", action="store_true", help="also print the results as one JSON line")
    parser.add_argument("--server-log", help="the server's log: wait for each session's 'moonshine ready' line before streaming")
    parser.add_argument("--server-pid", type=int, help="also print the server's CPU time while the audio streams (Linux /proc)")
    args = parser.parse_args()
    host, port = args.server.rsplit(":", 1)
    port = int(port)
    yaml = open(args.pipeline).read()

    print(f"live sessions: {args.sessions} × {args.utterances} sentences, {args.gap} s pauses, stagger {args.stagger} s, "
          f"pipeline {args.pipeline}", flush=True)
    plans = []  # per session: samples, [(sentence, speech_end_block)]
    for s in range(args.sessions):
        samples = [0] * (RATE // 2)
        utterances = []
        for u in range(args.utterances):
            sentence = SENTENCES[(s * args.utterances + u) % len(SENTENCES)]
            speech, last = speak(sentence)
            utterances.append({"sentence": sentence, "start_s": len(samples) / RATE, "end_sample": len(samples) + last})
            samples += speech + [0] * int(args.gap * RATE)
            utterances[-1]["end_s"] = utterances[-1]["end_sample"] / RATE
        samples += [0] * (3 * RATE)
        plans.append({"samples": samples, "utterances": utterances})

    control = WebSocket(host, port, "/api/v1/control")
    results = {}  # session id → [(arrival, data)]
    timings = {}  # session id → [moonshine.segment data], in order
    responses = {}
    dropped = {}  # session id → audio frames the mic dropped (jitter buffer overflow)

    def read_control():
        while True:  # until the socket closes (the destroy requests at the end need their responses)
            try:
                message = control.receive()
            except (OSError, ValueError, struct.error):
                return
            if message is None:
                return
            try:
                envelope = json.loads(message)
            except ValueError:
                continue
            payload = envelope.get("payload") or {}
            if envelope.get("type") == "response":
                responses[envelope.get("correlation_id")] = payload
            elif payload.get("event") == "nodetelemetry" and (payload.get("data") or {}).get("event_type") == "stt.result":
                results.setdefault(payload.get("session_id"), []).append((time.monotonic(), payload["data"]))
            elif payload.get("event") == "nodetelemetry" and (payload.get("data") or {}).get("event_type") == "moonshine.segment":
                # The plugin's own account of each segment (it comes just before the transcript).
                timings.setdefault(payload.get("session_id"), []).append(payload["data"])
            elif payload.get("event") == "nodetelemetry" and (payload.get("data") or {}).get("event_type") == "websocket.jitter_overflow":
                # The mic dropped audio: the pipeline behind it did not take the frames in time.
                data = payload["data"].get("data") or payload["data"]
                dropped[payload.get("session_id")] = dropped.get(payload.get("session_id"), 0) + int(data.get("dropped_frames", 0))

    reader = threading.Thread(target=read_control, daemon=True)
    reader.start()

    def request(action, **fields):
        cid = f"c{len(responses)}-{time.monotonic_ns()}"
        control.send_text(json.dumps({"type": "request", "correlation_id": cid, "payload": {"action": action, **fields}}))
        deadline = time.monotonic() + 15
        while cid not in responses and time.monotonic() < deadline:
            time.sleep(0.01)
        return responses.get(cid)

    request("getpermissions")  # the control connection is live
    ready_before = 0
    if args.server_log:
        with open(args.server_log, errors="replace") as f:
            text = f.read()
        ready_before = text.count("moonshine ready") + text.count("whisper ready")  # either STT plugin's log line
    sessions = []
    for s in range(args.sessions):
        body = json.dumps({"yaml": yaml, "name": f"live-bench-{s + 1}"}).encode()
        req = urllib.request.Request(f"http://{host}:{port}/api/v1/sessions", data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as response:
            sessions.append(json.loads(response.read())["session_id"])
    sockets = []
    for session in sessions:
        deadline = time.monotonic() + 60
        while True:
            try:
                sockets.append(WebSocket(host, port, f"/api/v1/sessions/{session}/media/mic"))
                break
            except ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
    for ws in sockets:
        ws.send_text(json.dumps({"sample_rate": RATE, "channels": 1, "sample_format": "s16le"}))
    if args.server_log:
        # A user presses "Microphone" once the session is up: wait until every STT node has its
        # model (the first one loads it, the others share it), so start-up is not counted.
        waited = time.monotonic()
        while time.monotonic() - waited < 120:
            with open(args.server_log, errors="replace") as f:
                text = f.read()
                if text.count("moonshine ready") + text.count("whisper ready") >= ready_before + args.sessions:
                    break
            time.sleep(0.1)
        print(f"STT nodes ready after {time.monotonic() - waited:.1f} s", flush=True)

    start = time.monotonic() + 0.5
    late_blocks = [0] * args.sessions

    def stream():
        # One thread paces every session (fewer threads fighting for the GIL on a busy machine):
        # at each 20 ms tick, each session whose stream has started gets its next block.
        for index, plan in enumerate(plans):
            plan["t0"] = start + index * args.stagger
        offset_blocks = [round(index * args.stagger / 0.02) for index in range(args.sessions)]
        total = max(offset_blocks[i] + (len(plans[i]["samples"]) + BLOCK - 1) // BLOCK for i in range(args.sessions))
        for tick in range(total):
            delay = start + tick * 0.02 - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            for index, plan in enumerate(plans):
                block = tick - offset_blocks[index]
                offset = block * BLOCK
                if block < 0 or offset >= len(plan["samples"]):
                    continue
                if delay < -0.02:
                    late_blocks[index] += 1
                chunk = plan["samples"][offset: offset + BLOCK]
                sockets[index].send_binary(struct.pack(f"<{len(chunk)}h", *chunk))
                for u in plan["utterances"]:
                    if "sent_end" not in u and offset + len(chunk) >= u["end_sample"]:
                        u["sent_end"] = time.monotonic()
        for ws in sockets:
            ws.close()

    def server_cpu():
        if not args.server_pid:
            return None
        with open(f"/proc/{args.server_pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    cpu_before = server_cpu()
    stream()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(len(results.get(s, [])) < args.utterances for s in sessions):
        time.sleep(0.1)
    last_arrival = max((a for r in results.values() for a, _ in r), default=time.monotonic())
    streamed = last_arrival - start
    speech_s = sum(u["end_s"] - u["start_s"] for p in plans for u in p["utterances"])
    if cpu_before is not None:
        used = server_cpu() - cpu_before
        print(f"server CPU from the first audio block to the last transcript: {used:.1f} s in {streamed:.1f} s "
              f"({used / streamed:.2f} of {os.cpu_count()} cores); {speech_s:.1f} s of speech in all sessions, "
              f"{used / speech_s:.2f} s CPU per second of speech; load average {open('/proc/loadavg').read().split()[0]}")

    # Match each transcript to the utterance whose speech its segment covers (times from the
    # stream start); fall back to order when a transcript carries no segment times.
    report = []
    beyond_all = []
    worst = 0.0
    kept_up = True
    for index, session in enumerate(sessions):
        plan = plans[index]
        received = results.get(session, [])
        segment_timings = timings.get(session, [])
        for order, (arrival, data) in enumerate(received):
            if order < len(segment_timings):
                data = dict(data, _inference_ms=segment_timings[order].get("inference_ms"))
            segment = (data.get("segments") or [{}])[0]
            end_ms = segment.get("end_time_ms")
            if end_ms is not None:
                target = min(plan["utterances"], key=lambda u: abs(u["end_s"] * 1000 - end_ms))
            else:
                target = plan["utterances"][min(order, len(plan["utterances"]) - 1)]
            target.setdefault("transcripts", []).append((arrival, data.get("text_preview") or data.get("text") or ""))
            if data.get("_inference_ms") is not None:
                target.setdefault("inference_ms", []).append(data["_inference_ms"])
        if dropped.get(session):
            kept_up = False
        print(f"session {index + 1} ({session}): {len(received)} transcript(s), {dropped.get(session, 0)} audio frame(s) dropped by the "
              f"mic (pipeline behind), {late_blocks[index]} late 20 ms block(s) at the client")
        for u_index, u in enumerate(plan["utterances"]):
            entry = {"session": index + 1, "utterance": u_index + 1, "sentence": u["sentence"]}
            if not u.get("transcripts"):
                kept_up = False
                entry["latency_s"] = None
                print(f"  {u_index + 1}. NO TRANSCRIPT for '{u['sentence']}'")
            else:
                arrival = max(a for a, _ in u["transcripts"])
                text = " / ".join(t for _, t in u["transcripts"])
                latency = arrival - u["sent_end"]
                worst = max(worst, latency)
                entry["latency_s"] = round(latency, 3)
                inference = sum(u.get("inference_ms", [])) / 1000
                beyond = latency - inference if u.get("inference_ms") else None
                if beyond is not None:
                    entry["beyond_inference_s"] = round(beyond, 3)
                    beyond_all.append(beyond)
                entry["heard"] = text
                nxt = plan["utterances"][u_index + 1]["sent_end"] if u_index + 1 < len(plan["utterances"]) else None
                behind = nxt is not None and arrival > nxt
                if behind:
                    kept_up = False
                entry["behind"] = behind
                inference_note = f" ({inference:.3f} s inference, {beyond:.3f} s beyond it)" if beyond is not None else ""
                print(f"  {u_index + 1}. {latency:6.3f} s after the end of speech{inference_note}{'  BEHIND (after the next sentence ended)' if behind else ''}: '{text}'")
            report.append(entry)
    latencies = [e["latency_s"] for e in report if e["latency_s"] is not None]
    if latencies:
        latencies.sort()
        median = latencies[len(latencies) // 2]
        print(f"summary: {args.sessions} sessions, {len(latencies)}/{len(report)} transcripts, end of speech → final transcript "
              f"median {median:.3f} s, max {worst:.3f} s; {'all sessions kept up' if kept_up else 'SOME SESSION FELL BEHIND'}")
    if beyond_all:
        beyond_all.sort()
        print(f"beyond the inference time (target ≤ 0.5 s): median {beyond_all[len(beyond_all) // 2]:.3f} s, max {beyond_all[-1]:.3f} s")
    if args.json:
        print(json.dumps({"sessions": args.sessions, "kept_up": kept_up, "dropped_frames": [dropped.get(s, 0) for s in sessions],
                          "utterances": report}))
    for session in sessions:
        request("destroysession", session_id=session)
    control.close()
    return 0 if kept_up else 1


if __name__ == "__main__":
    sys.exit(main())
