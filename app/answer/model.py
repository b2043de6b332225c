"""The nouns of the answer layer: a numbered passage list, an Answer, and a streaming event."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from app.retrieval.index import Passage


class Numbering:
    """Passages numbered in the order the answer first cites them, so `[n]` points into `passages`."""

    def __init__(self) -> None:
        self.items: list[Passage] = []
        self._index: dict[str, int] = {}
        self.support: dict[int, str] = {}    # n -> the sentence of passage n that backs what cites it

    @staticmethod
    def key(p: Passage) -> str:
        return p.chunk_id or hashlib.sha256(f"{p.doc_id}\x00{p.text}".encode()).hexdigest()

    def cite(self, p: Passage, support: str = "") -> int:
        k = self.key(p)
        if k not in self._index:
            self.items.append(p)
            self._index[k] = len(self.items)
        n = self._index[k]
        if support and not self.support.get(n):
            self.support[n] = support
        return n

    def marker(self, *passages: Passage | None, support: str = "") -> str:
        """`[n]` for each passage; `support` is the claim they back (each gets its closest sentence)."""
        ns = []
        for p in passages:
            if p is not None:
                n = self.cite(p, supporting_sentence(p, support) if support else "")
                if n not in ns:
                    ns.append(n)
        return "".join(f"[{n}]" for n in ns)

    def __len__(self) -> int:
        return len(self.items)

    def to_dicts(self) -> list[dict[str, Any]]:
        return [passage_dict(n, p, self.support.get(n, "")) for n, p in enumerate(self.items, 1)]


def supporting_sentence(p: Passage, claim: str) -> str:
    """The sentence of `p` closest to `claim`: what a source card shows under the title (a rule
    page's template slots read as '…')."""
    from app.core.links import readable_title
    from app.retrieval.query import cosine, tfidf
    from app.retrieval.sentences import sentences
    target = tfidf(claim)
    best, top = -1.0, ""
    for s in sentences(p.text):
        if "```" in s:
            continue
        score = cosine(target, tfidf(s))
        if score > best:
            best, top = score, s
    return readable_title(top)


def passage_dict(n: int, p: Passage, support: str = "") -> dict[str, Any]:
    return {"n": n, "title": p.title, "text": p.text, "source": p.source, "url": p.link, "heading": p.heading,
            "support": support or supporting_sentence(p, p.title)}


@dataclass
class Answer:
    """What `ask` returns; `to_dict()` is the JSON of `mxdoctor ask --format json`."""
    answer: str
    findings: list[dict[str, Any]] = field(default_factory=list)   # every finding, as in `check`
    passages: list[dict[str, Any]] = field(default_factory=list)   # {"n","title","text","source","url","heading"}
    llm: dict[str, str] | None = None
    abstained: bool = False
    lang: str = "en"
    relevant: list[str] = field(default_factory=list)              # rule ids the answer leads with
    notices: list[str] = field(default_factory=list)               # fallbacks, index state, flagged citations
    citation_issues: list[str] = field(default_factory=list)
    cached: bool = False
    timings: dict[str, float] = field(default_factory=dict)
    question: str = ""
    headline: str = ""            # the answer's first line: what is wrong and what to do
    held: list[str] = field(default_factory=list)   # why the model's answer was not shown (app.answer.advice)

    def to_dict(self) -> dict[str, Any]:
        return {"answer": self.answer, "headline": self.headline, "findings": self.findings,
                "passages": self.passages, "llm": self.llm, "abstained": self.abstained, "lang": self.lang,
                "relevant": self.relevant, "notices": self.notices, "citation_issues": self.citation_issues,
                "llm_held": self.held}


@dataclass
class AnswerEvent:
    """One step of a streamed answer: `notice` (shown above the answer), `token` (append to the text
    shown so far), `final` (replace what was streamed by `answer.answer`: the checked version)."""
    kind: str
    text: str = ""
    answer: Answer | None = None
