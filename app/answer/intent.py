"""What kind of question it is: a symptom ("mail never arrives"), a review ("is this OK?"), how to
verify, or something specific; and whether it continues the previous question.

The wording lists are data (kb/questions.yaml), so a team can teach mxdoctor how its own admins
ask without touching code.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import yaml

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


@functools.lru_cache(maxsize=4)
def _load(file: FileStamp) -> Vocabulary:
    from app.retrieval.query import stem
    data = yaml.safe_load(open(file.path, encoding="utf-8")) or {}

    def rx(key: str) -> tuple[re.Pattern, ...]:
        return tuple(re.compile(p, re.I) for p in data.get(key) or [])

    def words(items) -> frozenset[str]:
        return frozenset(stem(str(w).lower()) for w in items or [])
    return Vocabulary(symptom=rx("symptom"), review=rx("review"), verify=rx("verify"), team=rx("team"),
                      followup=rx("followup"),
                      followup_max_words=int(data.get("followup_max_words", 4)),
                      concepts={cat: words(ws) for cat, ws in (data.get("concepts") or {}).items()},
                      symptom_words=words(data.get("symptom_words")), neutral=words(data.get("neutral")))


def vocabulary() -> Vocabulary:
    """kb/questions.yaml, re-read when it changes (a running app picks up an edit)."""
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
