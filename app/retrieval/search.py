"""Retrieval: hybrid (dense + lexical, fused by reciprocal rank), lexical-only or dense-only.

Also the finding-keyed lookup the answer layer uses: a rule's own page and the notes it cites
come first, then whatever else answers the question.

Chinese questions: the lexical side appends English equivalents from the small bilingual glossary
(kb/glossary.yaml), and both sides also search with the question's "English view" (its Latin
words plus the glossary's English), fused like any other list — otherwise a Chinese question is
pulled towards the few Chinese pages whether or not they answer it. Of a note and its translation
the result shows the one in the question's language. bench/retrieval.py measures all of this.
"""
from __future__ import annotations

import functools
import re
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from ingest.embeddings import embedding_name, get_embeddings
from ingest.filestamp import FileStamp, stamp
from ingest.home import data_home
from ingest.kbdata import kb_path
from ingest.lexical import LexicalIndex
from ingest.pipeline import lexical_path
from ingest.store import vector_store

RRF_K = 20                # small: the first ranks of two good lists should count most (bench: 60 was worse)
DENSE_WEIGHT = 1.0
LEXICAL_WEIGHT = 1.0
CROSS_WEIGHT = 1.0        # a Chinese question's English view, relative to the question itself
MAX_PER_DOC = 2           # passages per document in one result list, so one long page cannot fill it
PREFER_LANG = True        # of a note and its translation, keep the one in the question's language
MODES = ("hybrid", "lexical", "dense")
CJK_RE = re.compile(r"[\u4e00-\u9fff]")
LATIN_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-/@]*")


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
        self.lexical = LexicalIndex.load(lexical_path(self.home, self.embedding))
        self._lock = threading.Lock()


    def reload_lexical(self) -> None:
        with self._lock:
            self.lexical = LexicalIndex.load(lexical_path(self.home, self.embedding))

    def count(self) -> int:
        return self.store._collection.count()

    def all_chunks(self) -> list[tuple[str, dict]]:
        """Every indexed chunk's text and metadata."""
        got = self.store._collection.get(include=["documents", "metadatas"])
        return list(zip(got["documents"], got["metadatas"]))

    def get(self, ids: list[str]) -> dict[str, tuple[str, dict]]:
        if not ids:
            return {}
        got = self.store._collection.get(ids=ids, include=["documents", "metadatas"])
        return {i: (t, m) for i, t, m in zip(got["ids"], got["documents"], got["metadatas"])}

    def dense(self, query: str, k: int, where: dict | None = None) -> list[tuple[str, float]]:
        if self.count() == 0:
            return []
        vec = self._emb.embed_query(query)
        res = self.store._collection.query(query_embeddings=[vec], n_results=min(k, self.count()), where=where,
                                           include=["distances"])
        return [(i, 1.0 - float(d)) for i, d in zip(res["ids"][0], res["distances"][0])]


@functools.lru_cache(maxsize=4)
def _glossary(file: FileStamp) -> list[tuple[str, str]]:
    if file.size < 0:
        return []
    data = yaml.safe_load(Path(file.path).read_text(encoding="utf-8")) or {}
    pairs = []
    for zh, en in (data.get("terms") or {}).items():
        pairs.append((str(zh), " ".join(en) if isinstance(en, list) else str(en)))
    return sorted(pairs, key=lambda p: -len(p[0]))


def expand_query(query: str) -> str:
    """Append English equivalents of Chinese terms (收件人 → recipient rcpt) for the lexical side."""
    if not CJK_RE.search(query):
        return query
    extra = _glossary_terms(query)
    return query + (" " + " ".join(extra) if extra else "")


def _glossary_terms(query: str) -> list[str]:
    """English for the glossary's Chinese terms found in the query, longest terms first; a term
    inside an already matched longer one (收件 inside 收件人) adds nothing new."""
    out: list[str] = []
    taken: list[str] = []
    for zh, en in _glossary(stamp(kb_path("glossary.yaml"))):
        if zh in query and not any(zh in t for t in taken):
            taken.append(zh)
            out.append(en)
    return out


def english_view(query: str) -> str:
    """The English side of a Chinese question: its Latin-script words (plugin names, codes,
    log text) plus the glossary's English for its Chinese terms. Chinese questions search with
    this too, because most pages exist only in English and, in both the BM25 statistics and the
    embedding space, Chinese words pull towards the few Chinese pages. Empty for English."""
    if not CJK_RE.search(query):
        return ""
    latin = LATIN_RE.findall(query)
    return " ".join(latin + _glossary_terms(query)).strip()


def query_lang(query: str) -> str:
    return "zh" if CJK_RE.search(query) else "en"


def _fuse(rankings: list[list[tuple[str, float]]], weights: list[float]) -> list[tuple[str, float]]:
    """Weighted reciprocal-rank fusion: rank matters, raw scores of different kinds never mix."""
    scores: dict[str, float] = {}
    for ranking, w in zip(rankings, weights):
        for rank, (cid, _) in enumerate(ranking):
            scores[cid] = scores.get(cid, 0.0) + w / (RRF_K + rank + 1)
    return sorted(scores.items(), key=lambda kv: -kv[1])


