"""The index as the app reads it: the chunk store (Chroma), the lexical index (bm25s) and the
embedding function, opened once per data home and shared by every page and session.

Only this package reads the index (an import-linter contract says so); everything goes through
chromadb's public API (`ingest.store.ChunkStore`). A damaged index raises `IndexDamaged` from
every read (the lexical files checked against the manifest's checksums when loaded, Chroma's
errors converted), so callers say so instead of crashing or answering without it.
"""
from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from chromadb.errors import ChromaError

from ingest.embeddings import embedding_name, get_embeddings
from ingest.home import data_home
from ingest.integrity import IndexDamaged, lexical_problems, sqlite_problem
from ingest.lexical import LexicalIndex
from ingest.manifest import Manifest
from ingest.pipeline import lexical_path
from ingest.store import is_local, vector_store


@dataclass
class Passage:
    rank: int
    score: float
    title: str
    text: str
    source: str
    url: str
    heading: str
    doc_id: str
    chunk_id: str = ""
    lang: str = "en"
    kind: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def link(self) -> str:
        anchor = ""
        if self.heading and self.url.startswith("http"):
            from ingest.chunking import anchor as make_anchor
            anchor = "#" + make_anchor(self.heading.split(" › ")[-1])
        return self.url + anchor


class Index:
    """The store, the lexical index and the embedding function, loaded once and shared."""

    def __init__(self, home: Path | None = None, embedding: str | None = None):
        self.home = home or data_home()
        self.embedding = embedding or embedding_name()
        self._emb = get_embeddings(self.embedding)
        self.store = vector_store(self.home, self._emb, self.embedding)
        self._lock = threading.Lock()
        self.problem: str | None = None     # why the index is damaged; every read raises it
        self.lexical = self._load_checked()

    def _load_checked(self) -> LexicalIndex:
        """The lexical index, checked against the checksums the last ingest recorded for it, and
        the local store's database checked by SQLite (a damaged page may sit where one search
        does not look: every answer would then be silently incomplete)."""
        path = lexical_path(self.home, self.embedding)
        record = Manifest.load(self.home / "manifest.json").index
        problems = lexical_problems(path, record) if record.get("embedding") == self.embedding else None
        db = self.home / "chroma" / "chroma.sqlite3"
        try:
            if problems:
                raise IndexDamaged(f"the lexical index in {path} is damaged ({problems[0]})")
            lexical = LexicalIndex.load(path)
            bad = sqlite_problem(db) if is_local() else None
            if bad:
                raise IndexDamaged(f"the vector store's database {db} fails SQLite's integrity check ({bad})")
        except IndexDamaged as exc:
            self.problem = str(exc)
            return LexicalIndex(None, [])
        self.problem = None
        return lexical

    def reload_lexical(self) -> None:
        """After an ingest: load the new lexical index and check the index again."""
        with self._lock:
            self.lexical = self._load_checked()

    def check(self) -> None:
        """Raise IndexDamaged when the index is known to be damaged."""
        if self.problem:
            raise IndexDamaged(self.problem)

    @contextmanager
    def _reading(self):
        """Chroma's errors on a damaged store (a malformed database, a broken segment) as IndexDamaged."""
        self.check()
        try:
            yield
        except (ChromaError, sqlite3.DatabaseError) as exc:
            raise IndexDamaged(f"the vector store in {self.home} cannot be read ({exc.__class__.__name__}: "
                               f"{str(exc)[:160]})") from exc

    def count(self) -> int:
        with self._reading():
            return self.store.collection.count()

    def all_chunks(self) -> list[tuple[str, dict]]:
        """Every indexed chunk's text and metadata."""
        with self._reading():
            got = self.store.collection.get(include=["documents", "metadatas"])
        return list(zip(got["documents"], got["metadatas"]))

    def get(self, ids: list[str]) -> dict[str, tuple[str, dict]]:
        if not ids:
            return {}
        with self._reading():
            got = self.store.collection.get(ids=ids, include=["documents", "metadatas"])
        return {i: (t, m) for i, t, m in zip(got["ids"], got["documents"], got["metadatas"])}

    def dense(self, query: str, k: int, where: dict | None = None) -> list[tuple[str, float]]:
        n = self.count()
        if n == 0:
            return []
        vec = self._emb.embed_query(query)
        with self._reading():
            res = self.store.collection.query(query_embeddings=[vec], n_results=min(k, n), where=where,
                                               include=["distances"])
        return [(i, 1.0 - float(d)) for i, d in zip(res["ids"][0], res["distances"][0])]


def passage_from_chunk(rank: int, score: float, cid: str, text: str, meta: dict) -> Passage:
    return Passage(rank=rank, score=round(score, 5), title=meta.get("title", ""), text=text,
                   source=meta.get("source", ""), url=meta.get("url", ""), heading=meta.get("heading", ""),
                   doc_id=meta.get("doc_id", ""), chunk_id=cid, lang=meta.get("lang", "en"),
                   kind=meta.get("kind", ""))


_index: Index | None = None
_index_lock = threading.Lock()


def get_index(home: Path | None = None, embedding: str | None = None) -> Index:
    """The process-wide index (Streamlit sessions share it)."""
    global _index
    with _index_lock:
        if _index is None or (home and _index.home != home) or (embedding and _index.embedding != embedding):
            _index = Index(home, embedding)
        return _index


def open_index(index: Index | None = None, home: Path | None = None, embedding: str | None = None
               ) -> tuple[Index | None, str | None]:
    """The search index, or None with the reason: "not indexed", or "damaged: ..." (rebuild it with
    `mxdoctor ingest`), or "index unreadable: ...". Never builds one."""
    if index is not None:
        return (None, f"damaged: {index.problem}") if index.problem else (index, None)
    h = home or data_home()
    if not (h / "manifest.json").is_file():
        return None, "not indexed"
    try:
        idx = get_index(home=h, embedding=embedding)
        return (idx, None) if idx.count() else (None, "not indexed")
    except IndexDamaged as exc:
        return None, f"damaged: {exc}"
    except Exception as exc:       # a broken index must not break the answer
        return None, f"index unreadable: {exc.__class__.__name__}"
