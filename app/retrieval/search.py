"""Search: hybrid (dense + lexical, fused by reciprocal rank), lexical-only or dense-only.

Chinese questions: the lexical side appends English equivalents from the small bilingual glossary
(kb/glossary.yaml), and both sides also search with the question's "English view" (its Latin
words plus the glossary's English), fused like any other list — otherwise a Chinese question is
pulled towards the few Chinese pages whether or not they answer it. Of a note and its translation
the result shows the one in the question's language. bench/retrieval.py measures all of this.
"""
from __future__ import annotations

import re

from app.retrieval.index import Index, Passage, get_index, passage_from_chunk
from app.retrieval.query import english_view, expand_query
from ingest.tokenize import text_lang

RRF_K = 20                # small: the first ranks of two good lists should count most (bench: 60 was worse)
DENSE_WEIGHT = 1.0
LEXICAL_WEIGHT = 1.0
CROSS_WEIGHT = 1.0        # a Chinese question's English view, relative to the question itself
MAX_PER_DOC = 2           # passages per document in one result list, so one long page cannot fill it
PREFER_LANG = True        # of a note and its translation, keep the one in the question's language
MODES = ("hybrid", "lexical", "dense")


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


def _twins(fused: list[tuple[str, float]], chunks: dict[str, tuple[str, dict]]) -> dict[tuple[str, str], str]:
    """The best chunk of each translated note, by language: a note found in the other language
    is shown in the question's language, at the rank its best twin earned."""
    twin: dict[tuple[str, str], str] = {}
    for cid, _ in fused:
        meta = chunks.get(cid, ("", {}))[1]
        if meta.get("note"):
            twin.setdefault((meta["note"], meta.get("lang", "en")), cid)
    return twin


class _Results:
    """The passages kept so far: no chunk twice, at most MAX_PER_DOC per document, no near-duplicate."""

    def __init__(self, k: int):
        self.k = k
        self.out: list[Passage] = []
        self.kept: list[set[str]] = []
        self.emitted: set[str] = set()
        self.per_doc: dict[str, int] = {}

    def full(self) -> bool:
        return len(self.out) >= self.k

    def offer(self, cid: str, score: float, text: str, meta: dict) -> None:
        doc_id = meta.get("doc_id", "")
        if cid in self.emitted or (MAX_PER_DOC and self.per_doc.get(doc_id, 0) >= MAX_PER_DOC):
            return
        sh = _shingles(text)
        if any(_near_duplicate(sh, other) for other in self.kept):
            return
        self.kept.append(sh)
        self.emitted.add(cid)
        self.per_doc[doc_id] = self.per_doc.get(doc_id, 0) + 1
        self.out.append(passage_from_chunk(len(self.out) + 1, score, cid, text, meta))


def search(query: str, k: int = 5, mode: str = "hybrid", sources: list[str] | None = None,
           index: Index | None = None, pool: int = 30) -> list[Passage]:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}")
    index = index or get_index()
    index.check()       # a damaged index raises IndexDamaged here, not somewhere inside bm25s or Chroma
    where = {"source": {"$in": sources}} if sources else None
    rankings, weights = _rankings(query, mode, index, where, pool)
    fused = _fuse(rankings, weights) if len(rankings) > 1 else rankings[0]
    chunks = index.get([cid for cid, _ in fused[: pool * 3]])
    lang = text_lang(query)
    twin = _twins(fused, chunks)
    results = _Results(k)
    for cid, score in fused:
        if cid not in chunks:
            continue
        meta = chunks[cid][1]
        if PREFER_LANG and meta.get("note") and meta.get("lang", "en") != lang:
            cid = twin.get((meta["note"], lang), cid)
        text, meta = chunks[cid]
        if sources and meta.get("source") not in sources:
            continue
        results.offer(cid, score, text, meta)
        if results.full():
            break
    return results.out