def _shingles(text: str) -> set[str]:
    words = re.findall(r"\w+", text.lower())
    return {" ".join(words[i:i + 4]) for i in range(max(1, len(words) - 3))}


def _near_duplicate(a: set[str], b: set[str]) -> bool:
    return bool(a and b) and len(a & b) / min(len(a), len(b)) > 0.8


def _rankings(query: str, mode: str, index: Index, where: dict | None, pool: int
              ) -> tuple[list[list[tuple[str, float]]], list[float]]:
    """The ranked lists to fuse for `mode`, with their weights: the question itself and, for a
    Chinese question, its English view, on the dense and/or the lexical side."""
    english = english_view(query)
    rankings: list[list[tuple[str, float]]] = []
    weights: list[float] = []
    if mode in ("hybrid", "dense"):
        rankings.append(index.dense(query, pool, where))
        weights.append(DENSE_WEIGHT)
        if english:
            rankings.append(index.dense(english, pool, where))
            weights.append(DENSE_WEIGHT * CROSS_WEIGHT)
    if mode in ("hybrid", "lexical"):
        rankings.append(index.lexical.search(expand_query(query), pool * 2))
        weights.append(LEXICAL_WEIGHT)
        if english:
            rankings.append(index.lexical.search(english, pool * 2))
            weights.append(LEXICAL_WEIGHT * CROSS_WEIGHT)
    return rankings, weights


def search(query: str, k: int = 5, mode: str = "hybrid", sources: list[str] | None = None,
           index: Index | None = None, pool: int = 30) -> list[Passage]:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}")
    index = index or get_index()
    where = {"source": {"$in": sources}} if sources else None
    rankings, weights = _rankings(query, mode, index, where, pool)
    fused = _fuse(rankings, weights) if len(rankings) > 1 else rankings[0]
    chunks = index.get([cid for cid, _ in fused[: pool * 3]])
    lang = query_lang(query)
    # the best chunk of each translated note, by language: a note found in the other language
    # is shown in the question's language, at the rank its best twin earned
    twin: dict[tuple[str, str], str] = {}
    for cid, _ in fused:
        meta = chunks.get(cid, ("", {}))[1]
        if meta.get("note"):
            twin.setdefault((meta["note"], meta.get("lang", "en")), cid)
    out: list[Passage] = []
    kept: list[set[str]] = []
    emitted: set[str] = set()
    per_doc: dict[str, int] = {}
    for cid, score in fused:
        if cid not in chunks:
            continue
        meta = chunks[cid][1]
        if PREFER_LANG and meta.get("note") and meta.get("lang", "en") != lang:
            cid = twin.get((meta["note"], lang), cid)
        if cid in emitted:
            continue
        text, meta = chunks[cid]
        if sources and meta.get("source") not in sources:
            continue
        doc_id = meta.get("doc_id", "")
        if MAX_PER_DOC and per_doc.get(doc_id, 0) >= MAX_PER_DOC:
            continue
        sh = _shingles(text)
        if any(_near_duplicate(sh, other) for other in kept):
            continue
        kept.append(sh)
        emitted.add(cid)
        per_doc[doc_id] = per_doc.get(doc_id, 0) + 1
        out.append(_passage(len(out) + 1, score, cid, text, meta))
        if len(out) >= k:
            break
    return out


def _passage(rank: int, score: float, cid: str, text: str, meta: dict) -> Passage:
    return Passage(rank=rank, score=round(score, 5), title=meta.get("title", ""), text=text,
                   source=meta.get("source", ""), url=meta.get("url", ""), heading=meta.get("heading", ""),
                   doc_id=meta.get("doc_id", ""), chunk_id=cid, lang=meta.get("lang", "en"),
                   kind=meta.get("kind", ""))


def passages_for_finding(rule_id: str, citations: list[str], question: str = "", k: int = 3,
                         index: Index | None = None, lang: str | None = None) -> list[Passage]:
    """The rule's own page, then the notes it cites (in the question's language when there is
    a translation), best chunk of each for the question; topped up by a normal search."""
    index = index or get_index()
    doc_ids = [f"kb:rule:{rule_id}"]
    for c in citations:
        if c.startswith("note:"):
            note = c.split(":", 1)[1]
            if lang and lang != "en":
                doc_ids.append(f"kb:note:{note}.{lang}")
            doc_ids.append(f"kb:note:{note}")
    out: list[Passage] = []
    query = question or rule_id
    for doc_id in doc_ids:
        hits = index.dense(query, 1, {"doc_id": doc_id}) if index.count() else []
        if not hits:
            continue
        chunk = index.get([hits[0][0]])
        for cid, (text, meta) in chunk.items():
            out.append(_passage(len(out) + 1, hits[0][1], cid, text, meta))
        if len(out) >= k:
            break
    return out


_index: Index | None = None
_index_lock = threading.Lock()


def get_index(home: Path | None = None, embedding: str | None = None) -> Index:
    """The process-wide index (Streamlit sessions share it)."""
    global _index
    with _index_lock:
        if _index is None or (home and _index.home != home) or (embedding and _index.embedding != embedding):
            _index = Index(home, embedding)
        return _index
