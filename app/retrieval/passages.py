"""Passages for an answer: each finding's own pages first, then what the index finds for the question.

Finding-keyed: the rule's page (its "Why" and "Fix" sections say exactly what the finding says)
and the best chunk of each note the rule cites, kept only when the chunk shares enough of the
finding's distinctive words to really back it. Question-keyed: hybrid search, minus the pages of
rules that did not fire (quoting them would suggest a problem the checks did not find).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.core.instructions import looks_like_instruction
from app.core.model import Finding
from app.retrieval.index import Index, IndexDamaged, Passage
from app.retrieval.kbpages import doc_chunks, finding_doc_ids
from app.retrieval.query import cosine, tfidf
from app.retrieval.search import search

RULE_ID_RE = re.compile(r"\bMXD\d{3}\b", re.I)
EXACT_RE = re.compile(r"\b(?:ERR[A-Z]\d{2}|E[A-Z]{5,}|[45]\d\d|MXD\d{3})\b|[a-z]+_[a-z_]+|\w+\.\w+\.\w+")
EXACT_EXTRA = 3
NOTE_SUPPORT = 0.30        # tf-idf cosine between the finding and a note chunk to cite it at all
SECOND_NOTE_SUPPORT = 0.40
TRANSLATION_MATCH = 0.20   # a translated chunk must clearly be the counterpart of the English one


@dataclass
class FindingSources:
    finding: Finding
    why: Passage | None = None
    fix: Passage | None = None
    notes: list[Passage] = field(default_factory=list)
    changes: list = field(default_factory=list)     # app.retrieval.changelog.Change: later releases about it


@dataclass
class Retrieved:
    findings: list[FindingSources] = field(default_factory=list)
    question: list[Passage] = field(default_factory=list)
    indexed: bool = True
    problem: str | None = None


def _rule_section(chunks: list[Passage], name: str, lang: str = "en") -> Passage | None:
    from ingest.rulepages import PAGE_WORDS
    title = (PAGE_WORDS.get(lang) or PAGE_WORDS["en"])[name]
    for c in chunks:
        if c.heading.split(" › ")[-1].strip().lower() in (name, title.lower()) or f"\n## {title}\n" in f"\n{c.text}\n":
            return c
    return None


def _best(vec: dict[str, float], chunks: list[Passage]) -> tuple[float, Passage | None]:
    best, top = 0.0, None
    for c in chunks:
        s = cosine(vec, tfidf(c.text))
        if s > best:
            best, top = s, c
    return best, top


def finding_sources(f: Finding, lang: str = "en") -> FindingSources:
    """The rule page's Why/Fix chunks and the cited notes' chunks that say what the finding says.

    A note is cited only when its best chunk is close to the finding's own text; for a Chinese
    question the note's translation is cited instead when one of its chunks is clearly the
    counterpart of that English chunk."""
    page_lang = lang if lang != "en" and doc_chunks(f"kb:rule:{f.rule}.{lang}") else "en"
    rule_chunks = doc_chunks(f"kb:rule:{f.rule}" + (f".{lang}" if page_lang != "en" else ""))
    out = FindingSources(finding=f, why=_rule_section(rule_chunks, "why", page_lang) or
                         (rule_chunks[0] if rule_chunks else None), fix=_rule_section(rule_chunks, "fix", page_lang))
    from app.core.localize import english
    vec = tfidf(f"{english(f, 'title')}\n{english(f, 'explanation')}")
    scored: list[tuple[float, Passage]] = []
    for doc_id in finding_doc_ids(f.rule, f.citations, "en")[1:]:
        s, chunk = _best(vec, doc_chunks(doc_id))
        if chunk is not None and s >= NOTE_SUPPORT:
            scored.append((s, chunk))
    scored.sort(key=lambda sc: -sc[0])
    picked = [c for i, (s, c) in enumerate(scored[:2]) if i == 0 or s >= SECOND_NOTE_SUPPORT]
    for chunk in picked:
        if lang != "en":
            s, translated = _best(tfidf(chunk.text), doc_chunks(f"{chunk.doc_id}.{lang}"))
            if translated is not None and s >= TRANSLATION_MATCH:
                chunk = translated
        out.notes.append(chunk)
    return out


OWN_SOURCES = ("kb", "npm:")     # what ships with mxdoctor; anything else is the team's own
# a changelog release is an answer only to a question about releases; otherwise its entries (a
# word or two each) outrank the pages that explain, and findings get theirs from app.retrieval.changelog
VERSION_QUESTION_RE = re.compile(r"(?i)\b(?:changelog|changes?|changed|release[sd]?|version|upgrade[sd]?|"
                                 r"fixed in|v?\d+\.\d+(?:\.\d+)?)\b|版本|更新|升级")


def is_team_page(p: Passage) -> bool:
    return not p.source.startswith(OWN_SOURCES)


def question_passages(query: str, index: Index | None, fired: set[str], k: int = 6, team: bool = False
                      ) -> list[Passage]:
    """Hybrid search for the question, without pages of rules that did not fire. `team`: the
    question is about the team's own setup, so the team's best page (if the search found one) leads."""
    if index is None or not query.strip():
        return []
    named = {m.upper() for m in RULE_ID_RE.findall(query)}
    allowed = fired | named
    out: list[Passage] = []
    hits = search(query, k=k * 3, index=index)
    if EXACT_RE.search(query):
        # an error code or a log token must be found verbatim, whatever the embedding thinks
        exact = search(query, k=EXACT_EXTRA * 3, mode="lexical", index=index)
        hits = hits[:k] + exact + hits[k:]
    seen: set[str] = set()
    for p in hits:
        if p.kind == "rule" and p.doc_id.rsplit(":", 1)[-1] not in allowed or p.chunk_id in seen:
            continue
        if p.kind == "changelog" and not VERSION_QUESTION_RE.search(query):
            continue
        if looks_like_instruction(p.text):
            continue        # a document that talks to the model is not a source, whatever else it says
        seen.add(p.chunk_id)
        out.append(p)
        if len(out) >= k + EXACT_EXTRA:
            break
    if team:
        own = next((p for p in out if is_team_page(p)), None)
        if own is not None:
            out.remove(own)
            out.insert(0, own)
    return out


def retrieve(question: str, relevant: list[Finding], *, index: Index | None, fired: set[str], k: int = 6,
             lang: str = "en", query: str | None = None, team: bool = False, versions=None) -> Retrieved:
    """`versions` (app.core.versions.Versions): when known, each finding gets the entries of later
    releases' changelogs that are about it."""
    r = Retrieved(findings=[finding_sources(f, lang) for f in relevant], indexed=index is not None)
    if versions is not None and index is not None:
        from app.retrieval.changelog import finding_changes
        for fs in r.findings:
            try:
                fs.changes = finding_changes(fs.finding, versions, index)
            except Exception:      # a changelog lookup failing leaves the answer as it was
                fs.changes = []
    try:
        r.question = question_passages(query or question, index, fired, k, team=team)
    except IndexDamaged as exc:     # said as such: "rebuild it", not "not indexed"
        r.indexed = False
        r.problem = f"damaged: {exc}"
    except Exception as exc:       # search failing leaves the finding-keyed answer intact
        r.indexed = False
        r.problem = f"search failed: {exc.__class__.__name__}"
    return r
