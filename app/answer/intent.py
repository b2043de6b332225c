"""What kind of question it is: a symptom ("mail never arrives"), a review ("is this OK?"), how to
verify, or something specific; and whether it continues the previous question.

The wording lists are data (kb/questions.yaml), so a team can teach mxdoctor how its own admins
ask without touching code.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, field_validator

from app.core.kbfile import load_kb
from ingest.filestamp import FileStamp, stamp
from ingest.kbdata import kb_path
from ingest.tokenize import cjk_count


@dataclass(frozen=True)
class Vocabulary:
    symptom: tuple[re.Pattern, ...]
    review: tuple[re.Pattern, ...]
    verify: tuple[re.Pattern, ...]
    team: tuple[re.Pattern, ...]
    followup: tuple[re.Pattern, ...]
    followup_max_words: int
    concepts: dict[str, frozenset[str]]
    symptom_words: frozenset[str]
    neutral: frozenset[str]


class QuestionWords(BaseModel):
    """kb/questions.yaml as written: regexes per kind of question, word lists per concept."""
    model_config = ConfigDict(extra="forbid")
    symptom: list[str] = []
    review: list[str] = []
    verify: list[str] = []
    team: list[str] = []
    followup: list[str] = []
    followup_max_words: int = 4
    concepts: dict[str, list[str | int]] = {}
    symptom_words: list[str | int] = []
    neutral: list[str | int] = []

    @field_validator("symptom", "review", "verify", "team", "followup")
    @classmethod
    def _regexes(cls, patterns: list[str]) -> list[str]:
        for p in patterns:
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(f"{p!r} is not a regex: {exc}") from None
        return patterns


@functools.lru_cache(maxsize=4)
def _load(file: FileStamp) -> Vocabulary:
    from app.retrieval.query import stem
    data = load_kb(QuestionWords, "questions.yaml")

    def rx(patterns: list[str]) -> tuple[re.Pattern, ...]:
        return tuple(re.compile(p, re.I) for p in patterns)

    def words(items) -> frozenset[str]:
        return frozenset(stem(str(w).lower()) for w in items)
    return Vocabulary(symptom=rx(data.symptom), review=rx(data.review), verify=rx(data.verify), team=rx(data.team),
                      followup=rx(data.followup), followup_max_words=data.followup_max_words,
                      concepts={cat: words(ws) for cat, ws in data.concepts.items()},
                      symptom_words=words(data.symptom_words), neutral=words(data.neutral))


def vocabulary() -> Vocabulary:
    """kb/questions.yaml, typed (a slip names the file, line and key), re-read when it changes."""
    return _load(stamp(kb_path("questions.yaml")))


def _any(patterns, text: str) -> bool:
    return any(p.search(text) for p in patterns)


@dataclass(frozen=True)
class Intent:
    symptom: bool = False      # mail is not getting where it should: every error may be the reason
    review: bool = False       # "is this OK?": every finding answers it
    verify: bool = False       # "how do I check it works?": the verification steps answer it
    team: bool = False         # about the team's own setup or documents: their pages come first
    followup: bool = False     # continues the previous question


def is_followup(question: str) -> bool:
    v = vocabulary()
    words = len(re.findall(r"\w+", question))
    cjk = cjk_count(question)
    return _any(v.followup, question) or (words + cjk // 2) <= v.followup_max_words


def read_intent(question: str, has_previous: bool = False) -> Intent:
    v = vocabulary()
    q = question or ""
    return Intent(symptom=_any(v.symptom, q), review=_any(v.review, q), verify=_any(v.verify, q),
                  team=_any(v.team, q), followup=has_previous and is_followup(q))
