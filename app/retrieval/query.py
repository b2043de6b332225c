"""Query analysis, one home for it: the English side of a Chinese question (kb/glossary.yaml), the content terms that tell two problems apart, how rare each term
is (one IDF table, over the knowledge base's own pages) and tf-idf vectors to compare texts.

Words are cut by `ingest.tokenize` — the lexical index's tokeniser — so a query and the index
see the same words; `text_lang` there is the one language detector.
"""
from __future__ import annotations

import functools
import math
import re

from app.retrieval.vocabulary import glossary, words
from ingest.tokenize import CJK_RE, STOP, WORD_RE, cut_words, text_lang

LATIN_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-/@]*")


def expand_query(query: str) -> str:
    """Append English equivalents of Chinese terms (收件人 → recipient rcpt) for the lexical side."""
    if text_lang(query) != "zh":
        return query
    extra = _glossary_terms(query)
    return query + (" " + " ".join(extra) if extra else "")


def _glossary_terms(query: str) -> list[str]:
    """English for the glossary's Chinese terms found in the query, longest terms first; a term
    inside an already matched longer one (收件 inside 收件人) adds nothing new."""
    out: list[str] = []
    taken: list[str] = []
    for zh, en in glossary().longest_first:
        if zh in query and not any(zh in t for t in taken):
            taken.append(zh)
            out.append(en)
    return out


def english_view(query: str) -> str:
    """The English side of a Chinese question: its Latin-script words (plugin names, codes,
    log text) plus the glossary's English for its Chinese terms. Chinese questions search with
    this too, because most pages exist only in English and, in both the BM25 statistics and the
    embedding space, Chinese words pull towards the few Chinese pages. Empty for English."""
    if text_lang(query) != "zh":
        return ""
    latin = LATIN_RE.findall(query)
    return " ".join(latin + _glossary_terms(query)).strip()


PLACEHOLDER_RE = re.compile(r"\buser\d+@|\b(?:[\w-]+\.)*domain\d+\.example\b|\bIPv[46]_\d+\b")


def content_terms(text: str) -> list[str]:
    """Words that can tell two problems apart: English words (dotted/underscored names whole and
    in parts), Chinese words by jieba — no character bigrams, which match by accident."""
    text = (text or "").lower()
    vocab = words()
    out: list[str] = []
    for w in WORD_RE.findall(text):
        if w in STOP or w in vocab.generic or w in vocab.common_english:
            continue
        s = stem(w)
        if s != w and (s in vocab.generic or s in vocab.common_english):
            continue                    # `adding` is as common as `add`
        out.append(s)
        if any(c in w for c in "._-/@"):
            out += [p for p in re.split(r"[._\-/@]+", w) if len(p) > 1 and p not in STOP and p not in vocab.generic]
    for run in CJK_RE.findall(text):
        out += [w for w in cut_words(run) if w not in STOP and w not in vocab.generic and len(w) > 1]
    return out


def stem(w: str) -> str:
    """One form per plain word, so a question's `reached` / `checking` meet a page's `reach` /
    `check`: plurals to singular (`keys` → `key`, `queries` → `query`), then -ing / -ed and a
    final -e dropped (`stored`, `storing`, `store` → `stor`); names and short words untouched.
    Crude on purpose: both sides go through the same rule, so it only has to be consistent."""
    if not w.isalpha() or len(w) <= 3:
        return w
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("sses", "xes", "ches", "shes", "zes")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for suffix in ("ing", "ed"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[:-len(suffix)]
            if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiouls":
                w = w[:-1]                  # stopped → stop, but install(ed) keeps its ll
            break
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    return w


def strip_identifiers(text: str) -> str:
    """The question without the user's own addresses and domains, which say nothing about
    which passage answers it (`@lists.example.org` must not match "block lists")."""
    from app.core.redact import IdentifierMasker
    return PLACEHOLDER_RE.sub(" ", IdentifierMasker().mask(text or ""))


def expand(question: str) -> str:
    """The question plus English equivalents of its Chinese terms."""
    out = expand_query(question)
    extra = [en for zh, en in glossary().question_terms.items() if zh in question]
    return out + (" " + " ".join(extra) if extra else "")


def question_terms(question: str) -> set[str]:
    return set(content_terms(expand(question)))


@functools.lru_cache(maxsize=2)
def _idf_table(signature: tuple) -> tuple[dict[str, float], float]:
    from app.retrieval.kbpages import kb_pages
    df: dict[str, int] = {}
    n = 0
    for chunks in kb_pages().values():
        for c in chunks:
            n += 1
            for w in set(content_terms(c.text)):
                df[w] = df.get(w, 0) + 1
    return {w: math.log((n + 1) / (d + 1)) + 1.0 for w, d in df.items()}, math.log(n + 1) + 1.0


def idf_table() -> tuple[dict[str, float], float]:
    from app.retrieval.kbpages import _signature
    return _idf_table(_signature())


def weight(term: str, table: tuple[dict[str, float], float] | None = None) -> float:
    idf, unseen = table or idf_table()
    return idf.get(term, unseen)


def tfidf(text: str, table: tuple[dict[str, float], float] | None = None) -> dict[str, float]:
    """Term → weight; cached per text and IDF table (callers must not modify the result)."""
    return _tfidf(text, table or idf_table())


_tfidf_table = None


@functools.lru_cache(maxsize=8192)
def _tfidf_cached(text: str) -> dict[str, float]:
    return _tfidf_compute(text, _tfidf_table)


def _tfidf(text: str, table) -> dict[str, float]:
    """Chunk vectors are asked for again and again; the cache is emptied when the KB changes."""
    global _tfidf_table
    if table is not _tfidf_table:
        _tfidf_cached.cache_clear()
        _tfidf_table = table
    return _tfidf_cached(text)


def _tfidf_compute(text: str, table) -> dict[str, float]:
    counts: dict[str, int] = {}
    for t in content_terms(text):
        counts[t] = counts.get(t, 0) + 1
    return {t: (1.0 + math.log(n)) * weight(t, table) for t, n in counts.items()}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    dot = sum(v * b.get(t, 0.0) for t, v in a.items())
    na = math.sqrt(sum(v * v for v in a.values()))
    nb = math.sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb) if na and nb else 0.0
