"""The lexical (BM25) index beside Chroma — Chroma's local mode has no sparse search.

Built with bm25s from every chunk in the store after each ingest and saved atomically (a new
folder, then a rename), so a crash never leaves a half-written index. A file damaged later
(truncated, overwritten) makes `load` raise `IndexDamaged`, never a numpy or JSON error.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import bm25s
import numpy as np

from ingest.integrity import IndexDamaged
from ingest.tokenize import tokenize


class LexicalIndex:
    def __init__(self, retriever: bm25s.BM25 | None, ids: list[str]):
        self.retriever = retriever
        self.ids = ids

    @classmethod
    def build(cls, ids: list[str], texts: list[str]) -> "LexicalIndex":
        if not ids:
            return cls(None, [])
        corpus = [tokenize(t) or ["\u2205"] for t in texts]
        retriever = bm25s.BM25()
        retriever.index(corpus, show_progress=False)
        return cls(retriever, list(ids))

    def save(self, path: Path) -> None:
        tmp = path.with_name(path.name + ".tmp")
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir(parents=True)
        if self.retriever is not None:
            self.retriever.save(str(tmp / "bm25"))
        (tmp / "ids.json").write_text(json.dumps(self.ids))
        old = path.with_name(path.name + ".old")
        if old.exists():
            shutil.rmtree(old)
        if path.exists():
            path.rename(old)
        tmp.rename(path)
        if old.exists():
            shutil.rmtree(old)

    @classmethod
    def load(cls, path: Path) -> "LexicalIndex":
        """The saved index; empty when none was saved; IndexDamaged when its files cannot be read."""
        if not (path / "ids.json").is_file():
            old = path.with_name(path.name + ".old")   # killed between save()'s two renames
            if not (old / "ids.json").is_file():
                return cls(None, [])
            path = old
        try:
            ids = json.loads((path / "ids.json").read_text())
            if ids and not (path / "bm25").is_dir():
                raise FileNotFoundError("bm25 folder is missing")
            retriever = bm25s.BM25.load(str(path / "bm25")) if ids else None
            docs = retriever.scores.get("num_docs") if retriever is not None else None
        except Exception as exc:        # bm25s and numpy raise many kinds on a damaged file
            raise IndexDamaged(f"the lexical index in {path} cannot be read ({exc.__class__.__name__}: "
                               f"{str(exc)[:160]})") from exc
        if not isinstance(ids, list) or (docs is not None and docs != len(ids)):
            raise IndexDamaged(f"the lexical index in {path} does not match its list of chunks")
        return cls(retriever, ids)

    def search(self, query: str, k: int = 20) -> list[tuple[str, float]]:
        """[(chunk id, score)] best first; empty when nothing matches."""
        if self.retriever is None or not self.ids:
            return []
        tokens = tokenize(query)
        vocab = getattr(self.retriever, "vocab_dict", None) or {}
        tokens = [t for t in tokens if t in vocab] if vocab else tokens
        if not tokens:
            return []
        k = min(k, len(self.ids))
        docs, scores = self.retriever.retrieve([tokens], k=k, show_progress=False, n_threads=1)
        out = []
        for idx, score in zip(np.asarray(docs)[0], np.asarray(scores)[0]):
            if score > 0:
                out.append((self.ids[int(idx)], float(score)))
        return out
