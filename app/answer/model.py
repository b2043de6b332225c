"""The nouns of the answer layer: a numbered passage list, an Answer, and a streaming event."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from app.search import Passage


class Numbering:
    """Passages numbered in the order the answer first cites them, so `[n]` points into `passages`."""

    def __init__(self) -> None:
        self.items: list[Passage] = []
        self._index: dict[str, int] = {}

    @staticmethod
    def key(p: Passage) -> str:
        return p.chunk_id or hashlib.sha256(f"{p.doc_id}\x00{p.text}".encode()).hexdigest()

    def cite(self, p: Passage) -> int:
        k = self.key(p)
        if k not in self._index:
            self.items.append(p)
            self._index[k] = len(self.items)
        return self._index[k]

    def marker(self, *passages: Passage | None) -> str:
        ns = []
        for p in passages:
            if p is not None:
                n = self.cite(p)
                if n not in ns:
                    ns.append(n)
        return "".join(f"[{n}]" for n in ns)

    def __len__(self) -> int:
        return len(self.items)

    def to_dicts(self) -> list[dict[str, Any]]:
        return [passage_dict(n, p) for n, p in enumerate(self.items, 1)]


def passage_dict(n: int, p: Passage) -> dict[str, Any]:
    return {"n": n, "title": p.title, "text": p.text, "source": p.source, "url": p.link, "heading": p.heading}


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

    def to_dict(self) -> dict[str, Any]:
        return {"answer": self.answer, "findings": self.findings, "passages": self.passages, "llm": self.llm,
                "abstained": self.abstained, "lang": self.lang, "relevant": self.relevant,
                "notices": self.notices, "citation_issues": self.citation_issues}


@dataclass
class AnswerEvent:
    """One step of a streamed answer: `notice` (shown above the answer), `token` (append to the text
    shown so far), `final` (replace what was streamed by `answer.answer`: the checked version)."""
    kind: str
    text: str = ""
    answer: Answer | None = None
